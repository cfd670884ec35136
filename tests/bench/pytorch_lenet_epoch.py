#!/usr/bin/python3
"""PyTorch eager baseline for bench_train: one LeNet-5 (+BN) epoch on full Fashion-MNIST.

Same architecture, batch size, optimiser and thread count as TernLab's FP LeNet-5 run.
Prints one JSON line: {"epoch_seconds": [...], "threads": N, "torch": version}.
"""
import json, sys, time
from pathlib import Path

import torch

from idx_file import baseline_args, images, labels, train_pass

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from reference_models import LeNet5  # noqa: E402  (TernLab's FP architecture, shared with the import tests)


def main():
    a = baseline_args("--epochs", 2)
    x = images(a.data, "train-images-idx3-ubyte.gz")
    y = labels(a.data, "train-labels-idx1-ubyte.gz")
    x = (x - x.mean()) / x.std()
    model = LeNet5()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    times = []
    for _ in range(a.epochs):
        t0 = time.perf_counter()
        train_pass(model, opt, x, y)
        times.append(time.perf_counter() - t0)
    print(json.dumps({"epoch_seconds": times, "threads": a.threads, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
