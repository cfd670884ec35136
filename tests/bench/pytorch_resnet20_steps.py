#!/usr/bin/python3
"""PyTorch eager baseline for bench_train: ResNet-20 training steps on Fashion-MNIST.

The same network as TernLab's FP ResNet-20 (He et al. 2016, option-A shortcuts, 16/32/64 channels), the
same work as bench_train's ResNet-20 benchmark: 10 SGD steps of batch 128 and one 256-image test pass.
Prints one JSON line: {"seconds": [...], "threads": N, "torch": version}; seconds per repetition.
"""
import argparse, json, sys, time
from pathlib import Path

import torch
import torch.nn.functional as F

from idx_file import read_idx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from reference_models import ResNet20  # noqa: E402  (TernLab's FP architecture, shared with the import tests)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repetitions", type=int, default=1)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    x = torch.from_numpy(read_idx(a.data + "/train-images-idx3-ubyte.gz")[:1280].copy()).float().div_(255).unsqueeze(1)
    y = torch.from_numpy(read_idx(a.data + "/train-labels-idx1-ubyte.gz")[:1280].copy()).long()
    xt = torch.from_numpy(read_idx(a.data + "/t10k-images-idx3-ubyte.gz")[:256].copy()).float().div_(255).unsqueeze(1)
    mean, std = x.mean(), x.std()
    x, xt = (x - mean) / std, (xt - mean) / std
    times = []
    for _ in range(a.repetitions):
        model = ResNet20()
        opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9, weight_decay=5e-4)
        t0 = time.perf_counter()
        model.train()
        perm = torch.randperm(x.shape[0])
        for b in range(0, x.shape[0], 128):
            idx = perm[b:b + 128]
            opt.zero_grad()
            loss = F.cross_entropy(model(x.index_select(0, idx)), y.index_select(0, idx))
            loss.backward()
            opt.step()
            loss.item()
        model.eval()
        with torch.no_grad():
            model(xt).argmax(1).sum().item()
        times.append(time.perf_counter() - t0)
    print(json.dumps({"seconds": times, "threads": a.threads, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
