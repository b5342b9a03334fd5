#!/usr/bin/env bash
# Where the idle app's memory goes, next to the floor set by the libraries it must use.
# Builds entra-web and bench/RSSFloor (a program that only loads swift-mustache with
# Foundation, libcurl with Debian's dependency tree and OpenSSL's random generator) the way
# `make run` builds, starts each, and prints their RSS once idle (as bench/http.sh reads the
# app's idle RSS: started, nothing served), split by where the pages come from.
#
# Usage: bench/rss-floor.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
require_tools python3

build_release_app rss-floor
FLOOR_BIN=$BIN
build_release_app
APP_BIN=$BIN

WORK=$(mktemp -d /tmp/entra-web-rss.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

# RSS of PID in kB, grouped by mapping: the executable, OpenSSL, libcurl's dependency
# tree (every other shared library but the C/C++ runtime), the C/C++ runtime, and
# unnamed mappings (heap, thread stacks).
breakdown() {
    awk -v exe="$(readlink -f "/proc/$1/exe")" '
        /^[0-9a-f]+-[0-9a-f]+ / { name = $6 }
        /^Rss:/ {
            if (name == exe) group = "executable"
            else if (name ~ /libcrypto|libssl/) group = "openssl"
            else if (name ~ /\/(libc|libm|libstdc\+\+|libgcc_s|ld-linux-x86-64)[.-]/) group = "runtime"
            else if (name ~ /\.so/) group = "curl"
            else group = "anon"
            kb[group] += $2; total += $2
        }
        END { printf "%d %d %d %d %d %d\n", total, kb["executable"], kb["openssl"], kb["curl"], kb["runtime"], kb["anon"] }
    ' "/proc/$1/smaps"
}

"$FLOOR_BIN" >"$WORK/floor.out" &
PIDS+=($!)
FLOOR_PID=$!
for _ in $(seq 1 100); do grep -q ready "$WORK/floor.out" && break; sleep 0.1; done
sleep 1
FLOOR=$(breakdown "$FLOOR_PID")

PORT=$(free_port)
HOST=127.0.0.1 PORT=$PORT SESSION_DIR="$WORK/sessions" LOG_LEVEL=warning "$APP_BIN" --dev-idp >"$WORK/app.log" 2>&1 &
PIDS+=($!)
APP_PID=$!
wait_for_port "$PORT" "$APP_PID" "$WORK/app.log"
sleep 1
APP=$(breakdown "$APP_PID")

FORMAT="%-30s %7s %11s %8s %12s %15s %12s\n"
printf "\n$FORMAT" "MB of RSS" "total" "executable" "OpenSSL" "curl + deps" "libc/libstdc++" "heap+stacks"
printf "$FORMAT" "---------" "-----" "----------" "-------" "-----------" "--------------" "-----------"
row() {
    local label=$1
    read -r total exe ssl curl runtime anon <<<"$2"
    printf "$FORMAT" "$label" "$(mb "$total" | cut -d' ' -f1)" "$(mb "$exe" | cut -d' ' -f1)" "$(mb "$ssl" | cut -d' ' -f1)" \
        "$(mb "$curl" | cut -d' ' -f1)" "$(mb "$runtime" | cut -d' ' -f1)" "$(mb "$anon" | cut -d' ' -f1)"
}
row "floor (bench/RSSFloor)" "$FLOOR"
row "entra-web --dev-idp, idle" "$APP"
row "the app's own share" "$(paste -d' ' <(echo "$APP" | tr ' ' '\n') <(echo "$FLOOR" | tr ' ' '\n') | awk '{ printf "%d ", $1 - $2 }')"
