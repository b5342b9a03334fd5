#!/usr/bin/env bash
# Instructions per request, counted by valgrind's callgrind: unlike CPU time, the count
# does not depend on what else runs on this shared machine, so it compares builds and
# pages reliably. Runs the release build with the development identity provider under
# callgrind, signs in once, then for `/` (anonymous), `/` signed in and `/graph` sends N
# keep-alive requests (after a warm-up), zeroing the counters before and dumping them after,
# and prints the instructions per request (the whole process: event loop, workers, and for
# /graph the development provider serving its /me) and /graph as a multiple of the signed-in
# page. A second app, with GRAPH_ENDPOINT on a stand-in in another process
# (bench/graph_stub.py), counts /graph as production runs it: the app's work only.
# KEEP=1 keeps the callgrind files for callgrind_annotate.
#
# Usage: bench/instructions.sh                  (N=300 requests per page)
#        ENTRA_WEB_BINARY=/path/to/entra-web bench/instructions.sh   (another build, e.g. main's)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

N=${N:-300}
require_tools valgrind callgrind_control python3
if [ -n "${ENTRA_WEB_BINARY:-}" ]; then BIN=$ENTRA_WEB_BINARY; else build_release_app; fi

WORK=$(mktemp -d /tmp/entra-web-instructions.XXXXXX)
PUBLIC=$(bench_public_dir)
PIDS=()
STUB_PID=
cleanup() {
    # TERM for the stub: a background job of a script starts with SIGINT ignored, and
    # Python then never turns it into KeyboardInterrupt.
    [ -n "$STUB_PID" ] && kill "$STUB_PID" 2>/dev/null || true
    for pid in "${PIDS[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "${KEEP:-0}" = 1 ]; then echo "callgrind files kept in $WORK" >&2; else rm -rf "$WORK"; fi
    rm -rf "$PUBLIC"
}
trap cleanup EXIT

# Starts the app under callgrind with the extra settings given, sets PID and PORT, and
# signs in once (COOKIE). Info-level access logging stays on, as in production.
start_server() {
    local name=$1
    shift
    PORT=$(free_port)
    env HOST=127.0.0.1 PORT="$PORT" SESSION_DIR="$WORK/sessions-$name" PUBLIC_DIR="$PUBLIC" "$@" \
        valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind-$name.%p" --dump-instr=no \
        "$BIN" --dev-idp >"$WORK/server-$name.log" 2>&1 &
    PID=$!
    PIDS+=("$PID")
    wait_for_port "$PORT" "$PID" "$WORK/server-$name.log" 120
    python3 bench/signin.py "$PORT" once 1 "$WORK/cookie-$name" >/dev/null
    COOKIE="session=$(head -n 1 "$WORK/cookie-$name")"
}

# N GETs of PATH over one keep-alive connection; fails unless every answer is 200.
requests() {
    python3 - "$PORT" "$1" "$2" "$3" <<'EOF'
import http.client, sys
port, path, count, cookie = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
for _ in range(count):
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        sys.exit(f"{path}: HTTP {response.status}")
EOF
}

# Instructions per request for one page: label, path, cookie.
declare -A PER_REQUEST
measure() {
    local label=$1 path=$2 cookie=$3 file
    requests "$path" 20 "$cookie"
    # vgdb names its pipes after HOST (and USER): the same HOST as the server's, or it
    # looks for the wrong ones.
    HOST=127.0.0.1 callgrind_control -z "$PID" >>"$WORK/control.log" 2>&1
    requests "$path" "$N" "$cookie"
    HOST=127.0.0.1 callgrind_control --dump="$label" "$PID" >>"$WORK/control.log" 2>&1
    file=$(ls -t "$WORK"/callgrind-* | head -n 1)
    PER_REQUEST[$label]=$(awk -v n="$N" '/^summary:/ { printf "%.0f", $2 / n }' "$file")
}

start_server provider-inside
measure anonymous / ""
measure signed-in / "$COOKIE"
measure graph /graph "$COOKIE"

# The same page with Graph in a process of its own (bench/graph_stub.py), as in
# production: only the app's own work is counted.
python3 bench/graph_stub.py >"$WORK/graph-stub.port" &
STUB_PID=$!
for _ in $(seq 50); do [ -s "$WORK/graph-stub.port" ] && break; sleep 0.1; done
start_server graph-elsewhere GRAPH_ENDPOINT="http://127.0.0.1:$(head -n 1 "$WORK/graph-stub.port")/v1.0/me"
measure graph-elsewhere /graph "$COOKIE"

printf "\n%-34s %14s\n" "page" "instructions/req"
printf "%-34s %14s\n" "----" "----------------"
printf "%-34s %14s\n" "/ (anonymous)" "${PER_REQUEST[anonymous]}" "/ (signed in)" "${PER_REQUEST[signed-in]}" \
    "/graph (its /me served in-process)" "${PER_REQUEST[graph]}" "/graph (Graph in another process)" "${PER_REQUEST[graph-elsewhere]}"
awk -v g="${PER_REQUEST[graph]}" -v e="${PER_REQUEST[graph-elsewhere]}" -v s="${PER_REQUEST[signed-in]}" \
    'BEGIN { printf "\n/graph = %.1f x the signed-in page with its /me in-process, %.1f x with Graph elsewhere\n", g / s, e / s }'
