#!/usr/bin/env bash
# Fuzzes the HTTP request parser with libFuzzer for a given time (default 60 s): builds the
# http-parser-fuzz target with -sanitize=fuzzer,address in its own scratch path (.build-fuzz,
# so the normal build is never touched), runs it over a working copy of the seed corpus, then
# replays everything it kept in a plain debug build, whose bounds checks on unsafe buffers
# catch what ASan in an optimised build cannot (reads into an array's spare capacity).
#
# Usage: bench/fuzz.sh [seconds]
#   FUZZ_WORK=dir      working corpus and artifacts (default .build-fuzz/work, kept between
#                      runs so fuzzing time accumulates; FUZZ_FRESH=1 starts it over)
#   FUZZ_CONFIG=debug  build the fuzzer at -Onone (slower, bounds-checked while fuzzing)
#   FUZZ_REPLAY=0      skip the bounds-checked replay
# Exits non-zero when an input breaks the parser; the input's path is printed. Reproduce with
#   swift run http-parser-fuzz <input>
set -euo pipefail
cd "$(dirname "$0")/.."

RUN_SECONDS=${1:-60}
CONFIG=${FUZZ_CONFIG:-release}
WORK=${FUZZ_WORK:-.build-fuzz/work}
SEEDS=Fuzz/corpus/http-parser
# Past the largest seed (a 33 KB header block), so limit seeds are not truncated on load.
MAX_LEN=${FUZZ_MAX_LEN:-40960}

[ "${FUZZ_FRESH:-0}" = 1 ] && rm -rf "$WORK"
mkdir -p "$WORK/corpus" "$WORK/artifacts"
cp "$SEEDS"/* "$WORK/corpus/"

build_flags=(-c "$CONFIG" --scratch-path .build-fuzz --product http-parser-fuzz
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DHTTP_PARSER_FUZZ)
echo "Building: swift build ${build_flags[*]}" >&2
build_start=$SECONDS
# gold warns once per ASan helper symbol it cannot export; nothing to act on.
swift build "${build_flags[@]}" 2>&1 | grep -v "Cannot export local symbol" >&2
bin="$(swift build "${build_flags[@]}" --show-bin-path)/http-parser-fuzz"
echo "Built in $((SECONDS - build_start)) s" >&2

log="$WORK/last-run.log"
touch "$WORK/.run-start"  # artifacts newer than this are this run's
: >"$log"  # emptied before tail starts, so the progress shown is never the previous run's
echo "Fuzzing for ${RUN_SECONDS} s (corpus $WORK/corpus, full log $log)"
set +e
# The Swift runtime's backtracer would inspect a crashed process's memory under ASan and
# report itself; libFuzzer's own report is what we want.
# No allocation stack traces and no leak checks: together they took 40% of the time, and
# the parser is value types only (the soak watches memory growth of the whole server).
SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=0:detect_leaks=0} \
    "$bin" -max_total_time="$RUN_SECONDS" -max_len="$MAX_LEN" -timeout=10 -rss_limit_mb=2048 \
    -dict=Fuzz/http.dict -print_final_stats=1 -artifact_prefix="$WORK/artifacts/" \
    "$WORK/corpus" >"$log" 2>&1 &
fuzzer=$!
trap 'kill "$fuzzer" 2>/dev/null || true' EXIT INT TERM
# Progress: libFuzzer's periodic lines only (NEW/REDUCE lines stay in the log).
tail -n +1 -f --pid="$fuzzer" "$log" | grep --line-buffered -E "INITED|pulse|DONE|INVARIANT|ERROR|Test unit written" || true
wait "$fuzzer"
status=$?
trap - EXIT INT TERM
set -e

stat() { awk -v key="stat::$1:" '$1 == key { print $2 }' "$log"; }
last=$(grep -E "^#[0-9]+.*cov: " "$log" | tail -n 1)
field() { echo "$last" | awk -v key="$1:" '{ for (i = 1; i < NF; i++) if ($i == key) { print $(i + 1); exit } }'; }
echo
echo "executions:     $(stat number_of_executed_units)"
echo "exec/s:         $(stat average_exec_per_sec)"
echo "coverage:       cov: $(field cov) (edges)  ft: $(field ft) (features)"
echo "corpus:         $(field corp) (libFuzzer's, minimised; $(ls "$WORK/corpus" | wc -l) files in $WORK/corpus)"
echo "peak RSS:       $(stat peak_rss_mb) MB"

if [ "$status" -ne 0 ]; then
    echo
    echo "FUZZER FAILED (exit $status). Last lines of $log:" >&2
    grep -E "INVARIANT|ERROR|SUMMARY|Fatal error|Test unit written|==[0-9]+==" "$log" | head -n 20 >&2
    find "$WORK/artifacts" -type f -newer "$WORK/.run-start" | while read -r input; do
        echo "crashing input: $input  (replay: swift run http-parser-fuzz $input)" >&2
    done
    exit 1
fi

if [ "${FUZZ_REPLAY:-1}" = 1 ]; then
    echo
    echo "Replaying the corpus in a bounds-checked debug build"
    swift build --product http-parser-fuzz 2>&1 | tail -n 1
    SWIFT_BACKTRACE=enable=no "$(swift build --show-bin-path)/http-parser-fuzz" "$WORK/corpus" 2>"$WORK/replay.log" \
        || { tail -n 20 "$WORK/replay.log" >&2; echo "REPLAY FAILED: see $WORK/replay.log" >&2; exit 1; }
fi
