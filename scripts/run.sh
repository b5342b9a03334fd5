#!/usr/bin/env bash
# Starts the release build of the app from the repository root, so `.env`, Templates/
# and Public/ are found. `--dev-idp-fallback` lets the app itself decide, from the same
# .env and environment it runs with: without CLIENT_ID it serves the embedded development
# identity provider (so the whole sign-in can be tried with no tenant), unless REDIRECT_URI,
# TRUSTED_PROXIES or HOST look like production, in which case it stops naming the keys.
# ENTRA_WEB_BINARY picks another build (the tests use the debug one).
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${ENTRA_WEB_BINARY:-./.build/release/entra-web}" --dev-idp-fallback "$@"
