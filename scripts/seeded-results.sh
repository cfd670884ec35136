#!/bin/sh
# Re-runs the papers' claims over several seeds into one store, then regenerates experiments/RESULTS.md
# (tables as mean ± 95 % CI, the claims with their verdicts) and a metrics-only copy of the store
# (experiments/results/seeded.sqlite, no checkpoint files) that the next invocation continues from.
#
# Every run skips the seeds that already have a finished run in the store (--skip-finished), and stages
# shared between presets (the FP teacher, KD stage 1) are trained once per seed (--reuse-stages), so the
# script can be stopped at any moment and started again. Two invocations may share the work by seeds:
#   TERNLAB_LENET_SEEDS=1,3,5 TERNLAB_RESNET_SEEDS=1,3 scripts/seeded-results.sh &
#   TERNLAB_LENET_SEEDS=2,4   TERNLAB_RESNET_SEEDS=2   scripts/seeded-results.sh
# Usage: scripts/seeded-results.sh [lenet|resnet|all|report]   (default all; one thread per run)
set -eu
cd "$(dirname "$0")/.."
PART=${1:-all}
DB=${TERNLAB_DB:-out/seeded/results.sqlite}
SNAPSHOT=experiments/results/seeded.sqlite
CLI=${TERNLAB_CLI:-build/app/ternlab-cli}
LENET_SEEDS=${TERNLAB_LENET_SEEDS:-1,2,3,4,5}
LAMBDA_SEEDS=${TERNLAB_LAMBDA_SEEDS:-$(echo "$LENET_SEEDS" | tr ',' '\n' | awk '$1 <= 3' | paste -sd, -)}
RESNET_SEEDS=${TERNLAB_RESNET_SEEDS:-1,2,3}
mkdir -p "$(dirname "$DB")" "$(dirname "$SNAPSHOT")"
# Continue from the committed metrics-only copy when this machine has no store yet.
[ -f "$DB" ] || [ ! -f "$SNAPSHOT" ] || cp "$SNAPSHOT" "$DB"
run() { "$CLI" run "$@" --db "$DB" --threads 1 --reuse-stages --skip-finished; }

if [ "$PART" = lenet ] || [ "$PART" = all ]; then
  # The LeNet-5 zoo, every preset: 8 FP epochs (shared) + 4 ternary epochs, or + 4 + 4 for two-stage KD. The
  # asym/sym × uniform presets are the Table-3 grid; ics, rel2 and rel4 are the REL T_ex table.
  for p in fp twn ttq ics rel2 rel4 asym asym-uniform sym sym-uniform fatnn lsq asym-kd1 asym-kd2; do
    run "experiments/fmnist-lenet-$p.json" --seeds "$LENET_SEEDS" --tag lenet-zoo
  done
  # The λ curve of two-stage KD (λ = 0.9 is the asym-kd2 preset).
  if [ -n "$LAMBDA_SEEDS" ]; then
    for l in 0.5 0.6 0.7 0.8 1.0; do
      run experiments/fmnist-lenet-asym-kd2.json --seeds "$LAMBDA_SEEDS" --set distill.lambda=$l \
        --set "name=fmnist-lenet-asym-uniform-kd2[lambda=$l]" --tag lenet-kd-lambda
    done
  fi
fi
if [ "$PART" = resnet ] || [ "$PART" = all ]; then
  # ResNet-20, W+A ternary, 9 epochs in all: a 3-epoch FP stage (one per nonlinearity and seed, shared), then
  # 6 W+A epochs. The asymmetric paper's setting is the RPReLU network with one-stage KD.
  budget="--set stages.0.epochs=3 --set stages.1.epochs=6"
  # shellcheck disable=SC2086
  {
    run experiments/fmnist-resnet20-asym-rprelu-kd1.json --seeds "$RESNET_SEEDS" $budget --tag resnet20-seeded
    run experiments/fmnist-resnet20-lsq.json --set model.activation=rprelu --set name=fmnist-resnet20-lsq-wa-rprelu \
      --seeds "$RESNET_SEEDS" $budget --tag resnet20-seeded
    run experiments/fmnist-resnet20-lsq.json --seeds "$RESNET_SEEDS" $budget --tag resnet20-seeded
    run experiments/fmnist-resnet20-asym-kd1.json --seeds "$RESNET_SEEDS" $budget --tag resnet20-seeded
    run experiments/fmnist-resnet20-twn.json --set model.activation=rprelu --set name=fmnist-resnet20-twn-wa-rprelu \
      --seeds "$RESNET_SEEDS" $budget --tag resnet20-seeded
  }
fi
"$CLI" results --db "$DB" --out experiments/RESULTS.md
# The metrics-only copy: one consistent file (VACUUM INTO reads a snapshot, even while runs write).
rm -f "$SNAPSHOT"
python3 -c "import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute('VACUUM INTO ?', (sys.argv[2],))" "$DB" "$SNAPSHOT"
echo "store: $DB; metrics-only copy: $SNAPSHOT ($(du -h "$SNAPSHOT" | cut -f1))"
