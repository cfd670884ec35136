#!/usr/bin/env bash
# Data-parallel training on this machine: 2 processes × 1 thread (c10d/Gloo over loopback) against 1 process ×
# 2 threads, on ResNet-20 steps of the same global batch; then, from the measured compute time and allreduce
# bytes per step, the speed-up projected for 2–16 machines at 1 and 10 Gbit/s (the model is printed with it).
#
#   scripts/bench-distributed.sh [BUILD_DIR] [TRAIN_IMAGES]
# Measure in a quiet moment: nothing else running on the cores.
set -euo pipefail
BUILD=${1:-build}
IMAGES=${2:-3840}
CLI="$BUILD/app/ternlab-cli"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/resnet20.json" <<JSON
{"name": "dp-bench-resnet20", "model": {"arch": "resnet20"}, "epochs": 1, "batch_size": 64, "seed": 1,
 "dataset": {"train_limit": $IMAGES, "test_limit": 100}, "log_interval": 10,
 "quant": {"weights": {"scheme": "lsq"}, "activations": {"scheme": "lsq"}},
 "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9}}
JSON
"$CLI" run "$work/resnet20.json" --db "$work/one.sqlite" --set batch_size=128 --threads 2 --no-checkpoints --json > /dev/null
"$CLI" run "$work/resnet20.json" --db "$work/two.sqlite" --nproc 2 --threads 1 --no-checkpoints --json > /dev/null
/usr/bin/python3 - "$work/one.sqlite" "$work/two.sqlite" "$IMAGES" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)" <<'PY'
import sqlite3, sys
one, two, images, cpu = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].strip()
def epoch_seconds(db):
    c = sqlite3.connect(db)
    return c.execute("SELECT m.value FROM metric m JOIN metric_key k ON k.id = m.key_id WHERE k.name = 'epoch/seconds'").fetchone()[0], c
steps = images // 128
t1, _ = epoch_seconds(one)
t2, c = epoch_seconds(two)
param = dict(c.execute("SELECT key, num FROM param WHERE key LIKE 'distributed.%'").fetchall())
ar_ms, bytes_ = param["distributed.allreduce_ms_per_step"], param["distributed.bytes_per_step"]
s1, s2 = 1000 * t1 / steps, 1000 * t2 / steps
print(f"CPU: {cpu}; ResNet-20 LSQ W+A, global batch 128, {steps} steps (includes the epoch's evaluation of 100 images)")
print()
print("| layout | ms per step | images/s | allreduce ms per step | bytes per step per rank |")
print("| --- | ---: | ---: | ---: | ---: |")
print(f"| 1 process × 2 threads | {s1:.1f} | {128e3 / s1:.0f} | – | – |")
print(f"| 2 processes × 1 thread | {s2:.1f} | {128e3 / s2:.0f} | {ar_ms:.2f} | {bytes_ / 1e6:.2f} MB |")
print(f"\n2 processes / 1 process: {s1 / s2:.2f}×")
# Projection (weak scaling: every machine has these 2 cores and trains 64 images a step with both):
#   compute(64) = s1 / 2  (the 2-thread step time of 128 images, halved)
#   ring allreduce over W machines: 2 (W-1)/W · bytes / bandwidth + 2 (W-1) · latency, latency 50 µs
#   speed-up(W) = W · compute / (compute + allreduce(W))
compute = s1 / 2
print("\nProjected speed-up over one machine (images/s), model above:\n")
print("| machines | 1 Gbit/s | 10 Gbit/s |")
print("| ---: | ---: | ---: |")
for w in (2, 4, 8, 16):
    row = []
    for gbit in (1, 10):
        ar = 1000 * (2 * (w - 1) / w * bytes_ * 8 / (gbit * 1e9) + 2 * (w - 1) * 50e-6)
        row.append(f"{w * compute / (compute + ar):.2f}×")
    print(f"| {w} | {row[0]} | {row[1]} |")
PY
