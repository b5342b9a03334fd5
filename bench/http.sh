#!/usr/bin/env bash
# HTTP benchmark: builds entra-web in release mode, runs it (with the development identity
# provider) pinned to CPU 1, and drives it with wrk pinned to CPU 0 (one thread) against
# /healthz, / and a 4 KB static file, with 64 and 256 keep-alive connections and with a new
# connection per request, then / and /graph with a signed-in session (/graph calls a
# Graph-like /me in a process of its own, bench/graph_stub.py on the client's CPU, over a
# kept-alive connection, so the server's CPU is the app's work only, as in production
# where Graph is Microsoft's; bench/instructions.sh also counts /graph with the development
# provider serving /me in the same process), then whole sign-ins per second. Prints req/s and p50/p99 latency per
# run; then server CPU per request for /, signed-in / and /graph side by side, with /graph as
# a multiple of the signed-in page, from those rows and from alternating one-second slices
# of the two pages (PAIRS=6 of each by default); then the server's idle RSS, RSS after the sign-ins, RSS
# while holding 1,000 idle keep-alive connections, and peak RSS (VmHWM) over the whole bench.
# The binary is the one `make run` starts (scripts/build-release.sh). "CPU us/req" is the
# server's CPU time per request; "stolen %" is how much of the run its event loop waited for
# a CPU other processes held, and "steal %" how much of the server CPU's time the hypervisor
# took: when either is more than a few percent, the req/s and p99 of that row are not the
# server's.
#
# Usage: bench/http.sh            (DURATION=8 seconds per run by default)
#        DURATION=5 bench/http.sh
#        ENTRA_WEB_BINARY=/path/to/entra-web bench/http.sh   (another build, e.g. of main, as is)
# Extra environment (e.g. LOG_LEVEL, app settings) is passed through to the server; the
# access log is on (info), as in production, and its lines go to a temporary file.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

DURATION=${DURATION:-8}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
STATIC_PATH=${STATIC_PATH:-/static/bench-4k.txt}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-1000}

require_tools wrk taskset python3

if [ -n "${ENTRA_WEB_BINARY:-}" ]; then BIN=$ENTRA_WEB_BINARY; else build_release_app; fi

PORT=$(free_port)
LOG=$(mktemp /tmp/entra-web-bench.XXXXXX.log)
SESSIONS=$(mktemp -d /tmp/entra-web-bench-sessions.XXXXXX)
# The benchmark brings its own static file: the app's Public/ plus a 4 KB text file, in a
# directory of its own, so the production app serves nothing made for benchmarks.
PUBLIC=$(bench_public_dir)
# The development provider serves sign-ins, so signed-in pages and whole sign-ins can be
# measured without a tenant; Graph's /me is the stand-in. wrk and the 1,000 held
# connections are one client address: the per-client connection cap is lifted for them.
GRAPH_PORT_FILE=$(mktemp /tmp/entra-web-bench-graph.XXXXXX)
taskset -c "$CLIENT_CPU" python3 bench/graph_stub.py >"$GRAPH_PORT_FILE" &
GRAPH_PID=$!
for _ in $(seq 1 100); do [ -s "$GRAPH_PORT_FILE" ] && break; sleep 0.1; done
GRAPH_ENDPOINT="http://127.0.0.1:$(head -n 1 "$GRAPH_PORT_FILE")/v1.0/me"
HOST=127.0.0.1 PORT=$PORT SESSION_DIR=$SESSIONS PUBLIC_DIR=$PUBLIC MAX_CONNECTIONS_PER_CLIENT=1000000 GRAPH_ENDPOINT=$GRAPH_ENDPOINT \
    taskset -c "$SERVER_CPU" "$BIN" --dev-idp >"$LOG" 2>&1 &
PID=$!
HOLDER_PID=
cleanup() {
    [ -n "$HOLDER_PID" ] && kill "$HOLDER_PID" 2>/dev/null || true
    kill "$GRAPH_PID" 2>/dev/null || true
    rm -f "$GRAPH_PORT_FILE"
    kill -INT "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    # Access logs of a benchmark run are millions of lines; keep them only when asked.
    [ "${KEEP_LOG:-0}" = 1 ] || rm -f "$LOG"
    rm -rf "$SESSIONS" "$PUBLIC" "$LOG.cookie"
}
trap cleanup EXIT

wait_for_port "$PORT" "$PID" "$LOG"

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

# Clock ticks the hypervisor took from the server's CPU (the steal column of /proc/stat):
# on a shared virtual machine the guest cannot see this as run-queue wait, yet the server
# stands still meanwhile, which shows up as p99.
steal_ticks() { awk -v cpu="cpu$SERVER_CPU" '$1 == cpu { print $9 }' /proc/stat; }


sleep 1
IDLE_RSS=$(rss_kb "$PID" VmRSS)

# Warm up (static file cache, page cache, lazily created buffers).
taskset -c "$CLIENT_CPU" wrk -t1 -c16 -d2s "http://127.0.0.1:$PORT/healthz" >/dev/null
taskset -c "$CLIENT_CPU" wrk -t1 -c16 -d1s "http://127.0.0.1:$PORT$STATIC_PATH" >/dev/null


# A signed-in session, obtained the way a browser gets one, for the signed-in rows.
python3 bench/signin.py "$PORT" once 1 "$LOG.cookie" >/dev/null
COOKIE="session=$(head -n 1 "$LOG.cookie")"

FORMAT="%-24s %-14s %10s %9s %9s %11s %9s %8s %7s\n"
printf "\n$FORMAT" "path" "mode" "req/s" "p50 ms" "p99 ms" "CPU us/req" "stolen %" "steal %" "errors"
printf "$FORMAT" "----" "----" "-----" "------" "------" "----------" "--------" "-------" "------"

# One wrk run: label, mode ("keep-alive N" or "close N"), path, extra wrk arguments.
run_wrk() {
    local label=$1 kind conns path=$3
    read -r kind conns <<<"$2"
    shift 3
    local extra=("$@")
    [ "$kind" = close ] && extra+=(-H "Connection: close")
    local before wait_before steal_before out after wait_after steal_after stolen steal requests cpu rps p50 p99 errors
    before=$(cpu_ticks)
    wait_before=$(loop_wait_ns)
    steal_before=$(steal_ticks)
    out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c"$conns" -d"${DURATION}s" --latency "${extra[@]}" "http://127.0.0.1:$PORT$path" 2>&1)
    after=$(cpu_ticks)
    wait_after=$(loop_wait_ns)
    steal_after=$(steal_ticks)
    stolen=$(awk -v w=$((wait_after - wait_before)) -v d="$DURATION" 'BEGIN { printf "%.0f", w / 1e9 / d * 100 }')
    steal=$(awk -v t=$((steal_after - steal_before)) -v hz="$TICKS_PER_SECOND" -v d="$DURATION" 'BEGIN { printf "%.0f", t / hz / d * 100 }')
    requests=$(echo "$out" | awk '/requests in/ { print $1 }')
    cpu=$(awk -v t=$((after - before)) -v hz="$TICKS_PER_SECOND" -v n="$requests" 'BEGIN { if (n > 0) printf "%.1f", t / hz * 1e6 / n; else print "-" }')
    rps=$(echo "$out" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
    p50=$(echo "$out" | awk '$1 == "50%" { print $2 }' | to_ms)
    p99=$(echo "$out" | awk '$1 == "99%" { print $2 }' | to_ms)
    errors=$(echo "$out" | awk '/Socket errors|Non-2xx/ { s = s $0 "; " } END { print (s == "" ? "0" : "yes") }')
    printf "$FORMAT" "$label" "$kind $conns" "$rps" "$p50" "$p99" "$cpu" "$stolen" "$steal" "$errors"
    [ "$errors" != 0 ] && echo "$out" | grep -E "Socket errors|Non-2xx" | sed 's/^/    /'
    LAST_CPU=$cpu
    return 0
}

# The CPU per request of the rows the summary compares, by label.
declare -A SUMMARY

for path in /healthz / "$STATIC_PATH"; do
    for mode in "keep-alive 64" "keep-alive 256" "close 64"; do
        run_wrk "$path" "$mode" "$path"
        [ "$path $mode" = "/ keep-alive 64" ] && SUMMARY[anonymous]=$LAST_CPU
    done
done
for mode in "keep-alive 64" "keep-alive 256"; do
    run_wrk "/ (signed in)" "$mode" / -H "Cookie: $COOKIE"
    [ "$mode" = "keep-alive 64" ] && SUMMARY[signed_in]=$LAST_CPU
done
# 16 connections keep the pinned core busy: each /graph waits for Graph (on the event loop
# once a kept-alive connection is idle, on a worker before), and more would only queue.
run_wrk "/graph (signed in)" "keep-alive 16" /graph -H "Cookie: $COOKIE"
SUMMARY[graph]=$LAST_CPU

# The ratio /graph : signed-in /, measured side by side: PAIRS alternating one-second slices
# of each (at the rows' connection counts), CPU and requests summed per page. A shared
# machine drifts by half or more between one eight-second run and the next; alternating
# slices lets the drift slow both pages alike, so the ratio is the pages' and not the
# minute's. Sets PAIRED[signed_in] and PAIRED[graph] (CPU us per request).
declare -A PAIRED
paired_cpu() {
    local ticks_signed_in=0 requests_signed_in=0 ticks_graph=0 requests_graph=0 before after out
    for _ in $(seq 1 "${PAIRS:-6}"); do
        before=$(cpu_ticks)
        out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c64 -d1s -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/" 2>&1)
        after=$(cpu_ticks)
        ticks_signed_in=$((ticks_signed_in + after - before))
        requests_signed_in=$((requests_signed_in + $(echo "$out" | awk '/requests in/ { print $1 }')))
        before=$(cpu_ticks)
        out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c16 -d1s -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/graph" 2>&1)
        after=$(cpu_ticks)
        ticks_graph=$((ticks_graph + after - before))
        requests_graph=$((requests_graph + $(echo "$out" | awk '/requests in/ { print $1 }')))
    done
    PAIRED[signed_in]=$(awk -v t="$ticks_signed_in" -v n="$requests_signed_in" -v hz="$TICKS_PER_SECOND" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
    PAIRED[graph]=$(awk -v t="$ticks_graph" -v n="$requests_graph" -v hz="$TICKS_PER_SECOND" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
}
paired_cpu

# Whole sign-ins through the development provider: login page, authorize page, the user's
# choice, the callback (which redeems the code at the token endpoint over libcurl and
# validates the ID token), the signed-in page. Eight browsers at once.
before=$(cpu_ticks)
signins=$(taskset -c "$CLIENT_CPU" python3 bench/signin.py "$PORT" loop "$DURATION" 8 /dev/null || true)
after=$(cpu_ticks)
LOADED_RSS=$(rss_kb "$PID" VmRSS)
count=$(echo "$signins" | python3 -c 'import json, sys; print(json.load(sys.stdin)["sign_ins"])')
failed=$(echo "$signins" | python3 -c 'import json, sys; print(json.load(sys.stdin)["failed"])')
awk -v n="$count" -v f="$failed" -v d="$DURATION" -v t=$((after - before)) -v hz="$TICKS_PER_SECOND" -v fmt="$FORMAT" 'BEGIN {
    printf fmt, "full sign-in", "8 browsers", sprintf("%.1f", n / d), "-", "-", (n > 0 ? sprintf("%.0f", t / hz * 1e6 / n) : "-"), "-", "-", f
}'

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
echo "server CPU per request (keep-alive; /graph's /me answered by bench/graph_stub.py in another process):"
printf "  %-22s %8s us\n" "/ (anonymous)" "${SUMMARY[anonymous]}" "/ (signed in)" "${SUMMARY[signed_in]}" "/graph (signed in)" "${SUMMARY[graph]}"
awk -v g="${SUMMARY[graph]}" -v s="${SUMMARY[signed_in]}" 'BEGIN { if (s > 0 && g != "-") printf "  /graph = %.1f x the signed-in page (the rows above)\n", g / s }'
printf "  side by side, %s alternating 1 s slices: signed-in / %s us, /graph %s us\n" "${PAIRS:-6}" "${PAIRED[signed_in]}" "${PAIRED[graph]}"
awk -v g="${PAIRED[graph]}" -v s="${PAIRED[signed_in]}" 'BEGIN { if (s > 0) printf "  /graph = %.1f x the signed-in page, side by side\n", g / s }'
echo
echo "idle RSS:                         $(mb "$IDLE_RSS")"
echo "RSS right after the sign-in run:  $(mb "$LOADED_RSS")"
echo "RSS with $IDLE_CONNECTIONS idle keep-alive connections: $(mb "$HELD_RSS")"
echo "peak RSS (VmHWM):                 $(mb "$PEAK_RSS")"
echo "server log: $(wc -l <"$LOG") lines$([ "${KEEP_LOG:-0}" = 1 ] && echo " in $LOG" || echo " (KEEP_LOG=1 keeps it)")"
