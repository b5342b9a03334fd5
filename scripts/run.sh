#!/usr/bin/env bash
# Starts the release build of the app from the repository root, so `.env`, Templates/
# and Public/ are found. Without an Entra app configured (no CLIENT_ID in the environment
# or .env) it starts the embedded development identity provider, so the whole sign-in can
# be tried on a machine with no tenant.
set -euo pipefail
cd "$(dirname "$0")/.."

configured() {
    [ -n "${CLIENT_ID:-}" ] && return 0
    [ -f .env ] && grep -qE '^[[:space:]]*(export[[:space:]]+)?CLIENT_ID[[:space:]]*=[[:space:]]*[^[:space:]#]' .env
}

args=("$@")
if ! configured && [[ " ${args[*]-} " != *" --dev-idp "* ]]; then
    echo "No CLIENT_ID in .env: starting with the embedded development identity provider (demo users only)." >&2
    args=(--dev-idp "${args[@]+"${args[@]}"}")
fi
exec ./.build/release/entra-web "${args[@]+"${args[@]}"}"
