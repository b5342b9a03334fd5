#!/usr/bin/env bash
# Regenerates scripts/link-order.txt, the list of functions scripts/build-release.sh asks
# the linker to place side by side: every function of the executable that ran while
# entra-web started, served its pages, static files and error pages, signed a user in and
# out through the development identity provider, and shut down, as valgrind's callgrind
# recorded it.
#
# Why: the kernel maps an executable's code 64 KB at a time around each page it touches,
# so the functions that run, scattered over the 78 MB binary (the Swift runtime and
# Foundation are linked in), kept about 4 MB more of it resident than they do side by side.
#
# Run it after upgrading the Swift toolchain or a package, or after large changes to the
# app. A stale list costs only memory, never correctness: the linker skips names it no
# longer finds and places new functions after the listed ones.
#
# Usage: scripts/update-link-order.sh   (installs valgrind with apt-get when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
APT=valgrind ./scripts/apt-install.sh
require_tools python3 nm valgrind

build_release_app
WORK=$(mktemp -d /tmp/entra-web-link-order.XXXXXX)
PID=
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(free_port)
HOST=127.0.0.1 PORT=$PORT SESSION_DIR="$WORK/sessions" LOG_LEVEL=warning \
    valgrind --tool=callgrind --demangle=no --callgrind-out-file="$WORK/phase" \
    "$BIN" --dev-idp >"$WORK/app.log" 2>&1 &
PID=$!
wait_for_port "$PORT" "$PID" "$WORK/app.log" 180  # everything runs ~50 times slower under valgrind

# Ends a phase: callgrind writes what ran since the last one to $WORK/phase.N. The phases
# are named where the list is written, below.
phases=0
end_phase() {
    phases=$((phases + 1))
    # valgrind names its control pipes after $HOST, which the app's environment sets.
    HOST=127.0.0.1 callgrind_control --dump "$PID" >/dev/null 2>&1
    for _ in $(seq 1 600); do [ -s "$WORK/phase.$phases" ] && return 0; sleep 0.1; done
    echo "callgrind wrote no $WORK/phase.$phases" >&2
    exit 1
}
end_phase

python3 - "$PORT" <<'PY'
import http.client, sys
port = int(sys.argv[1])
def send(path, method="GET", body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request(method, path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"} if body else {})
    conn.getresponse().read()
    conn.close()
for path in ["/", "/static/style.css", "/healthz", "/no-such-page", "/admin", "/graph", "/login"]:
    send(path)
send("/", "POST", "a=b")
PY
end_phase

python3 bench/signin.py "$PORT" once 2 "$WORK/cookies" >/dev/null
COOKIE="session=$(head -1 "$WORK/cookies")"
python3 - "$PORT" "$COOKIE" <<'PY'
import http.client, re, sys
port, cookie = int(sys.argv[1]), sys.argv[2]
page = ""
for path in ["/", "/graph", "/admin", "/logout"]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", path, headers={"Cookie": cookie})
    page = conn.getresponse().read().decode()
    conn.close()
# The Sign out button: a POST with the session's token (a GET only shows the button).
token = re.search(r'name="token" value="([^"]+)"', page).group(1)
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
conn.request("POST", "/logout", body="token=" + token,
             headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{port}"})
conn.getresponse().read()
conn.close()
PY
end_phase

kill -INT "$PID"  # a graceful shutdown, so its code is listed too; callgrind writes the last phase
wait "$PID" || true
PID=

# The list goes phase by phase, start-up first so that an idle server's code sits together,
# each function once, in the phase where it first ran. callgrind wrote the last phase, at
# exit, to $WORK/phase.
python3 - "$BIN" scripts/link-order.txt $(seq -f "$WORK/phase.%g" 1 "$phases") "$WORK/phase" <<'PY'
import collections, re, subprocess, sys
binary, output, *phases = sys.argv[1:]
nm = subprocess.run(["nm", "--defined-only", "--format=just-symbols", binary], capture_output=True, text=True, check=True)
copies = collections.Counter(nm.stdout.split("\n"))
# A name defined once. Local helpers (value witnesses, merged thunks) have a copy in many
# object files, and naming one would move every file that has a copy, hundreds of KB of
# unrelated code, in among the functions that run.
defined = {name for name, count in copies.items() if count == 1}
labels = ["start-up", "anonymous pages", "a sign-in and signed-in pages", "shutdown"]
listed, order = set(), []
for label, phase in zip(labels, phases, strict=True):
    names, ran = {}, set()
    for line in open(phase, errors="replace"):
        # "fn=(id) name" names a function that ran, "cfn=(id) name" one it called; either
        # may be the first to spell out the name, later lines give only the id.
        m = re.match(r"(c?)fn=\((\d+)\)(?: (.+))?", line)
        if m:
            callee, id, name = m.groups()
            if name:
                names[id] = re.sub(r"'\d+$", "", name.strip())  # callgrind marks recursion as name'N
            if not callee:
                ran.add(names[id])
    new = sorted((ran & defined) - listed)
    listed.update(new)
    order += [f"# {label}: {len(new)} functions"] + new
with open(output, "w") as f:
    f.write("# Generated by scripts/update-link-order.sh; read by scripts/build-release.sh. Do not edit.\n")
    f.write("# The executable's functions, grouped by the phase in which they first ran.\n")
    f.write("\n".join(order) + "\n")
print(f"{output}: {len(listed)} functions", file=sys.stderr)
PY
