#!/usr/bin/python3
"""PyTorch eager baseline for bench_train: ResNet-20 training steps on Fashion-MNIST.

The same network as TernLab's FP ResNet-20 (He et al. 2016, option-A shortcuts, 16/32/64 channels), the
same work as bench_train's ResNet-20 benchmark: 10 SGD steps of batch 128 and one 256-image test pass.
Prints one JSON line: {"seconds": [...], "threads": N, "torch": version}; seconds per repetition.
"""
import json, sys, time
from pathlib import Path

import torch

from idx_file import baseline_args, images, labels, train_pass

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from reference_models import ResNet20  # noqa: E402  (TernLab's FP architecture, shared with the import tests)


def main():
    a = baseline_args("--repetitions", 1)
    x = images(a.data, "train-images-idx3-ubyte.gz", 1280)
    y = labels(a.data, "train-labels-idx1-ubyte.gz", 1280)
    xt = images(a.data, "t10k-images-idx3-ubyte.gz", 256)
    mean, std = x.mean(), x.std()
    x, xt = (x - mean) / std, (xt - mean) / std
    times = []
    for _ in range(a.repetitions):
        model = ResNet20()
        opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9, weight_decay=5e-4)
        t0 = time.perf_counter()
        train_pass(model, opt, x, y)
        model.eval()
        with torch.no_grad():
            model(xt).argmax(1).sum().item()
        times.append(time.perf_counter() - t0)
    print(json.dumps({"seconds": times, "threads": a.threads, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
