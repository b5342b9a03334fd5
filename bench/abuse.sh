#!/usr/bin/env bash
# The hostile clients of issue 12, each against a fresh release build of entra-web (with
# the development provider), and a table of what they cost the server: RSS growth, answers
# a legitimate client got meanwhile, session files left behind. bench/abuse.py holds the
# clients; see its header for each scenario.
#
# Usage: bench/abuse.sh
#        BASELINE=/path/to/a/checkout bench/abuse.sh   also builds that checkout (e.g. main:
#            git archive main | tar -x -C /tmp/main) and fills the "before" column from it
#        PIPELINING_COUNTS="200 2000 8000"            non-reading client counts to try
#            (the baseline runs only the first: it grows by about 1 GB at 200)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

require_tools python3
PIPELINING_COUNTS=${PIPELINING_COUNTS:-200 2000 8000}
SCENARIOS="reset-bodies reset-plain login-flood trickle-1host trickle-40hosts crlf"

build_release_app
AFTER_BIN=$BIN
BEFORE_BIN=
if [ -n "${BASELINE:-}" ]; then
    echo "Building the baseline in $BASELINE" >&2
    BEFORE_BIN="$(cd "$BASELINE" && ./scripts/build-release.sh)"
fi

PUBLIC=$(bench_public_dir)
BEFORE=$(mktemp /tmp/entra-web-abuse-before.XXXXXX.jsonl)
AFTER=$(mktemp /tmp/entra-web-abuse-after.XXXXXX.jsonl)
trap 'rm -rf "$PUBLIC" "$BEFORE" "$AFTER"' EXIT

# One scenario against one binary, its JSON appended to a results file.
scenario() {
    local bin=$1 out=$2 name=$3 count=${4:-}
    echo "  $name $count" >&2
    python3 bench/abuse.py "$bin" "$PUBLIC" "$name" $count >>"$out"
}

for side in before after; do
    if [ "$side" = before ]; then bin=$BEFORE_BIN out=$BEFORE; else bin=$AFTER_BIN out=$AFTER; fi
    [ -n "$bin" ] || continue
    echo "Running the scenarios against the $side build ($bin)" >&2
    for count in $PIPELINING_COUNTS; do
        scenario "$bin" "$out" pipelining "$count"
        # Never run the unbounded baseline past the first count: it would eat the machine.
        [ "$side" = before ] && break
    done
    for name in $SCENARIOS; do scenario "$bin" "$out" "$name"; done
done

echo
python3 bench/abuse.py table "$BEFORE" "$AFTER"
