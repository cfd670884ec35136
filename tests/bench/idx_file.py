"""Fashion-MNIST for the PyTorch baselines of bench_train: the IDX reader, their shared arguments and their
training pass (the same SGD loop TernLab's trainer runs)."""
import argparse
import gzip
import struct

import numpy as np
import torch
import torch.nn.functional as F


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def images(data, name, limit=None):
    """N×1×28×28 float images in [0, 1] from data/name (the first `limit`)."""
    return torch.from_numpy(read_idx(f"{data}/{name}")[:limit].copy()).float().div_(255).unsqueeze(1)


def labels(data, name, limit=None):
    return torch.from_numpy(read_idx(f"{data}/{name}")[:limit].copy()).long()


def baseline_args(count_flag, count_default):
    """--threads, the repetition count (`count_flag`) and --data; sets torch's threads and seed."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument(count_flag, type=int, default=count_default)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    return a


def train_pass(model, opt, x, y, batch=128):
    """One shuffled pass of SGD steps over (x, y), each loss read back as TernLab's trainer does."""
    model.train()
    perm = torch.randperm(x.shape[0])
    for b in range(0, x.shape[0], batch):
        idx = perm[b:b + batch]
        opt.zero_grad()
        loss = F.cross_entropy(model(x.index_select(0, idx)), y.index_select(0, idx))
        loss.backward()
        opt.step()
        loss.item()
