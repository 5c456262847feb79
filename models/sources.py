"""Where the segments of a feature extraction come from: a data folder of this toolkit
(DIR/segments/{clip_id}/ of its usable clips) or the official OV-AVEBench release layout
(<root>/<split>/audio/<class>/<id>.wav and <root>/<split>/video/<class>/<id>/, 10 images)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ovavel import SEGMENTS_PER_CLIP
from ovavel.curation.manifest import usable_clips
from ovavel.curation.segments import is_complete
from ovavel.errors import OvavelError
from ovavel.formats import read_split
from ovavel.layout import AUDIO_FILE, DataDir, frame_file

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}


@dataclass(frozen=True)
class ClipInput:
    clip_id: str
    audio: Path
    images: tuple[Path, ...]


def from_data_dir(data_dir: str | os.PathLike, split: str | None = None) -> tuple[list[ClipInput], list[str]]:
    """(inputs, ids without complete segments) for the usable clips (of the split, in its order)."""
    data = DataDir.at(data_dir)
    usable = [r["clip_id"] for r in usable_clips(data)]
    ids, missing = _restrict(usable, split, f"usable clips of {data.clips_csv}")
    inputs = []
    for cid in ids:
        seg = data.segments(cid)
        if not is_complete(seg):
            missing.append(cid)
            continue
        inputs.append(ClipInput(cid, seg / AUDIO_FILE, tuple(seg / frame_file(k) for k in range(SEGMENTS_PER_CLIP))))
    return inputs, missing


def from_official_root(root: str | os.PathLike, split: str | None = None) -> tuple[list[ClipInput], list[str]]:
    """Inputs keyed by YouTube id from the official release layout."""
    root = Path(root)
    if not root.is_dir():
        raise OvavelError(f"--official-root: {root} is not a folder")
    found: dict[str, ClipInput] = {}
    problems: list[str] = []
    for audio in sorted(root.glob("*/audio/*/*.wav")):
        split_name, cls, vid = audio.parts[-4], audio.parts[-2], audio.stem
        frames_dir = root / split_name / "video" / cls / vid
        images = sorted(p for p in frames_dir.glob("*") if p.suffix.lower() in IMAGE_SUFFIXES) if frames_dir.is_dir() else []
        if len(images) != SEGMENTS_PER_CLIP:
            problems.append(vid)
            continue
        found[vid] = ClipInput(vid, audio, tuple(images))
    ids, absent = _restrict(list(found), split, f"videos under {root}")
    return [found[c] for c in ids], absent + [p for p in problems if split is None or p in set(absent)]


def _restrict(available: list[str], split: str | None, what: str) -> tuple[list[str], list[str]]:
    """(ids to read, ids of the split that are not available)."""
    if split is None:
        return available, []
    wanted = [r.clip_id for r in read_split(split)]
    have = set(available)
    absent = [c for c in wanted if c not in have]
    if len(absent) == len(wanted) and wanted:
        raise OvavelError(f"none of the {len(wanted)} clips of {split} is among the {what}")
    return [c for c in wanted if c in have], absent
