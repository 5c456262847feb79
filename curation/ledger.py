"""The download ledger: DIR/ledger.jsonl, one line per attempt, append-only.

A clip's current state is its last entry for a stage. Lines are fsynced as they are written, so a
run killed at any moment keeps every finished attempt; a torn last line is cut off on reopen.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ovavel.tables import append_jsonl, read_jsonl, repair_jsonl_tail

# Statuses after which a rerun does not try again unless asked (--retry-failed).
PERMANENT = {"unavailable", "private", "removed", "geo_blocked", "sign_in_required", "forbidden",
             "too_short", "no_audio", "no_video", "ffmpeg_error", "invalid_media", "error"}
# Statuses that a rerun tries again.
TRANSIENT = {"rate_limited", "network_error", "interrupted"}


@dataclass
class LedgerEntry:
    clip_id: str
    status: str
    stage: str = "download"
    message: str = ""
    attempts: int = 1
    time: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    elapsed_s: float = 0.0
    size: int | None = None
    mtime_ns: int | None = None  # the clip file's modification time when it was verified (the quick check)
    duration: float | None = None
    sha256: str | None = None
    frame_rate: str | None = None
    source: str | None = None  # "section" (only the needed range) or "full" (whole video, trimmed here)
    youtube_id: str | None = None
    start_s: int | None = None
    cls: str | None = None

    def as_record(self) -> dict:
        d = {k: v for k, v in asdict(self).items() if v is not None}
        if "cls" in d:
            d["class"] = d.pop("cls")
        return d

    @classmethod
    def from_record(cls, rec: dict) -> "LedgerEntry":
        rec = dict(rec)
        if "class" in rec:
            rec["cls"] = rec.pop("class")
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in rec.items() if k in names})


class Ledger:
    """Append-only, thread-safe ledger of attempts."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        repair_jsonl_tail(self.path)
        self._lock = threading.Lock()

    def append(self, entry: LedgerEntry) -> None:
        with self._lock:
            append_jsonl(self.path, entry.as_record())

    def entries(self) -> list[LedgerEntry]:
        return [LedgerEntry.from_record(r) for r in read_jsonl(self.path)]

    def latest(self, stage: str = "download") -> dict[str, LedgerEntry]:
        """The last entry per clip id for a stage (entries are built for those alone)."""
        last: dict[str, dict] = {}
        for r in read_jsonl(self.path):
            if r.get("stage", "download") == stage:
                last[r["clip_id"]] = r
        return {cid: LedgerEntry.from_record(r) for cid, r in last.items()}
