"""YouTube ids and clip ids."""

from __future__ import annotations

import re

_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")


def is_youtube_id(value: str) -> bool:
    """YouTube ids are 11 characters of A-Z a-z 0-9 _ -. Many start with "-": such an id must
    never be placed where a program could read it as an option."""
    return bool(_YOUTUBE_ID.fullmatch(value))


def clip_id(youtube_id: str, start_s: int) -> str:
    """`{youtube_id}_{start_seconds:06d}`: VGGSound has several clips per YouTube id."""
    return f"{youtube_id}_{int(start_s):06d}"

