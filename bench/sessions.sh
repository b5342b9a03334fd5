#!/usr/bin/env bash
# Benchmarks the file session store: reads/s and writes/s with 10 and with 100,000 sessions on
# disk, and the sweep over 100,000 files. Extra arguments go to session-bench, e.g.
#   bench/sessions.sh --seconds 5 --rounds 5 --dir /var/lib/app/bench
# The directory (default: a fresh one under /var/tmp, i.e. on a real disk rather than tmpfs)
# should be on the file system the sessions will live on: writes are bound by its fsync.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build -c release --product session-bench ${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"}
bin="$(swift build -c release --show-bin-path ${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"})/session-bench"

dir="$(mktemp -d /var/tmp/session-bench.XXXXXX)"
trap 'rm -rf "$dir"' EXIT
echo "session-bench in $dir ($(df -T "$dir" | awk 'NR==2 {print $2}'), $(nproc) cores)"
"$bin" bench --dir "$dir/run" "$@"
