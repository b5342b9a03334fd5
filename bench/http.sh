#!/usr/bin/env bash
# HTTP benchmark: builds entra-web in release mode, runs it (with the development identity
# provider) pinned to CPU 1, and drives it with wrk pinned to CPU 0 (one thread) against
# /healthz, / and a 4 KB static file, with 64 and 256 keep-alive connections and with a new
# connection per request, then / with a signed-in session, then whole sign-ins per second.
# Prints req/s and p50/p99 latency per run, then the server's idle RSS, RSS after the
# sign-ins, RSS while holding 1,000 idle keep-alive connections, and peak RSS (VmHWM). "CPU us/req" is the server's CPU time per
# request; "stolen %" is how much of the run its event loop waited for a CPU other processes
# held: when it is more than a few percent, the req/s and p99 of that row are not the server's.
#
# Usage: bench/http.sh            (DURATION=8 seconds per run by default)
#        DURATION=5 bench/http.sh
#        STATIC_STDLIB=1 bench/http.sh   links the Swift runtime and Foundation statically
#            (--static-swift-stdlib, built in .build-static): about 6 MB less RSS, since
#            the dynamic linker no longer touches every page of libFoundation & co.
# Extra environment (e.g. LOG_LEVEL, app settings) is passed through to the server; the
# access log costs about 7 us of CPU per request with swift-log's StreamLogHandler.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-8}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
STATIC_PATH=${STATIC_PATH:-/static/bench-4k.txt}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-1000}

for tool in wrk taskset python3; do
    command -v "$tool" >/dev/null || { echo "bench/http.sh needs $tool (apt-get install wrk util-linux python3)" >&2; exit 1; }
done

if [ ! -f Public/bench-4k.txt ]; then
    mkdir -p Public
    python3 -c "import sys; sys.stdout.write(('0123456789abcdef' * 256))" > Public/bench-4k.txt
fi

BUILD_FLAGS=(-c release --product entra-web)
if [ "${STATIC_STDLIB:-0}" = 1 ]; then
    BUILD_FLAGS+=(--static-swift-stdlib --scratch-path .build-static)
fi
echo "Building: swift build ${BUILD_FLAGS[*]}" >&2
swift build "${BUILD_FLAGS[@]}" >&2
BIN="$(swift build "${BUILD_FLAGS[@]}" --show-bin-path)/entra-web"

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LOG=$(mktemp /tmp/entra-web-bench.XXXXXX.log)
SESSIONS=$(mktemp -d /tmp/entra-web-bench-sessions.XXXXXX)
# The development provider serves sign-ins and Graph on the same port, so signed-in pages
# and whole sign-ins can be measured without a tenant.
HOST=127.0.0.1 PORT=$PORT SESSION_DIR=$SESSIONS taskset -c "$SERVER_CPU" "$BIN" --dev-idp >"$LOG" 2>&1 &
PID=$!
HOLDER_PID=
cleanup() {
    [ -n "$HOLDER_PID" ] && kill "$HOLDER_PID" 2>/dev/null || true
    kill -INT "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    # Access logs of a benchmark run are millions of lines; keep them only when asked.
    [ "${KEEP_LOG:-0}" = 1 ] || rm -f "$LOG"
    rm -rf "$SESSIONS"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
    if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null; then break; fi
    kill -0 "$PID" 2>/dev/null || { echo "server exited; log:" >&2; cat "$LOG" >&2; exit 1; }
    sleep 0.1
done

# Server CPU time (user + system) in clock ticks, to report CPU per request: unlike req/s,
# it barely moves when other work shares the machine.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
TICKS_PER_SECOND=$(getconf CLK_TCK)
# Nanoseconds the event-loop threads spent runnable but not running (other processes had
# the CPU). A large share means the run measured the machine, not the server.
loop_wait_ns() {
    local total=0 t
    for t in /proc/$PID/task/*; do
        grep -q '^http-loop' "$t/comm" 2>/dev/null || continue
        total=$((total + $(awk '{ print $2 }' "$t/schedstat")))
    done
    echo "$total"
}

rss_kb() { awk -v key="$1:" '$1 == key { print $2 }' "/proc/$PID/status"; }
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f MB", kb / 1024 }'; }

sleep 1
IDLE_RSS=$(rss_kb VmRSS)

# Warm up (static file cache, page cache, lazily created buffers).
taskset -c "$CLIENT_CPU" wrk -t1 -c16 -d2s "http://127.0.0.1:$PORT/healthz" >/dev/null
taskset -c "$CLIENT_CPU" wrk -t1 -c16 -d1s "http://127.0.0.1:$PORT$STATIC_PATH" >/dev/null

# wrk prints latency percentiles with units (us, ms, s); normalise to ms.
to_ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v = v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v = v * 1000 }; printf "%.2f", v }'; }

# A signed-in session, obtained the way a browser gets one, for the signed-in rows.
COOKIE=$(python3 bench/signin_client.py cookie "http://127.0.0.1:$PORT")

FORMAT="%-24s %-14s %10s %9s %9s %11s %9s %7s\n"
printf "\n$FORMAT" "path" "mode" "req/s" "p50 ms" "p99 ms" "CPU us/req" "stolen %" "errors"
printf "$FORMAT" "----" "----" "-----" "------" "------" "----------" "--------" "------"

# One wrk run: label, mode ("keep-alive N" or "close N"), path, extra wrk arguments.
run_wrk() {
    local label=$1 kind conns path=$3
    read -r kind conns <<<"$2"
    shift 3
    local extra=("$@")
    [ "$kind" = close ] && extra+=(-H "Connection: close")
    local before wait_before out after wait_after stolen requests cpu rps p50 p99 errors
    before=$(cpu_ticks)
    wait_before=$(loop_wait_ns)
    out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c"$conns" -d"${DURATION}s" --latency "${extra[@]}" "http://127.0.0.1:$PORT$path" 2>&1)
    after=$(cpu_ticks)
    wait_after=$(loop_wait_ns)
    stolen=$(awk -v w=$((wait_after - wait_before)) -v d="$DURATION" 'BEGIN { printf "%.0f", w / 1e9 / d * 100 }')
    requests=$(echo "$out" | awk '/requests in/ { print $1 }')
    cpu=$(awk -v t=$((after - before)) -v hz="$TICKS_PER_SECOND" -v n="$requests" 'BEGIN { if (n > 0) printf "%.1f", t / hz * 1e6 / n; else print "-" }')
    rps=$(echo "$out" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
    p50=$(echo "$out" | awk '$1 == "50%" { print $2 }' | to_ms)
    p99=$(echo "$out" | awk '$1 == "99%" { print $2 }' | to_ms)
    errors=$(echo "$out" | awk '/Socket errors|Non-2xx/ { s = s $0 "; " } END { print (s == "" ? "0" : "yes") }')
    printf "$FORMAT" "$label" "$kind $conns" "$rps" "$p50" "$p99" "$cpu" "$stolen" "$errors"
    [ "$errors" != 0 ] && echo "$out" | grep -E "Socket errors|Non-2xx" | sed 's/^/    /'
    return 0
}

for path in /healthz / "$STATIC_PATH"; do
    for mode in "keep-alive 64" "keep-alive 256" "close 64"; do
        run_wrk "$path" "$mode" "$path"
    done
done
for mode in "keep-alive 64" "keep-alive 256"; do
    run_wrk "/ (signed in)" "$mode" / -H "Cookie: $COOKIE"
done

# Whole sign-ins through the development provider: login page, authorize page, the user's
# choice, the callback (which redeems the code at the token endpoint over libcurl and
# validates the ID token), the signed-in page. Eight browsers at once.
before=$(cpu_ticks)
signins=$(taskset -c "$CLIENT_CPU" python3 bench/signin_client.py signins "http://127.0.0.1:$PORT" "$DURATION" 8)
after=$(cpu_ticks)
LOADED_RSS=$(rss_kb VmRSS)
echo "$signins" | awk -v t=$((after - before)) -v hz="$TICKS_PER_SECOND" -F'[:,}]' '
    { for (i = 1; i < NF; i++) { key = $i; gsub(/[ "{]/, "", key); v[key] = $(i + 1) } }
    END {
        per = v["signins"] > 0 ? sprintf("%.0f", t / hz * 1e6 / v["signins"]) : "-"
        printf "%-24s %-14s %10.1f %9s %9s %11s %9s %7s\n", "full sign-in", "8 browsers", v["per_second"], "-", "-", per, "-", v["failed"] + 0
    }'

# Hold idle keep-alive connections and measure.
FIFO=$(mktemp -u /tmp/entra-web-bench.XXXXXX.fifo)
mkfifo "$FIFO"
python3 bench/hold_connections.py 127.0.0.1 "$PORT" "$IDLE_CONNECTIONS" <"$FIFO" &
HOLDER_PID=$!
exec 3>"$FIFO"
for _ in $(seq 1 100); do
    n=$(ls "/proc/$PID/fd" | wc -l)
    [ "$n" -ge "$IDLE_CONNECTIONS" ] && break
    sleep 0.1
done
sleep 1
HELD_RSS=$(rss_kb VmRSS)
exec 3>&-
wait "$HOLDER_PID" 2>/dev/null || true
HOLDER_PID=
rm -f "$FIFO"
PEAK_RSS=$(rss_kb VmHWM)

echo
echo "idle RSS:                         $(mb "$IDLE_RSS")"
echo "RSS right after the sign-in run:  $(mb "$LOADED_RSS")"
echo "RSS with $IDLE_CONNECTIONS idle keep-alive connections: $(mb "$HELD_RSS")"
echo "peak RSS (VmHWM):                 $(mb "$PEAK_RSS")"
echo "server log: $(wc -l <"$LOG") lines$([ "${KEEP_LOG:-0}" = 1 ] && echo " in $LOG" || echo " (KEEP_LOG=1 keeps it)")"
