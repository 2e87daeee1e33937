#!/usr/bin/env bash
# Ingest benchmark: a release build of ffcd on free loopback ports in a
# scratch directory, N generated concerns (default 100000) sent by ffc-send,
# and the figures: concerns per second as ffc-send saw them, the daemon's
# peak resident memory, the store's size. Prints figures; asserts nothing
# about speed.
#
# usage: tests/bench/ingest_bench.sh [N] [WINDOW]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-100000}
WINDOW=${2:-256}
BUILD=${BUILD:-build}

make -s build >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/ffc-bench.XXXXXX")
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ingest="tcp://127.0.0.1:$(port)"
alerts="tcp://127.0.0.1:$(port)"

python3 tests/bench/gen_concerns.py "$N" > "$work/concerns.jsonl"
echo "generated $N concerns ($(du -h "$work/concerns.jsonl" | cut -f1)) about $((N / 10)) children"

"$BUILD/bin/ffcd" -c conf/ffcd.conf --data "$work/var" --ingest "$ingest" --alerts "$alerts" \
	2>"$work/ffcd.log" &
pid=$!
for _ in $(seq 100); do
	[ -S "$work/var/control.sock" ] && break
	sleep 0.1
done

"$BUILD/bin/ffc-send" --ingest "$ingest" --window "$WINDOW" "$work/concerns.jsonl" |
	tee "$work/send.out"
"$BUILD/bin/ffcctl" --control "ipc://$work/var/control.sock" status | sed -n '5,8p'
echo "ffcd peak RSS: $(awk '/VmHWM/ {print $2, $3}' "/proc/$pid/status")"
echo "store file: $(du -h "$work/var/data.mdb" | cut -f1)"
echo "alerts raised: $(grep -c ' alert A' "$work/ffcd.log" || true)"
