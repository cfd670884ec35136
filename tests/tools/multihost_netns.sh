#!/bin/sh
# Data-parallel training across two "hosts": two network namespaces joined by a veth pair, one rank in each, the
# rendezvous and Gloo's traffic over the pair's addresses (GLOO_SOCKET_IFNAME names each side's interface).
# Skipped (77) with a message where namespaces cannot be created (no root, no iproute2, a container without
# CAP_NET_ADMIN).
# Usage: multihost_netns.sh TERNLAB_CLI
set -eu
CLI=$1
A=ternlab-a-$$
B=ternlab-b-$$
if ! command -v ip >/dev/null 2>&1; then echo "skipped: iproute2 (ip) is missing"; exit 77; fi
if ! ip netns add "$A" 2>/dev/null; then echo "skipped: cannot create network namespaces here (needs root or CAP_NET_ADMIN)"; exit 77; fi
WORK=$(mktemp -d)
cleanup() { ip netns del "$A" 2>/dev/null || true; ip netns del "$B" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
# Every step of the setup may be refused by the machine (no veth driver, a locked-down container): then skip.
setup() {
  ip netns add "$B" &&
    ip link add veth-a netns "$A" type veth peer name veth-b netns "$B" &&
    ip -n "$A" addr add 10.231.0.1/24 dev veth-a &&
    ip -n "$B" addr add 10.231.0.2/24 dev veth-b &&
    ip -n "$A" link set lo up && ip -n "$B" link set lo up &&
    ip -n "$A" link set veth-a up && ip -n "$B" link set veth-b up
}
if ! setup 2>"$WORK/setup.err"; then
  echo "skipped: cannot join two network namespaces with a veth pair here: $(cat "$WORK/setup.err")"; exit 77
fi

cat > "$WORK/tiny.json" <<'JSON'
{"name": "two-hosts", "model": {"arch": "lenet5"}, "epochs": 1, "batch_size": 64, "seed": 1,
 "dataset": {"train_limit": 512, "test_limit": 200}, "threads": 1, "log_interval": 1,
 "quant": {"weights": {"scheme": "twn"}, "activations": {"scheme": "twn"}}}
JSON
# Rank 0 on host A records into its store; rank 1 on host B reaches it at 10.231.0.1.
GLOO_SOCKET_IFNAME=veth-a ip netns exec "$A" "$CLI" run "$WORK/tiny.json" --db "$WORK/a.sqlite" --json \
  --world-size 2 --rank 0 --rendezvous 10.231.0.1:29611 --timeout 30 > "$WORK/rank0.out" 2>&1 &
R0=$!
GLOO_SOCKET_IFNAME=veth-b ip netns exec "$B" "$CLI" run "$WORK/tiny.json" --db "$WORK/b.sqlite" \
  --world-size 2 --rank 1 --rendezvous 10.231.0.1:29611 --timeout 30 > "$WORK/rank1.out" 2>&1 &
R1=$!
S0=0; S1=0
wait $R0 || S0=$?
wait $R1 || S1=$?
if [ $S0 -ne 0 ] || [ $S1 -ne 0 ]; then
  echo "rank 0 exit $S0:"; cat "$WORK/rank0.out"; echo "rank 1 exit $S1:"; cat "$WORK/rank1.out"; exit 1
fi
grep -q '"status": "finished"' "$WORK/rank0.out" || { cat "$WORK/rank0.out"; exit 1; }
# The record is rank 0's, with the world it trained in; host B's store holds nothing.
"$CLI" show 1 --db "$WORK/a.sqlite" --json > "$WORK/show.json"
/usr/bin/python3 - "$WORK/a.sqlite" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
params = dict(c.execute("SELECT key, value FROM param WHERE run_id = 1").fetchall())
assert params["distributed.world_size"] == "2", params
steps = c.execute("SELECT count(*) FROM metric m JOIN metric_key k ON k.id = m.key_id WHERE k.name = 'train/loss'").fetchone()[0]
assert steps == 4, steps  # 512 images / (2 ranks × 64)
print("two hosts trained one run:", steps, "steps, bytes per step", params["distributed.bytes_per_step"])
PY
[ ! -e "$WORK/b.sqlite" ] || [ "$(/usr/bin/python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from run').fetchone()[0])" "$WORK/b.sqlite")" = 0 ]
echo "ok"
