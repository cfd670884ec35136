#!/bin/sh
# The resume criterion through the real CLI: a run killed with SIGKILL mid-training (no chance to
# clean up) is found interrupted, `ternlab-cli resume` continues it from its last per-epoch checkpoint,
# and it ends with exactly the accuracy of an uninterrupted run with the same seed.
# Usage: kill_resume.sh TERNLAB_CLI
set -eu
CLI=$1
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cat > "$WORK/exp.json" <<'JSON'
{ "name": "kill-resume", "dataset": { "name": "fashion-mnist", "train_limit": 4000, "test_limit": 1000 },
  "model": { "arch": "lenet5" }, "quant": { "weights": { "scheme": "twn" }, "activations": { "scheme": "twn" } },
  "optimizer": { "lr": 0.05 }, "epochs": 10, "batch_size": 64, "seed": 5, "threads": 1 }
JSON
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

"$CLI" run "$WORK/exp.json" --db "$WORK/whole/runs.sqlite" --json > "$WORK/whole.json"
mkdir -p "$WORK/cut"
"$CLI" run "$WORK/exp.json" --db "$WORK/cut/runs.sqlite" --json > "$WORK/cut.json" 2>&1 &
pid=$!
# Wait for the first epoch's checkpoint (its optimizer file is written last), then kill without warning. Ten
# epochs: on a fast CPU an epoch of 4,000 images takes well under a second, and the kill must land mid-run.
i=0
until [ -n "$(find "$WORK/cut" -name 'epoch-001.pt.opt' 2>/dev/null)" ]; do
  i=$((i + 1))
  [ $i -lt 600 ] || { echo "no checkpoint after 300 s"; kill -9 $pid; exit 1; }
  sleep 0.5
done
sleep 0.5
kill -9 $pid
wait $pid 2>/dev/null || true
"$CLI" show 1 --db "$WORK/cut/runs.sqlite" --json > "$WORK/killed.json"
status=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"])' "$WORK/killed.json")
echo "after SIGKILL the run is: $status"
[ "$status" = interrupted ] || { echo "expected 'interrupted'"; exit 1; }
"$CLI" resume 1 --db "$WORK/cut/runs.sqlite" --json > "$WORK/resumed.json"
a=$(field "$WORK/whole.json" test_acc)
b=$(field "$WORK/resumed.json" test_acc)
echo "uninterrupted: $a %   killed after epoch 1 and resumed: $b %"
[ "$(field "$WORK/resumed.json" status)" = finished ]
[ "$a" = "$b" ] || { echo "resumed run ended elsewhere"; exit 1; }
