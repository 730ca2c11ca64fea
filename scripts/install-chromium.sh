#!/usr/bin/env bash
# install-chromium.sh -- Debian's Chromium, which the dashboard's end-to-end tests
# drive with Playwright (launched by path: /usr/bin/chromium; Playwright never
# downloads a browser). Idempotent: returns at once if it is installed.
#
# Must run as root (apt-get).
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
chromium --version
