#!/usr/bin/env bash
# Builds the release binary of a product (default entra-web) and prints its path: the one
# build `make run`, the benchmarks and the soak test all use.
#
# The Swift runtime and Foundation are linked statically and with lld's packed relative
# relocations. Measured with bench/http.sh, that takes the idle server from about 32 MB
# to about 24 MB RSS: no dynamic loading of a dozen Swift libraries, and the start-up
# relocation pass reads a few KB instead of 1.8 MB of relocation records.
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
flags=(-c release --product "${1:-entra-web}" --static-swift-stdlib
       -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs)
"$SWIFT" build "${flags[@]}" >&2
echo "$("$SWIFT" build "${flags[@]}" --show-bin-path)/${1:-entra-web}"
