#!/usr/bin/env bash
# Redis session store bench: the signed-in page with sessions in Redis next to the same page
# with session files, and whole sign-ins per second on two instances sharing one Redis next
# to one instance, printed as ratios from one run.
#
# The release binary (scripts/build-release.sh, what `make run` starts) runs with the
# development identity provider, pinned to CPU 1; wrk and the sign-in clients run on CPU 0,
# and so does a redis-server this script starts on a free port (append-only, fsync every
# second: the persistence the README recommends). "CPU us/req" is the app's CPU time per
# request; "Redis us/req" is redis-server's, from which the last lines estimate how many
# signed-in requests per second one Redis core carries.
#
# On a 2-core machine two instances cannot get more CPU than one: both run on CPU 1, so the
# sign-in ratio shows what sharing one Redis costs them (the refresh lock, compare-and-set
# conflicts, connections), not what a second machine would add.
#
# Usage: bench/redis.sh            (DURATION=8 seconds per run, ROUNDS=2 rounds by default)
#        DURATION=5 ROUNDS=3 bench/redis.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

DURATION=${DURATION:-8}
ROUNDS=${ROUNDS:-2}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
CONNECTIONS=${CONNECTIONS:-64}

require_tools wrk taskset python3 redis-server redis-cli
build_release_app

WORK=$(mktemp -d /tmp/entra-web-redis-bench.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

REDIS_PORT=$(free_port)
taskset -c "$CLIENT_CPU" redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$WORK" --logfile "$WORK/redis.log" \
    --save '' --appendonly yes --appendfsync everysec --daemonize no &
REDIS_PID=$!
PIDS+=("$REDIS_PID")
wait_for_port "$REDIS_PORT" "$REDIS_PID" "$WORK/redis.log"
REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"

TICKS_PER_SECOND=$(getconf CLK_TCK)
# CPU time (user + system) of a process in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# Starts an instance NAME with extra environment; sets APP_PID and APP_PORT.
start_app() {
    local name=$1
    shift
    APP_PORT=$(free_port)
    env HOST=127.0.0.1 PORT="$APP_PORT" SESSION_DIR="$WORK/sessions-$name" LOG_LEVEL=warning "$@" \
        taskset -c "$SERVER_CPU" "$BIN" --dev-idp >"$WORK/$name.log" 2>&1 &
    APP_PID=$!
    PIDS+=("$APP_PID")
    wait_for_port "$APP_PORT" "$APP_PID" "$WORK/$name.log"
}

start_app file
FILE_PID=$APP_PID FILE_PORT=$APP_PORT
SHARED_SECRET=$(openssl rand -hex 32)
start_app redis SESSION_STORE="$REDIS_URL" SESSION_SECRET="$SHARED_SECRET"
REDIS_APP_PID=$APP_PID REDIS_APP_PORT=$APP_PORT
start_app redis2 SESSION_STORE="$REDIS_URL" SESSION_SECRET="$SHARED_SECRET"
SECOND_PID=$APP_PID SECOND_PORT=$APP_PORT

# A signed-in session on each store, the way a browser gets one.
for port in "$FILE_PORT" "$REDIS_APP_PORT"; do
    python3 bench/signin.py "$port" once 1 "$WORK/cookie-$port" >/dev/null
done

FORMAT="%-22s %-7s %10s %8s %8s %11s %13s\n"
printf "\n$FORMAT" "signed-in /" "round" "req/s" "p50 ms" "p99 ms" "CPU us/req" "Redis us/req"
printf "$FORMAT" "-----------" "-----" "-----" "------" "------" "----------" "------------"

# One wrk run of the signed-in page: label, round, app port, app pid. Appends "req/s cpu redis" to $WORK/LABEL.
run_signed_in() {
    local label=$1 round=$2 port=$3 pid=$4 out before redis_before after redis_after requests rps p50 p99 cpu redis_cpu errors
    local cookie
    cookie="session=$(head -n 1 "$WORK/cookie-$port")"
    before=$(cpu_ticks "$pid")
    redis_before=$(cpu_ticks "$REDIS_PID")
    out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$port/" 2>&1)
    after=$(cpu_ticks "$pid")
    redis_after=$(cpu_ticks "$REDIS_PID")
    requests=$(echo "$out" | awk '/requests in/ { print $1 }')
    rps=$(echo "$out" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
    p50=$(echo "$out" | awk '$1 == "50%" { print $2 }' | to_ms)
    p99=$(echo "$out" | awk '$1 == "99%" { print $2 }' | to_ms)
    cpu=$(awk -v t=$((after - before)) -v hz="$TICKS_PER_SECOND" -v n="$requests" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
    redis_cpu=$(awk -v t=$((redis_after - redis_before)) -v hz="$TICKS_PER_SECOND" -v n="$requests" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
    errors=$(echo "$out" | grep -E "Socket errors|Non-2xx" || true)
    [ "$label" = file ] && redis_cpu="-"
    printf "$FORMAT" "$label" "$round" "$rps" "$p50" "$p99" "$cpu" "$redis_cpu"
    [ -n "$errors" ] && echo "    $errors"
    echo "$rps $cpu $redis_cpu" >>"$WORK/$label"
}

# Warm-up, not reported.
taskset -c "$CLIENT_CPU" wrk -t1 -c16 -d2s -H "Cookie: session=$(head -n 1 "$WORK/cookie-$FILE_PORT")" "http://127.0.0.1:$FILE_PORT/" >/dev/null
taskset -c "$CLIENT_CPU" wrk -t1 -c16 -d2s -H "Cookie: session=$(head -n 1 "$WORK/cookie-$REDIS_APP_PORT")" "http://127.0.0.1:$REDIS_APP_PORT/" >/dev/null
for round in $(seq 1 "$ROUNDS"); do
    run_signed_in file "$round" "$FILE_PORT" "$FILE_PID"
    run_signed_in redis "$round" "$REDIS_APP_PORT" "$REDIS_APP_PID"
done

# Whole sign-ins (login page, the provider's page and form, the callback with the code
# redeemed and the ID token validated, the signed-in page) by two client processes of four
# browsers each: both at one instance, or one at each of two instances. Prints "count cpu redis".
run_sign_ins() {
    local name=$1 first=$2 second=$3
    shift 3
    local pids=("$@") before=0 after=0 redis_before redis_after pid a b count
    for pid in "${pids[@]}"; do before=$((before + $(cpu_ticks "$pid"))); done
    redis_before=$(cpu_ticks "$REDIS_PID")
    taskset -c "$CLIENT_CPU" python3 bench/signin.py "$first" loop "$DURATION" 4 /dev/null >"$WORK/$name-a.json" || true &
    a=$!
    taskset -c "$CLIENT_CPU" python3 bench/signin.py "$second" loop "$DURATION" 4 /dev/null >"$WORK/$name-b.json" || true &
    b=$!
    wait "$a" "$b"
    for pid in "${pids[@]}"; do after=$((after + $(cpu_ticks "$pid"))); done
    redis_after=$(cpu_ticks "$REDIS_PID")
    count=$(cat "$WORK/$name-a.json" "$WORK/$name-b.json" | python3 -c 'import json, sys; print(sum(json.loads(l)["sign_ins"] for l in sys.stdin if l.strip()))')
    failed=$(cat "$WORK/$name-a.json" "$WORK/$name-b.json" | python3 -c 'import json, sys; print(sum(json.loads(l)["failed"] for l in sys.stdin if l.strip()))')
    awk -v n="$count" -v f="$failed" -v d="$DURATION" -v t=$((after - before)) -v r=$((redis_after - redis_before)) -v hz="$TICKS_PER_SECOND" \
        'BEGIN { printf "%.1f %.0f %.0f %d\n", n / d, (n > 0 ? t / hz * 1e6 / n : 0), (n > 0 ? r / hz * 1e6 / n : 0), f }'
}

FORMAT2="%-22s %-7s %10s %14s %15s %7s\n"
printf "\n$FORMAT2" "sign-ins (Redis)" "round" "per second" "app CPU us/each" "Redis us/each" "failed"
printf "$FORMAT2" "----------------" "-----" "----------" "---------------" "-------------" "------"
for round in $(seq 1 "$ROUNDS"); do
    read -r rate cpu redis failed < <(run_sign_ins one "$REDIS_APP_PORT" "$REDIS_APP_PORT" "$REDIS_APP_PID")
    printf "$FORMAT2" "one instance" "$round" "$rate" "$cpu" "$redis" "$failed"
    echo "$rate" >>"$WORK/one"
    read -r rate cpu redis failed < <(run_sign_ins two "$REDIS_APP_PORT" "$SECOND_PORT" "$REDIS_APP_PID" "$SECOND_PID")
    printf "$FORMAT2" "two instances" "$round" "$rate" "$cpu" "$redis" "$failed"
    echo "$rate" >>"$WORK/two"
done

# Sums of a column over the rounds.
total() { awk -v c="$2" '{ s += $c } END { print s }' "$WORK/$1"; }
echo
awk -v r="$(total redis 1)" -v f="$(total file 1)" 'BEGIN { printf "signed-in req/s, Redis / file store:     %.2f  (goal: at least 0.70)\n", r / f }'
awk -v r="$(total redis 2)" -v f="$(total file 2)" 'BEGIN { printf "app CPU per signed-in request, Redis / file: %.2f\n", r / f }'
awk -v two="$(total two 1)" -v one="$(total one 1)" 'BEGIN { printf "sign-ins per second, two instances / one:  %.2f  (both on CPU %s: the cost of sharing, not a second machine)\n", two / one, "'"$SERVER_CPU"'" }'
awk -v us="$(total redis 3)" -v n="$ROUNDS" 'BEGIN { us /= n; printf "Redis CPU per signed-in request:          %.1f us, so one Redis core carries about %.0f signed-in requests/s\n", us, 1e6 / us }'
KEY=$(redis-cli -p "$REDIS_PORT" --scan --pattern 'entra-web:*:session' | head -n 1)
echo "one signed-in session:                    $(redis-cli -p "$REDIS_PORT" STRLEN "$KEY") bytes sealed, $(redis-cli -p "$REDIS_PORT" MEMORY USAGE "$KEY") bytes of Redis memory (the development provider's tokens)"
