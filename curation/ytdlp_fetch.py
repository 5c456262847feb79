"""Fetching a source video with yt-dlp (Python API: no id or URL ever reaches a command line).

yt-dlp errors arrive as message text; `classify_error` turns them into the ledger's statuses.
"""

from __future__ import annotations

import re
from pathlib import Path

import yt_dlp
from yt_dlp.utils import DownloadError, download_range_func

# (pattern, status), first match wins: the bot check is rate limiting, not a sign-in problem.
_ERROR_PATTERNS = [
    (r"HTTP Error 429|Too Many Requests|rate.?limit", "rate_limited"),
    (r"not a bot", "rate_limited"),
    (r"[Pp]rivate video|video is private", "private"),
    (r"removed by the uploader|has been removed|account associated with this video has been terminated"
     r"|violating YouTube's|copyright claim", "removed"),
    (r"not available in your country|geo.?restrict|blocked it in your country|from your location", "geo_blocked"),
    (r"[Ss]ign in to confirm your age|age.?restricted|[Ss]ign in|members.?only|[Ll]ogin required", "sign_in_required"),
    (r"HTTP Error 403|Forbidden", "forbidden"),
    (r"HTTP Error 404|HTTP Error 410|[Vv]ideo unavailable|is not available|does not exist|Unsupported URL"
     r"|Incomplete YouTube ID", "unavailable"),
    (r"HTTP Error 5\d\d|timed out|[Cc]onnection (refused|reset|aborted)|Temporary failure|"
     r"Network is unreachable|Remote end closed|IncompleteRead|getaddrinfo|Name or service not known", "network_error"),
]
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

# Statuses that say something about the source itself: no point in trying another way.
SOURCE_STATUSES = {"unavailable", "private", "removed", "geo_blocked", "sign_in_required", "forbidden",
                   "rate_limited", "network_error"}


class FetchFailed(Exception):
    def __init__(self, status: str, message: str):
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


def classify_error(message: str) -> str:
    for pattern, status in _ERROR_PATTERNS:
        if re.search(pattern, message):
            return status
    return "error"


def clean_message(message: str) -> str:
    text = _ANSI.sub("", message).replace("ERROR: ", "").strip()
    return text.splitlines()[0][:500] if text else ""


class _QuietLogger:
    """Keeps yt-dlp from printing over the progress bar; errors come back in the exception."""

    def debug(self, msg: str) -> None:
        pass

    info = warning = debug

    def error(self, msg: str) -> None:
        pass


def fetch(url: str, stem: Path, *, section: tuple[float, float] | None, fmt: str,
          cookies: str | None = None, socket_timeout: float = 30.0) -> Path:
    """Download `url` to `stem`.<ext>; with `section` only that time range (through ffmpeg, where
    the source allows seeking). Returns the file. Raises FetchFailed with a ledger status."""
    opts = {
        "outtmpl": str(stem) + ".%(ext)s",
        "format": fmt,
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "noplaylist": True,
        "overwrites": True,
        "continuedl": False,
        "retries": 1,
        "fragment_retries": 1,
        "socket_timeout": socket_timeout,
        "logger": _QuietLogger(),
    }
    if cookies:
        opts["cookiefile"] = cookies
    if section is not None:
        opts["download_ranges"] = download_range_func(None, [section])
    try:
        with yt_dlp.YoutubeDL(opts) as ydl:
            ydl.download([url])
    except DownloadError as e:
        message = clean_message(str(e))
        raise FetchFailed(classify_error(message), message) from None
    files = [p for p in stem.parent.glob(stem.name + ".*")
             if not p.name.endswith((".part", ".ytdl", ".temp")) and p.stat().st_size > 0]
    if not files:
        raise FetchFailed("invalid_media", "yt-dlp reported success but wrote no file")
    return max(files, key=lambda p: p.stat().st_size)
