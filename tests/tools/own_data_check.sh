#!/bin/sh
# Own data end to end: Fashion-MNIST images written as .npy files by numpy and as PNG files (Python's zlib), a
# short LeNet-5 run on each through the CLI, and a bad label file refused naming it.
# Usage: own_data_check.sh TERNLAB_CLI SOURCE_DIR
set -eu
CLI=$1
SRC=$2
. "$SRC/tests/tools/common.sh"
need_python numpy "python3-numpy is"
$PY - "$WORK" <<'PY'
import gzip, os, struct, sys, zlib
import numpy as np
w, src = sys.argv[1], "/usr/share/datasets/fashion-mnist"
def idx(name):
    for p in (f"{src}/{name}.gz", f"{src}/{name}"):
        if os.path.exists(p):
            data = (gzip.open if p.endswith(".gz") else open)(p, "rb").read()
            n = struct.unpack(">I", data[4:8])[0]
            return np.frombuffer(data, np.uint8, offset=16 if data[3] == 3 else 8).reshape((n, 28, 28) if data[3] == 3 else (n,))
    raise SystemExit(f"{src}/{name}: not found")
x, y = idx("train-images-idx3-ubyte"), idx("train-labels-idx1-ubyte")
tx, ty = idx("t10k-images-idx3-ubyte"), idx("t10k-labels-idx1-ubyte")
os.makedirs(f"{w}/npy")
np.save(f"{w}/npy/x_train.npy", x[:4000, None])             # N x 1 x 28 x 28 uint8
np.save(f"{w}/npy/y_train.npy", y[:4000].astype(np.int32))
np.save(f"{w}/npy/x_test.npy", tx[:1000].astype(np.float32) / 255.0)  # N x 28 x 28 float32
np.save(f"{w}/npy/y_test.npy", ty[:1000].astype(np.int64))
os.makedirs(f"{w}/bad")
np.save(f"{w}/bad/x.npy", x[:100])
np.save(f"{w}/bad/y.npy", y[:99])
def png(path, img):  # 8-bit greyscale PNG: signature, IHDR, IDAT (zlib), IEND
    def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    raw = b"".join(b"\x00" + img[r].tobytes() for r in range(img.shape[0]))
    ihdr = struct.pack(">IIBBBBB", img.shape[1], img.shape[0], 8, 0, 0, 0, 0)
    open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
names = ["tshirt", "trouser", "pullover"]
for split, xs, ys, n in (("train", x, y, 500), ("test", tx, ty, 100)):
    for k, name in enumerate(names):
        os.makedirs(f"{w}/folder/{split}/{name}")
        for i in np.nonzero(ys == k)[0][:n]:
            png(f"{w}/folder/{split}/{name}/{i:05d}.png", xs[i])
PY
run() {  # name, dataset JSON; prints the test accuracy
  cat > "$WORK/$1.json" <<JSON
{"name": "own-$1", "dataset": $2, "model": {"arch": "lenet5"},
 "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9}, "epochs": 2, "batch_size": 64, "seed": 1}
JSON
  "$CLI" run "$WORK/$1.json" --db "$WORK/runs.sqlite" --threads 1 --json > "$WORK/$1.out" || { cat "$WORK/$1.out"; return 1; }
  $PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["test_acc"])' "$WORK/$1.out"
}
acc=$(run npy "{\"name\": \"npy\", \"path\": \"$WORK/npy\"}")
echo "npy dataset (4000 numpy-written training images, 10 classes): test accuracy $acc %"
$PY -c "import sys; sys.exit(0 if $acc >= 70 else 1)" || { echo "npy run reached only $acc %"; exit 1; }
acc=$(run folder "{\"name\": \"image-folder\", \"path\": \"$WORK/folder\"}")
echo "image-folder dataset (1500 PNG files, 3 classes): test accuracy $acc %"
$PY -c "import sys; sys.exit(0 if $acc >= 80 else 1)" || { echo "image-folder run reached only $acc %"; exit 1; }
if run bad "{\"name\": \"npy\", \"path\": \"$WORK/bad\", \"test_fraction\": 0.2}" > "$WORK/bad.txt" 2>&1; then
  echo "a label file with 99 labels for 100 images was accepted"; exit 1
fi
grep -q "$WORK/bad/y.npy: holds 99 labels for 100 images" "$WORK/bad.out" "$WORK/bad.txt" || {
  echo "unclear error:"; cat "$WORK/bad.out" "$WORK/bad.txt"; exit 1; }
echo "bad label file refused: $(grep -ho 'y.npy: holds 99 labels for 100 images' "$WORK/bad.out" "$WORK/bad.txt" | head -1)"
