#!/usr/bin/python3
"""PyTorch eager baseline for bench_train: one LeNet-5 (+BN) epoch on full Fashion-MNIST.

Same architecture, batch size, optimiser and thread count as TernLab's FP LeNet-5 run.
Prints one JSON line: {"epoch_seconds": [...], "threads": N, "torch": version}.
"""
import argparse, json, sys, time
from pathlib import Path

import torch
import torch.nn.functional as F

from idx_file import read_idx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from reference_models import LeNet5  # noqa: E402  (TernLab's FP architecture, shared with the import tests)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    x = torch.from_numpy(read_idx(a.data + "/train-images-idx3-ubyte.gz").copy()).float().div_(255).unsqueeze(1)
    y = torch.from_numpy(read_idx(a.data + "/train-labels-idx1-ubyte.gz").copy()).long()
    x = (x - x.mean()) / x.std()
    model = LeNet5()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    times = []
    for _ in range(a.epochs):
        t0 = time.perf_counter()
        model.train()
        perm = torch.randperm(x.shape[0])
        for b in range(0, x.shape[0], 128):
            idx = perm[b:b + 128]
            xb, yb = x.index_select(0, idx), y.index_select(0, idx)
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            loss.item()
        times.append(time.perf_counter() - t0)
    print(json.dumps({"epoch_seconds": times, "threads": a.threads, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
