#!/usr/bin/env bash
# What the dashboard's browser tests (tests/e2e/browser) need besides .venv: Debian's Chromium.
# Playwright, which drives it, comes with the dev extra (./scripts/bootstrap.sh); it is pointed at
# /usr/bin/chromium and never downloads a browser of its own (no `playwright install`).
# Idempotent: does nothing when Chromium is there. Env: XGET_CHROMIUM (default /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
CHROMIUM=${XGET_CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$CHROMIUM" ]; then
  echo "browser: installing Debian's chromium"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine's package lists may be stale or empty: update once when the first try fails.
  if ! $SUDO apt-get install -y -q chromium >/dev/null; then
    $SUDO apt-get update -q >/dev/null
    $SUDO apt-get install -y -q chromium >/dev/null
  fi
fi
# (Debian's wrapper script prints a harmless shell warning on stderr here.)
echo "browser: $("$CHROMIUM" --version 2>/dev/null | head -n1)"
if [ -x .venv/bin/python ] && ! .venv/bin/python -c 'import playwright' 2>/dev/null; then
  echo "browser: playwright is missing from .venv; run ./scripts/bootstrap.sh" >&2
  exit 1
fi
