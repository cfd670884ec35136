#!/bin/sh
# Re-makes every single-seed run behind experiments/RESULTS-single-seed.md into one store, then regenerates it
# (the seeded results are made by scripts/seeded-results.sh).
# Stages shared between presets (the FP teacher, KD stage 1) are trained once (--reuse-stages).
# Usage: scripts/reproduce-results.sh [DB] [THREADS]   (default out/results.sqlite, 1 thread)
set -eu
cd "$(dirname "$0")/.."
DB=${1:-out/results.sqlite}
THREADS=${2:-1}
CLI=${TERNLAB_CLI:-build/app/ternlab-cli}
mkdir -p "$(dirname "$DB")"
run() { "$CLI" run "$@" --db "$DB" --threads "$THREADS" --reuse-stages; }

# Every quantizer on LeNet-5, weights and activations where the scheme supports them (the FP
# stage they share is trained by the first and reused by the others).
for p in twn ttq ics rel2 rel4 asym asym-uniform fatnn lsq; do
  run "experiments/fmnist-lenet-$p.json" --tag lenet-zoo
done
# The asymmetric paper's Table 3 (symmetric/asymmetric × uniform off/on) and the λ curve.
"$CLI" sweep experiments/sweep-lenet-table3.json --db "$DB"
"$CLI" sweep experiments/sweep-lenet-kd-lambda.json --db "$DB"
# One-stage against two-stage distillation (same 16-epoch budget), and first/last layer FP vs ternary.
run experiments/fmnist-lenet-asym-kd1.json --tag lenet-kd-stages
"$CLI" sweep experiments/sweep-lenet-first-last.json --db "$DB"
# ResNet-20 (W+A ternary): asymmetric + uniform + two-stage KD against TWN and LSQ of the same budget.
if [ "${TERNLAB_RESNET:-1}" = 1 ]; then
  run experiments/fmnist-resnet20-asym-kd2.json --epochs 3
  run experiments/fmnist-resnet20-twn.json --set stages.0.epochs=3 --set stages.1.epochs=6
  run experiments/fmnist-resnet20-lsq.json --set stages.0.epochs=3 --set stages.1.epochs=6
  # The asymmetric paper's own CIFAR setting (RPReLU, signed eq. 9 activations, one-stage KD), against LSQ on the
  # same RPReLU network; both share one FP stage.
  run experiments/fmnist-resnet20-asym-rprelu-kd1.json --set stages.0.epochs=3 --set stages.1.epochs=6
  run experiments/fmnist-resnet20-lsq.json --set model.activation=rprelu --set name=fmnist-resnet20-lsq-wa-rprelu \
    --set stages.0.epochs=3 --set stages.1.epochs=6
  run experiments/fmnist-resnet20-twn.json --set model.activation=rprelu --set name=fmnist-resnet20-twn-wa-rprelu \
    --set stages.0.epochs=3 --set stages.1.epochs=6
  run experiments/fmnist-resnet20-asym-rprelu-kd2.json --epochs 3
fi
"$CLI" results --db "$DB" --out experiments/RESULTS-single-seed.md
