#!/bin/sh
# The export criterion, end to end: for every LeNet-5 preset (weights and activations ternary where
# the scheme supports it) a short real run, its npz export, and check_export.py recomputing the codes from
# the exported latent weights by each paper's formula, independently of TernLab's C++ code.
# Usage: export_check.sh TERNLAB_CLI SOURCE_DIR
set -eu
CLI=$1
SRC=$2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for p in twn ttq ics rel2 rel4 asym asym-uniform sym-uniform fatnn lsq; do
  "$CLI" run "$SRC/experiments/fmnist-lenet-$p.json" --db "$WORK/runs.sqlite" --train-limit 512 --test-limit 256 \
    --epochs 1 --threads 1 --json --reuse-stages > "$WORK/run.json" || {
    echo "run of preset $p failed:"; cat "$WORK/run.json"; exit 1; }
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run"])' "$WORK/run.json")
  "$CLI" export "$id" --db "$WORK/runs.sqlite" --format npz --out "$WORK/$p.npz"
  echo "== $p (run $id)"
  python3 "$SRC/tests/tools/check_export.py" "$WORK/$p.npz" --verbose
  # The per-layer report and the stored per-layer series exist for the run, and no layer collapsed.
  "$CLI" report "$id" --db "$WORK/runs.sqlite" --json > "$WORK/report.json"
  "$CLI" show "$id" --db "$WORK/runs.sqlite" --json > "$WORK/show.json"
  python3 - "$WORK/report.json" "$WORK/show.json" "$p" <<'PY'
import json, sys
report, show, preset = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
layers = report["layers"] if isinstance(report, dict) else report
ternary = [l for l in layers if l.get("scheme", "none") != "none"]
assert ternary, f"{preset}: report lists no ternary layer"
last = show["children"][-1] if show.get("children") else show["id"]
stages = {s["id"]: s for s in show.get("stages", [])}
rows = stages[last]["layers"] if last in stages else show["layers"]
assert rows, f"{preset}: no per-layer statistics stored"
for r in rows:
    assert 0.05 <= r["density"] <= 0.95 or r["tensor"] != "weight", f"{preset}: {r['layer']} density {r['density']}"
print(f"{preset}: report lists {len(ternary)} ternary layers; {len(rows)} per-layer rows stored, weight densities "
      + ", ".join(f"{r['layer']} {r['density']:.2f}" for r in rows if r["tensor"] == "weight"))
PY
done
# The checker must be able to fail: flip one exported code and expect it to say so.
python3 - "$WORK/twn.npz" "$WORK/tampered.npz" <<'PY'
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
    for info in zin.infolist():
        data = bytearray(zin.read(info.filename))
        if info.filename == "conv2/codes_b0.npy":
            data[-1] = {0: 1, 1: 0xFF, 0xFF: 0}[data[-1]]  # another value in {-1, 0, 1} (int8)
        zout.writestr(info, bytes(data))
PY
if python3 "$SRC/tests/tools/check_export.py" "$WORK/tampered.npz" > "$WORK/tampered.txt"; then
  echo "check_export.py accepted a tampered export:"; cat "$WORK/tampered.txt"; exit 1
fi
grep -q "MISMATCHES" "$WORK/tampered.txt"
echo "tampered export rejected: $(grep MISMATCHES "$WORK/tampered.txt")"
