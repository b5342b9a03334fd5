#!/usr/bin/env bash
# Builds the release binary of a product (default entra-web) and prints its path: the one
# build `make run`, the benchmarks and the soak test all use.
#
# The Swift runtime and Foundation are linked statically and with lld's packed relative
# relocations: no dynamic loading of a dozen Swift libraries, and the start-up relocation
# pass reads a few KB instead of 1.8 MB of relocation records (idle RSS 32 -> 24 MB).
#
# Two link options keep the pages the process touches few (idle RSS 24 -> 19 MB):
# - The functions listed in scripts/link-order.txt, those that ran in a profiled run
#   (scripts/update-link-order.sh regenerates it), are placed side by side, start-up code
#   first. The kernel maps code 64 KB at a time around each page touched, so scattered
#   over the 78 MB binary they kept about 4 MB resident.
# - --no-export-dynamic: the toolchain's static-stdlib options export all of the
#   executable's symbols, 4,000 entries the dynamic loader consults for every symbol it
#   binds in the shared libraries. Nothing looks them up: the Swift runtime finds its
#   metadata through linker sections, and this build has no tests linking the executable.
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
flags=(-c release --product "${1:-entra-web}" --static-swift-stdlib
       -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs
       -Xlinker --symbol-ordering-file="$PWD/scripts/link-order.txt" -Xlinker --no-warn-symbol-ordering
       -Xlinker --no-export-dynamic)
bin="$("$SWIFT" build "${flags[@]}" --show-bin-path)/${1:-entra-web}"
# SwiftPM does not know the linker reads the list: relink when it changed.
[ scripts/link-order.txt -nt "$bin" ] && rm -f "$bin"
"$SWIFT" build "${flags[@]}" >&2
echo "$bin"
