#!/usr/bin/env bash
# Screenshots of every TernLab view, for anyone to look at (not committed: screenshots/ is ignored).
# Builds nothing: runs an already built `ternlab` under xvfb-run against a scratch database.
#   scripts/screenshots.sh [BUILD_DIR] [OUT_DIR]      (defaults: build-gui, screenshots)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build-gui}"
out="${2:-$root/screenshots}"
app="$build/app/ternlab"
[[ -x "$app" ]] || { echo "no $app: build the 'ternlab' target first" >&2; exit 1; }
command -v xvfb-run >/dev/null || { echo "xvfb-run is not installed" >&2; exit 1; }
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
db="$work/runs.sqlite"
export XDG_CONFIG_HOME="$work/config"   # keep the user's window settings out of it
export OMP_NUM_THREADS=1

# A small experiment that trains in a few seconds and has ternary layers to show.
exp() {  # name scheme lr
  cat > "$work/$1.json" <<JSON
{ "name": "$1", "dataset": { "name": "fashion-mnist", "train_limit": 6000, "test_limit": 1000 },
  "model": { "arch": "lenet5" }, "quant": { "weights": { "scheme": "$2" } },
  "optimizer": { "lr": $3 }, "epochs": 3, "batch_size": 64, "log_interval": 5, "threads": 1, "seed": 1 }
JSON
}
shot() {  # file, then ternlab options
  local file="$1"; shift
  xvfb-run -a -s "-screen 0 1600x1000x24" "$app" --db "$db" --size 1500x950 --screenshot "$out/$file" "$@"
  echo "wrote $out/$file"
}

exp tiny-twn twn 0.05
exp tiny-ttq ttq 0.02
# The live view grabbed while the first run trains; the second run is grabbed when it ends.
shot live.png --experiment "$work/tiny-twn.json" --train --view live --delay 5000
shot finished.png --experiment "$work/tiny-ttq.json" --train --view live --delay 600000
# The two finished runs in the browser, compare and density views.
shot runs.png --view runs --select 1,2
shot compare.png --view compare --select 1,2
shot density.png --view density --select 2
shot kernels.png --view kernels --select 2 --delay 8000
