#!/usr/bin/env bash
# Headless Chromium for the browser tests (the annotation page, the results page): install
# Debian's chromium with apt-get when run as root; otherwise say what to do (the tests that need
# it are skipped with that reason).
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "chromium not found: the browser tests will be skipped. Install it (e.g. 'sudo apt-get install chromium')" >&2
echo "to run them." >&2
exit 0
