#!/usr/bin/env bash
# Make sure ffmpeg and ffprobe are on PATH: install Debian's ffmpeg with apt-get when run as root,
# otherwise say what to do.
set -euo pipefail
if command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ffmpeg with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq ffmpeg >/dev/null
  exit 0
fi
echo "ffmpeg/ffprobe not found. Install FFmpeg first, e.g. 'sudo apt-get install ffmpeg' (Debian/Ubuntu)," >&2
echo "'brew install ffmpeg' (macOS) or 'conda install -c conda-forge ffmpeg', then rerun." >&2
exit 1
