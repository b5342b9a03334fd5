#!/usr/bin/env bash
# Benchmarks the file session store: reads/s and writes/s with 10 and with 100,000 sessions on
# disk, the sweep over 100,000 files, and what sealing sessions at rest costs per request:
# the same bench built from a base revision (default `main`, before sealing; BASE=<ref> to
# change it) runs first, then this tree's, and a last table sets their costs side by side.
# Extra arguments go to both session-bench runs, e.g.
#   bench/sessions.sh --seconds 1 --rounds 10 --counts 10,100000
# The directory (a fresh one under /var/tmp, i.e. on a real disk rather than tmpfs) should be
# on the file system the sessions will live on: writes are bound by its fsync. SKIP_BASE=1
# runs this tree's bench alone.
set -euo pipefail
cd "$(dirname "$0")/.."

BASE=${BASE:-main}
if [ $# -eq 0 ]; then set -- --seconds 0.5 --rounds 6; fi

swift build -c release --product session-bench ${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"} >&2
bin="$(swift build -c release --show-bin-path ${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"})/session-bench"

dir="$(mktemp -d /var/tmp/session-bench.XXXXXX)"
trap 'rm -rf "$dir"' EXIT
echo "session-bench in $dir ($(df -T "$dir" | awk 'NR==2 {print $2}'), $(nproc) cores)"

if [ "${SKIP_BASE:-0}" = 1 ]; then
    "$bin" bench --dir "$dir/run" "$@"
    exit 0
fi

# The base revision's bench, built from its own sources (kept under .build so a second run
# does not rebuild it).
mkdir -p "$dir/base-src"
git archive "$BASE" | tar -x -C "$dir/base-src"
base_scratch="$PWD/.build/session-bench-base"
echo "Building session-bench of $BASE ($(git rev-parse --short "$BASE"))" >&2
swift build -c release --product session-bench --package-path "$dir/base-src" --scratch-path "$base_scratch" >&2
base_bin="$(swift build -c release --show-bin-path --package-path "$dir/base-src" --scratch-path "$base_scratch")/session-bench"

echo
echo "## $BASE ($(git rev-parse --short "$BASE")): before sealing"
"$base_bin" bench --dir "$dir/base" "$@" | tee "$dir/base.txt"
echo
echo "## this tree ($(git rev-parse --short HEAD)$(git diff --quiet || echo ', with local changes')): sealed"
"$bin" bench --dir "$dir/sealed" "$@" | tee "$dir/sealed.txt"

# Columns of a workload's row in the first table: label | reads/s | CPU µs/read | writes/s | CPU µs/write.
field() { # file, row label, column (2-5); rates lose their "(best)" part
    awk -F'|' -v label="$2" -v col="$(($3 + 1))" '$2 ~ "^ " label " $" { split($col, v, " "); print v[1]; exit }' "$1"
}
row() { # title, row label, column, per-rate?
    local before after
    before=$(field "$dir/base.txt" "$2" "$3")
    after=$(field "$dir/sealed.txt" "$2" "$3")
    if [ "$4" = rate ]; then # µs of wall-clock time per operation
        before=$(python3 -c "print(f'{1e6 / $before:.1f}')")
        after=$(python3 -c "print(f'{1e6 / $after:.1f}')")
    fi
    printf '| %s | %s | %s | %s |\n' "$1" "$before" "$after" "$(python3 -c "print(f'{$after / $before:.2f}x')")"
}
small=$(awk -F'|' '$2 ~ /requests over all/ { sub(/^ /, "", $2); sub(/ $/, "", $2); print $2; exit }' "$dir/sealed.txt")
large=$(awk -F'|' '$2 ~ /requests over all/ { sub(/^ /, "", $2); sub(/ $/, "", $2); l = $2 } END { print l }' "$dir/sealed.txt")
echo
echo "What sealing costs per request (medians of the rounds above; CPU: the measuring thread's)"
echo
echo "| per operation | $BASE, µs | sealed, µs | sealed / $BASE |"
echo "|:--------------|----------:|-----------:|---------------:|"
row "load, CPU (${small}: decoded before)" "$small" 3 cpu
row "load, CPU (${large}: mostly read afresh)" "$large" 3 cpu
row "update, CPU (${small})" "$small" 5 cpu
row "load, wall (${small})" "$small" 2 rate
echo
echo "(Writes' wall-clock time is the disk's fsync and varies from run to run far more than sealing costs; see the tables above.)"
