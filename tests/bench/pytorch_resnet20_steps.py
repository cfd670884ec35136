#!/usr/bin/python3
"""PyTorch eager baseline for bench_train: ResNet-20 training steps on Fashion-MNIST.

The same network as TernLab's FP ResNet-20 (He et al. 2016, option-A shortcuts, 16/32/64 channels), the
same work as bench_train's ResNet-20 benchmark: 10 SGD steps of batch 128 and one 256-image test pass.
Prints one JSON line: {"seconds": [...], "threads": N, "torch": version}; seconds per repetition.
"""
import argparse, json, time

import torch
import torch.nn as nn
import torch.nn.functional as F

from idx_file import read_idx


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.stride, self.extra = stride, cout - cin

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        s = x
        if self.stride != 1 or self.extra:
            s = x[:, :, ::self.stride, ::self.stride]
            s = F.pad(s, (0, 0, 0, 0, self.extra // 2, self.extra - self.extra // 2))
        return F.relu(y + s)


class ResNet20(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        blocks, cin = [], 16
        for stage, c in enumerate((16, 32, 64)):
            for b in range(3):
                blocks.append(Block(cin, c, 2 if stage > 0 and b == 0 else 1))
                cin = c
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.blocks(F.relu(self.bn1(self.conv1(x))))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


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
