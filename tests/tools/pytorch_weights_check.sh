#!/bin/sh
# init_from a PyTorch state_dict, end to end: files written by Debian's python3-torch with torch.save from the
# reference definitions in reference_models.py (random weights and BatchNorm statistics), loaded by a 0-epoch
# TernLab run, and `predict`'s logits compared with PyTorch's on the same images. Then the bad files: a shape
# mismatch, an unknown tensor, a missing one and a file that is no archive, each refused naming the tensor/file.
# Usage: pytorch_weights_check.sh TERNLAB_CLI SOURCE_DIR
set -eu
CLI=$1
SRC=$2
. "$SRC/tests/tools/common.sh"
need_python "torch, numpy" "python3-torch and python3-numpy are"
export PYTHONPATH="$SRC/tests/tools"
$PY - "$WORK" <<'PY'
import collections, sys, torch
from reference_models import LeNet5, ResNet20, randomised
w = sys.argv[1]
lenet, resnet = randomised(LeNet5(), 1), randomised(ResNet20(), 2)
torch.save(lenet.state_dict(), f"{w}/lenet.pt")                      # an OrderedDict with _metadata
torch.save(dict(resnet.state_dict()), f"{w}/resnet20-dict.pt")       # a plain dict
torch.save(resnet.state_dict(), f"{w}/resnet20.pt")
bad = lenet.state_dict(); bad["fc3.weight"] = torch.zeros(5, 84); bad["fc3.bias"] = torch.zeros(5)
torch.save(bad, f"{w}/wrong-shape.pt")
extra = lenet.state_dict(); extra["head.weight"] = torch.zeros(3)
torch.save(extra, f"{w}/unknown.pt")
missing = lenet.state_dict(); del missing["bn2.running_var"]
torch.save(missing, f"{w}/missing.pt")
open(f"{w}/not-an-archive.pt", "w").write("hello")
PY
check() {  # name, experiment, weights file, arch
  name=$1 file=$2 weights=$3 arch=$4
  "$CLI" run "$SRC/experiments/$file" --db "$WORK/runs.sqlite" --epochs 0 --train-limit 2000 --test-limit 500 \
    --threads 1 --json --set "init_from=$WORK/$weights" > "$WORK/run.json" || { cat "$WORK/run.json"; exit 1; }
  id=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["run"])' "$WORK/run.json")
  "$CLI" predict "$id" --db "$WORK/runs.sqlite" --limit 500 --out "$WORK/$name.npz" > /dev/null
  $PY - "$WORK/$weights" "$WORK/$name.npz" "$arch" "$name" <<'PY'
import sys, numpy as np, torch
from reference_models import LeNet5, ResNet20
weights, preds, arch, name = sys.argv[1:]
model = {"lenet5": LeNet5, "resnet20": ResNet20}[arch]()
model.load_state_dict(torch.load(weights))
model.eval()
p = np.load(preds)
with torch.no_grad():
    logits = model(torch.from_numpy(p["inputs"])).numpy()
diff = float(np.abs(logits - p["logits"]).max())
same = int((logits.argmax(1) == p["predicted"]).sum())
print(f"{name}: TernLab's eval forward of the imported weights vs PyTorch: max |logit difference| {diff:.2e}, "
      f"{same}/{len(logits)} identical predictions")
assert diff < 1e-3 * max(1.0, float(np.abs(logits).max())), f"{name}: logits differ by {diff}"
assert same == len(logits), f"{name}: {len(logits) - same} predictions differ"
PY
}
check lenet fmnist-lenet-fp.json lenet.pt lenet5
check resnet20 fmnist-resnet20-fp.json resnet20.pt resnet20
check resnet20-dict fmnist-resnet20-fp.json resnet20-dict.pt resnet20
refused() {  # weights file, text the error must contain
  if "$CLI" run "$SRC/experiments/fmnist-lenet-fp.json" --db "$WORK/runs.sqlite" --epochs 0 --train-limit 256 \
      --test-limit 64 --json --set "init_from=$WORK/$1" > "$WORK/bad.json" 2>&1; then
    echo "$1 was accepted:"; cat "$WORK/bad.json"; exit 1
  fi
  grep -q "$WORK/$1" "$WORK/bad.json" && grep -q "$2" "$WORK/bad.json" || {
    echo "$1: the error does not name the file and '$2':"; cat "$WORK/bad.json"; exit 1; }
  echo "$1 refused: $(grep -o "$2[^\"]*" "$WORK/bad.json" | head -1)"
}
refused wrong-shape.pt "fc3.bias: the file has \[5\], the TernLab model.s fc3.bias is \[10\]"
refused unknown.pt "head.weight has no counterpart"
refused missing.pt "holds no tensor for the model's bn2.running_var"
refused not-an-archive.pt "neither a TernLab checkpoint nor a torch.save zip archive"
