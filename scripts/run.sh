#!/usr/bin/env bash
# Starts the release build of the app from the repository root, so `.env`, Templates/
# and Public/ are found.
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./.build/release/entra-web "$@"
