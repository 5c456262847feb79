"""DIR/clips.csv: the manifest every later stage reads — index columns plus download status,
duration, quality flags and `usable`. Rebuilt from index.csv, the ledger, the quality results
and reject_list.txt, so it can always be regenerated from what is on disk."""

from __future__ import annotations

import os
from pathlib import Path

from ovavel.curation.ledger import Ledger
from ovavel.curation.vggsound_index import read_index
from ovavel.errors import InputError
from ovavel.formats import CLIP_COLUMNS, INDEX_COLUMNS, QUALITY_COLUMNS  # noqa: F401 (also read from here)
from ovavel.layout import DataDir
from ovavel.tables import read_csv, read_jsonl, read_text, write_csv


# Flags that make a clip unusable unless allowed (curate check --allow).
QUALITY_FLAGS = ["wrong_duration", "no_video_stream", "no_audio_stream", "silent_audio", "frozen_video", "unreadable",
                 "damaged_file"]


def read_reject_list(path: str | os.PathLike) -> set[str]:
    """Clip ids a person rejected, one a line ('#' comments and blank lines ignored)."""
    path = Path(path)
    if not path.exists():
        return set()
    ids = set()
    for line in read_text(path).splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            ids.add(line)
    return ids


def quality_path(data: DataDir) -> Path:
    return data.root / "quality.jsonl"


def read_quality(data: DataDir) -> dict[str, dict]:
    """The latest quality result per clip (written by `curate check`)."""
    out = {}
    for rec in read_jsonl(quality_path(data)):
        out[rec["clip_id"]] = rec
    return out


def build_manifest(data: DataDir, allow_flags: set[str] = frozenset()) -> list[dict[str, str]]:
    """Write DIR/clips.csv from what is on disk; returns its rows."""
    rows, _ = read_index(data.index)
    latest = Ledger(data.ledger).latest("download")
    quality = read_quality(data)
    rejected = read_reject_list(data.reject_list)
    out = []
    for r in rows:
        rec = r.as_row()
        e = latest.get(r.clip_id)
        rec.update(status=e.status if e else "pending", message=e.message if e else "",
                   duration=_fmt(e.duration) if e else "", size=str(e.size) if e and e.size else "",
                   sha256=(e.sha256 or "") if e else "", source=(e.source or "") if e else "",
                   frame_rate=(e.frame_rate or "") if e else "")
        rec.update({c: "" for c in QUALITY_COLUMNS})
        q = quality.get(r.clip_id)
        # Quality results describe one particular file: ignore them once the file changed.
        if q and e and q.get("sha256") == e.sha256:
            rec.update(has_video=_b(q["has_video"]), has_audio=_b(q["has_audio"]),
                       max_volume_db=_fmt(q.get("max_volume_db")), mean_volume_db=_fmt(q.get("mean_volume_db")),
                       frozen_s=_fmt(q.get("frozen_s")),
                       flags=";".join(q.get("flags", [])))
        is_rejected = r.clip_id in rejected
        rec["rejected"] = "1" if is_rejected else "0"
        blocking = [f for f in rec.get("flags", "").split(";") if f and f not in allow_flags]
        usable = rec["status"] == "ok" and not blocking and not is_rejected
        rec["usable"] = "1" if usable else "0"
        out.append(rec)
    write_csv(data.clips_csv, out, CLIP_COLUMNS)
    return out


def read_manifest(data: DataDir) -> list[dict[str, str]]:
    if not data.clips_csv.exists():
        raise InputError("no clips.csv; run `curate download --out DIR` first", path=data.clips_csv)
    return read_csv(data.clips_csv, required=["clip_id", "class", "status", "usable"])


def usable_clips(data: DataDir) -> list[dict[str, str]]:
    """The clips later stages may read: status ok, no blocking flag, not rejected."""
    return [r for r in read_manifest(data) if r["usable"] == "1"]


def _fmt(value) -> str:
    if value is None or value == "":
        return ""
    return f"{float(value):.3f}"


def _b(value) -> str:
    return "1" if value else "0"

