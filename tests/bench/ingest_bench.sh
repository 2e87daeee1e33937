#!/usr/bin/env bash
# Ingest benchmark: a release build of ffcd on free loopback ports in a
# scratch directory, N generated concerns (default 100000) sent by ffc-send,
# and the figures: concerns per second, the daemon's peak resident memory
# (VmHWM), the store's size, alerts raised. Prints figures; asserts nothing
# about speed. Not a ctest entry.
#
# usage: tests/bench/ingest_bench.sh [N] [WINDOW]
#   BUILD=dir   use (and build, with `make build`) this build directory
#               instead of ./build (RelWithDebInfo, no sanitizers)
#   NOBUILD=1   use the binaries in $BUILD as they are
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
N=${1:-100000}
WINDOW=${2:-256}
BUILD=${BUILD:-$root/build}
case $BUILD in /*) ;; *) BUILD=$root/$BUILD ;; esac
PYTHON=${PYTHON:-/usr/bin/python3}
[ -x "$PYTHON" ] || PYTHON=python3

if [ -z "${NOBUILD:-}" ]; then
	make -s -C "$root" build BUILD="$BUILD" >/dev/null
fi
for tool in ffcd ffc-send ffcctl; do
	[ -x "$BUILD/bin/$tool" ] || { echo "no $BUILD/bin/$tool" >&2; exit 1; }
done
if grep -q '^FFC_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
	echo "warning: $BUILD is a sanitizer build; figures will not be representative" >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ffc-bench.XXXXXX")
pid=
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ingest="tcp://127.0.0.1:$(port)"
alerts="tcp://127.0.0.1:$(port)"
control="ipc://$work/var/control.sock"

"$PYTHON" "$root/tests/bench/gen_concerns.py" "$N" >"$work/concerns.jsonl"
echo "generated $N concerns ($(du -h "$work/concerns.jsonl" | cut -f1)) about $((N / 10)) children"

"$BUILD/bin/ffcd" -c "$root/conf/ffcd.conf" --data "$work/var" --ingest "$ingest" \
	--alerts "$alerts" 2>"$work/ffcd.log" &
pid=$!
ready=
for _ in $(seq 200); do
	if "$BUILD/bin/ffcctl" --control "$control" --timeout 200 status >/dev/null 2>&1; then
		ready=1
		break
	fi
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$ready" ]; then
	echo "ffcd did not start:" >&2
	cat "$work/ffcd.log" >&2
	exit 1
fi

start=$(date +%s.%N)
rc=0
"$BUILD/bin/ffc-send" --ingest "$ingest" --window "$WINDOW" "$work/concerns.jsonl" \
	>"$work/send.out" 2>&1 || rc=$?
end=$(date +%s.%N)
tail -n 3 "$work/send.out"
[ "$rc" -eq 0 ] || echo "ffc-send exited $rc" >&2

"$BUILD/bin/ffcctl" --control "$control" --json status >"$work/status.json"
"$PYTHON" - "$work/status.json" "$start" "$end" "$N" "$WINDOW" <<'EOF'
import json, sys
st = json.load(open(sys.argv[1]))
secs = float(sys.argv[3]) - float(sys.argv[2])
n = int(sys.argv[4])
print("sent %d concerns in %.2f s with %s in flight: %.0f concerns/s"
      % (n, secs, sys.argv[5], n / secs))
print("stored: %s concerns, %s children, %s alerts; store %.1f MiB in a %.0f MiB map"
      % (st.get("concerns"), st.get("children"), st.get("alerts"),
         int(st.get("store_bytes", 0)) / 2**20, int(st.get("store_map_bytes", 0)) / 2**20))
EOF
echo "ffcd peak RSS (VmHWM): $(awk '/^VmHWM/ {print $2, $3}' "/proc/$pid/status")"
echo "store file: $(du -h "$work/var/data.mdb" | cut -f1)"

kill -TERM "$pid"
stop=0
wait "$pid" || stop=$?
pid=
echo "ffcd exited $stop on SIGTERM"
exit "$rc"
