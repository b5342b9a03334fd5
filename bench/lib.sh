# Shell functions shared by the benchmark and soak scripts (bench/http.sh, bench/soak.sh):
# building the release binary, picking a free loopback port, waiting for the server, and
# reading a process's memory and descriptors from /proc. Source it; it defines, runs nothing.

# Fails with an install hint unless every named tool is on PATH.
require_tools() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "$0 needs $tool (apt-get install wrk util-linux python3)" >&2; exit 1; }
    done
}

# Builds entra-web (or the named product) in release mode, the way `make run` does, and
# sets BIN to it.
build_release_app() {
    echo "Building: scripts/build-release.sh $*" >&2
    BIN="$(./scripts/build-release.sh "$@")"
}

# A temporary copy of Public/ with the benchmarks' 4 KB file (bench-4k.txt) added; prints
# its path. The caller removes it.
bench_public_dir() {
    local dir
    dir=$(mktemp -d /tmp/entra-web-bench-public.XXXXXX)
    cp -R Public/. "$dir/"
    python3 -c "import sys; sys.stdout.write('0123456789abcdef' * 256)" > "$dir/bench-4k.txt"
    echo "$dir"
}

# A TCP port free on 127.0.0.1 right now (the OS picks it).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits up to SECONDS (default 10) for 127.0.0.1:PORT to accept; fails with the log if
# PID exits first.
wait_for_port() {
    local port=$1 pid=$2 log=$3 seconds=${4:-10}
    for _ in $(seq 1 $((seconds * 10))); do
        if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then return 0; fi
        kill -0 "$pid" 2>/dev/null || { echo "server exited; log:" >&2; cat "$log" >&2; exit 1; }
        sleep 0.1
    done
    echo "server did not listen on port $port within $seconds s" >&2
    exit 1
}

# A /proc/PID/status field in kB (VmRSS, VmHWM, …).
rss_kb() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"; }

# Open file descriptors of PID.
fd_count() { ls "/proc/$1/fd" | wc -l; }

mb() { awk -v kb="$1" 'BEGIN { printf "%.1f MB", kb / 1024 }'; }

# wrk prints latency percentiles with units (us, ms, s); normalise to ms.
to_ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v = v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v = v * 1000 }; printf "%.2f", v }'; }
