#!/usr/bin/env bash
# Fuzzes the parsers that read what others send us, with libFuzzer, for a given total time
# (default 60 s, split evenly between the targets):
#   http  the HTTP request parser (Fuzz/HTTPParserFuzz), fed what clients send
#   resp  the Redis reply parser (Fuzz/RESPParserFuzz), fed what a Redis server sends
#   response  the outbound response parser (Fuzz/ResponseParserFuzz), fed what a provider or Graph sends
# Each target is built with -sanitize=fuzzer,address in its own scratch path (.build-fuzz,
# so the normal build is never touched; both with the same flags, so shared modules are
# built once), run over a working copy of its seed corpus, then everything it kept is
# replayed in a plain debug build, whose bounds checks on unsafe buffers catch what ASan in
# an optimised build cannot (reads into an array's spare capacity).
#
# Usage: bench/fuzz.sh [seconds] [http|resp|response ...]
#   FUZZ_WORK=dir      parent of each target's working corpus and artifacts (default
#                      .build-fuzz/work, kept between runs so fuzzing time accumulates;
#                      FUZZ_FRESH=1 starts over)
#   FUZZ_CONFIG=debug  build the fuzzers at -Onone (slower, bounds-checked while fuzzing)
#   FUZZ_REPLAY=0      skip the bounds-checked replay
# Exits non-zero when an input breaks a parser; the input's path is printed. Reproduce with
#   swift run http-parser-fuzz <input>     (or resp-parser-fuzz, response-parser-fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."

TOTAL_SECONDS=${1:-60}
shift || true
if [ $# -gt 0 ]; then TARGETS=("$@"); else TARGETS=(http resp response); fi
CONFIG=${FUZZ_CONFIG:-release}
WORK_PARENT=${FUZZ_WORK:-.build-fuzz/work}
RUN_SECONDS=$((TOTAL_SECONDS / ${#TARGETS[@]}))
[ "$RUN_SECONDS" -ge 1 ] || RUN_SECONDS=1

# name -> product, seed corpus, dictionary, longest input (past the largest seed, so limit
# seeds are not truncated on load: a 33 KB header block for HTTP).
target_settings() {
    case "$1" in
        http) echo "http-parser-fuzz Fuzz/corpus/http-parser Fuzz/http.dict 40960" ;;
        resp) echo "resp-parser-fuzz Fuzz/corpus/resp-parser Fuzz/resp.dict 8192" ;;
        response) echo "response-parser-fuzz Fuzz/corpus/response-parser Fuzz/http.dict 8192" ;;
        *) echo "unknown fuzz target '$1' (http, resp or response)" >&2; exit 2 ;;
    esac
}

build_flags=(-c "$CONFIG" --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DLIBFUZZER)

# Builds the target's fuzzer; prints the binary's path.
build_fuzzer() {
    local product=$1
    echo "Building: swift build ${build_flags[*]} --product $product" >&2
    local build_start=$SECONDS
    # gold warns once per ASan helper symbol it cannot export; nothing to act on.
    swift build "${build_flags[@]}" --product "$product" 2>&1 | grep -v "Cannot export local symbol" >&2
    echo "Built in $((SECONDS - build_start)) s" >&2
    echo "$(swift build "${build_flags[@]}" --show-bin-path)/$product"
}

# Fuzzes one target for RUN_SECONDS, prints its figures, replays what it kept.
fuzz_target() {
    local name=$1 product seeds dict max_len
    read -r product seeds dict max_len <<<"$(target_settings "$name")"
    local work="$WORK_PARENT/$name"
    [ "${FUZZ_FRESH:-0}" = 1 ] && rm -rf "$work"
    mkdir -p "$work/corpus" "$work/artifacts"
    cp "$seeds"/* "$work/corpus/"
    local bin
    bin=$(build_fuzzer "$product")

    local log="$work/last-run.log"
    touch "$work/.run-start"  # artifacts newer than this are this run's
    : >"$log"  # emptied before tail starts, so the progress shown is never the previous run's
    echo "Fuzzing $name for ${RUN_SECONDS} s (corpus $work/corpus, full log $log)"
    set +e
    # The Swift runtime's backtracer would inspect a crashed process's memory under ASan and
    # report itself; libFuzzer's own report is what we want.
    # No allocation stack traces and no leak checks: together they took 40% of the time, and
    # the parsers are value types only (the soak watches memory growth of the whole server).
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=0:detect_leaks=0} \
        "$bin" -max_total_time="$RUN_SECONDS" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
        -dict="$dict" -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
        "$work/corpus" >"$log" 2>&1 &
    local fuzzer=$!
    trap 'kill "$fuzzer" 2>/dev/null || true' EXIT INT TERM
    # Progress: libFuzzer's periodic lines only (NEW/REDUCE lines stay in the log).
    tail -n +1 -f --pid="$fuzzer" "$log" | grep --line-buffered -E "INITED|pulse|DONE|INVARIANT|ERROR|Test unit written" || true
    wait "$fuzzer"
    local status=$?
    trap - EXIT INT TERM
    set -e
    report "$log" "$work"

    if [ "$status" -ne 0 ]; then
        echo
        echo "FUZZER FAILED ($name, exit $status). Last lines of $log:" >&2
        grep -E "INVARIANT|ERROR|SUMMARY|Fatal error|Test unit written|==[0-9]+==" "$log" | head -n 20 >&2
        find "$work/artifacts" -type f -newer "$work/.run-start" | while read -r input; do
            echo "crashing input: $input  (replay: swift run $product $input)" >&2
        done
        exit 1
    fi

    if [ "${FUZZ_REPLAY:-1}" = 1 ]; then
        echo
        echo "Replaying the $name corpus in a bounds-checked debug build"
        swift build --product "$product" 2>&1 | tail -n 1
        SWIFT_BACKTRACE=enable=no "$(swift build --show-bin-path)/$product" "$work/corpus" 2>"$work/replay.log" \
            || { tail -n 20 "$work/replay.log" >&2; echo "REPLAY FAILED: see $work/replay.log" >&2; exit 1; }
    fi
}

# libFuzzer's final figures for one run.
report() {
    local log=$1 work=$2
    stat() { awk -v key="stat::$1:" '$1 == key { print $2 }' "$log"; }
    local last
    last=$(grep -E "^#[0-9]+.*cov: " "$log" | tail -n 1)
    field() { echo "$last" | awk -v key="$1:" '{ for (i = 1; i < NF; i++) if ($i == key) { print $(i + 1); exit } }'; }
    echo
    echo "executions:     $(stat number_of_executed_units)"
    echo "exec/s:         $(stat average_exec_per_sec)"
    echo "coverage:       cov: $(field cov) (edges)  ft: $(field ft) (features)"
    echo "corpus:         $(field corp) (libFuzzer's, minimised; $(ls "$work/corpus" | wc -l) files in $work/corpus)"
    echo "peak RSS:       $(stat peak_rss_mb) MB"
}

for name in "${TARGETS[@]}"; do
    target_settings "$name" >/dev/null
done
for name in "${TARGETS[@]}"; do
    fuzz_target "$name"
    echo
done
