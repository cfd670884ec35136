#!/usr/bin/env bash
# The packed engine against the training graph for every Fashion-MNIST preset in experiments/: a short real
# run of the preset (all of its stages), its .tnn export, and `ternlab-cli infer` on all 10,000 test images,
# which compares every prediction with the LibTorch eval forward and the integer accumulators of every
# ternary-activation layer (FP-activation presets: on the exact --fp32-act path; the int8 path's count is shown).
# Prints one line per preset; exits non-zero if any preset disagrees.
# Usage: scripts/check-engine-presets.sh [BUILD_DIR] [TRAIN_LIMIT] [PRESET_GLOB]   (defaults: build, 2048, fmnist-*)
set -euo pipefail
cd "$(dirname "$0")/.."
CLI=${1:-build}/app/ternlab-cli
LIMIT=${2:-2048}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
status=0
printf '%-36s %8s %10s %12s %9s %9s %s\n' preset acc% identical "acc layers" "tnn KiB" "ckpt KiB" note
for f in experiments/${3:-fmnist-*}.json; do
  p=$(basename "$f" .json)
  db="$WORK/$p.sqlite"
  if ! "$CLI" run "$f" --db "$db" --train-limit "$LIMIT" --test-limit 1000 --epochs 1 --threads 2 --json \
      > "$WORK/run.json" 2> "$WORK/run.err"; then
    printf '%-36s run failed: %s\n' "$p" "$(tail -1 "$WORK/run.err")"; status=1; continue
  fi
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run"])' "$WORK/run.json")
  if ! "$CLI" export "$id" --db "$db" --format tnn --out "$WORK/$p.tnn" > "$WORK/export.txt" 2>&1; then
    printf '%-36s export refused: %s\n' "$p" "$(tail -1 "$WORK/export.txt")"; status=1; continue
  fi
  stage=$(sed -n 's/.*(stage \([0-9]*\)).*/\1/p' "$WORK/export.txt")
  "$CLI" infer "$WORK/$p.tnn" --data fashion-mnist:test --threads 2 --json > "$WORK/infer.json"
  # FP activations (weights-only schemes) run through int8 by default; --fp32-act is their exact path.
  "$CLI" infer "$WORK/$p.tnn" --data fashion-mnist:test --threads 2 --json --fp32-act > "$WORK/infer-fp32.json"
  python3 - "$WORK/infer.json" "$p" "$db" "$stage" "$WORK/infer-fp32.json" <<'PY' || status=1
import json, os, sqlite3, sys
r, preset, db, stage = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], int(sys.argv[4])
fp32 = json.load(open(sys.argv[5]))
diffs = r.get("accumulator_max_abs_diff", {})
equal = sum(1 for d in diffs.values() if d == 0)
# The fp32 checkpoint of the exported stage, for the size ratio.
ckpt = 0
con = sqlite3.connect(db)
for (path,) in con.execute("select path from artefact where run_id = ? and kind = 'checkpoint-final'", (stage,)):
    if os.path.exists(path): ckpt = os.path.getsize(path)
fpAct = r["activations"].startswith("float")
# FP activations: the exact path (--fp32-act) must agree on every image; the int8 path is reported.
exact = fp32 if fpAct else r
ok = exact["compared"] and exact["identical_predictions"] == exact["images"] and equal == len(diffs)
note = "" if ok else "DISAGREES"
first = next((k for k, d in sorted(diffs.items()) if d != 0), None)
if first:
    note += f" (first unequal layer {first}, max |diff| {max(diffs.values())})"
if fpAct:
    note += f" (FP activations: --fp32-act {fp32['identical_predictions']}/{fp32['images']}, shown: int8 path)"
print(f"{preset:36s} {r['accuracy']:8.2f} {r['identical_predictions']:>5}/{r['images']:<5} "
      f"{equal:>5}/{len(diffs):<6} {r['tnn_bytes'] / 1024:9.1f} {ckpt / 1024:9.1f} {note}")
sys.exit(0 if ok else 1)
PY
done
exit $status
