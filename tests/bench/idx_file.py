"""Reads a (gzipped) IDX file, the format of Fashion-MNIST, for the PyTorch baselines of bench_train."""
import gzip
import struct

import numpy as np


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)
