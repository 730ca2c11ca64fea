#!/usr/bin/env bash
# install-test-packages.sh -- the Debian packages some tests drive:
#   chromium  the dashboard's end-to-end tests (Playwright launches /usr/bin/chromium
#             by path and never downloads a browser)
#   tmux      the test that runs `furu tui` in a real terminal
# Idempotent: installs only what is missing. Must run as root (apt-get).
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
chromium --version
tmux -V
