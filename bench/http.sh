#!/usr/bin/env bash
# HTTP benchmark: builds entra-web in release mode, runs it pinned to CPU 1, and drives it
# with wrk pinned to CPU 0 (one thread) against /healthz, / and a 4 KB static file, with
# 64 and 256 keep-alive connections and with a new connection per request. Prints req/s
# and p50/p99 latency per run, then the server's idle RSS, RSS while holding 1,000 idle
# keep-alive connections, and peak RSS (VmHWM).
#
# Usage: bench/http.sh            (DURATION=8 seconds per run by default)
#        DURATION=5 bench/http.sh
#        STATIC_STDLIB=1 bench/http.sh   links the Swift runtime and Foundation statically
#            (--static-swift-stdlib, built in .build-static): about 6 MB less RSS, since
#            the dynamic linker no longer touches every page of libFoundation & co.
# Extra environment (e.g. LOG_LEVEL, app settings) is passed through to the server.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

DURATION=${DURATION:-8}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
STATIC_PATH=${STATIC_PATH:-/static/bench-4k.txt}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-1000}

require_tools wrk taskset python3

if [ ! -f Public/bench-4k.txt ]; then
    mkdir -p Public
    python3 -c "import sys; sys.stdout.write(('0123456789abcdef' * 256))" > Public/bench-4k.txt
fi

build_release_app

PORT=$(free_port)
LOG=$(mktemp /tmp/entra-web-bench.XXXXXX.log)
HOST=127.0.0.1 PORT=$PORT taskset -c "$SERVER_CPU" "$BIN" >"$LOG" 2>&1 &
PID=$!
HOLDER_PID=
cleanup() {
    [ -n "$HOLDER_PID" ] && kill "$HOLDER_PID" 2>/dev/null || true
    kill -INT "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
}
trap cleanup EXIT

wait_for_port "$PORT" "$PID" "$LOG"

# Server CPU time (user + system) in clock ticks, to report CPU per request: unlike req/s,
# it barely moves when other work shares the machine.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
TICKS_PER_SECOND=$(getconf CLK_TCK)

sleep 1
IDLE_RSS=$(rss_kb "$PID" VmRSS)

# Warm up (static file cache, page cache, lazily created buffers).
taskset -c "$CLIENT_CPU" wrk -t1 -c16 -d2s "http://127.0.0.1:$PORT/healthz" >/dev/null
taskset -c "$CLIENT_CPU" wrk -t1 -c16 -d1s "http://127.0.0.1:$PORT$STATIC_PATH" >/dev/null

printf "\n%-24s %-14s %10s %9s %9s %12s %8s\n" "path" "mode" "req/s" "p50 ms" "p99 ms" "CPU us/req" "errors"
printf "%-24s %-14s %10s %9s %9s %12s %8s\n" "----" "----" "-----" "------" "------" "----------" "------"
for path in /healthz / "$STATIC_PATH"; do
    for mode in "keep-alive 64" "keep-alive 256" "close 64"; do
        set -- $mode
        kind=$1 conns=$2
        extra=()
        [ "$kind" = close ] && extra=(-H "Connection: close")
        before=$(cpu_ticks)
        out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c"$conns" -d"${DURATION}s" --latency "${extra[@]}" "http://127.0.0.1:$PORT$path" 2>&1)
        after=$(cpu_ticks)
        requests=$(echo "$out" | awk '/requests in/ { print $1 }')
        cpu=$(awk -v t=$((after - before)) -v hz="$TICKS_PER_SECOND" -v n="$requests" 'BEGIN { if (n > 0) printf "%.1f", t / hz * 1e6 / n; else print "-" }')
        rps=$(echo "$out" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
        p50=$(echo "$out" | awk '$1 == "50%" { print $2 }' | to_ms)
        p99=$(echo "$out" | awk '$1 == "99%" { print $2 }' | to_ms)
        errors=$(echo "$out" | awk '/Socket errors|Non-2xx/ { s = s $0 "; " } END { print (s == "" ? "0" : "yes") }')
        printf "%-24s %-14s %10s %9s %9s %12s %8s\n" "$path" "$kind $conns" "$rps" "$p50" "$p99" "$cpu" "$errors"
        [ "$errors" != 0 ] && echo "$out" | grep -E "Socket errors|Non-2xx" | sed 's/^/    /'
    done
done

# Hold idle keep-alive connections and measure.
FIFO=$(mktemp -u /tmp/entra-web-bench.XXXXXX.fifo)
mkfifo "$FIFO"
python3 bench/hold_connections.py 127.0.0.1 "$PORT" "$IDLE_CONNECTIONS" <"$FIFO" &
HOLDER_PID=$!
exec 3>"$FIFO"
for _ in $(seq 1 100); do
    n=$(fd_count "$PID")
    [ "$n" -ge "$IDLE_CONNECTIONS" ] && break
    sleep 0.1
done
sleep 1
HELD_RSS=$(rss_kb "$PID" VmRSS)
exec 3>&-
wait "$HOLDER_PID" 2>/dev/null || true
HOLDER_PID=
rm -f "$FIFO"
PEAK_RSS=$(rss_kb "$PID" VmHWM)

echo
echo "idle RSS:                         $(mb "$IDLE_RSS")"
echo "RSS with $IDLE_CONNECTIONS idle keep-alive connections: $(mb "$HELD_RSS")"
echo "peak RSS (VmHWM):                 $(mb "$PEAK_RSS")"
echo "server log: $LOG ($(wc -l <"$LOG") lines)"
