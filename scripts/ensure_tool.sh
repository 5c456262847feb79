#!/usr/bin/env bash
# ensure_tool.sh COMMAND PACKAGE required|optional
# Make sure COMMAND is on PATH: install Debian's PACKAGE with apt-get when run as root; otherwise
# say what to install. A missing required tool fails setup; a missing optional one only means
# the tests that need it are skipped (with that reason).
set -euo pipefail
cmd="$1" pkg="$2" need="$3"
if command -v "$cmd" >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing $pkg with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "$pkg" >/dev/null
  exit 0
fi
echo "$cmd not found: install it first (e.g. 'sudo apt-get install $pkg' on Debian/Ubuntu, 'brew install $pkg'" >&2
echo "on macOS), then rerun." >&2
[ "$need" = "optional" ] && echo "(optional: the tests that need $cmd are skipped without it)" >&2 && exit 0
exit 1
