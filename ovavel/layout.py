"""Paths inside one benchmark data folder DIR (DESIGN.md), shared by every stage: curation writes
the clips and segments, annotation, splits and the models read them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ovavel import SEGMENTS_PER_CLIP
from ovavel.names import check_clip_id, clip_path

AUDIO_FILE = "audio.wav"  # 16 kHz mono, the whole clip, in DIR/segments/{clip_id}/


def frame_file(k: int) -> str:
    """The middle frame of second k (t = k + 0.5 s) in DIR/segments/{clip_id}/."""
    return f"frame_{k}.jpg"


SEGMENT_FILES = [frame_file(k) for k in range(SEGMENTS_PER_CLIP)] + [AUDIO_FILE]


@dataclass(frozen=True)
class DataDir:
    root: Path

    @classmethod
    def at(cls, path: str | os.PathLike) -> "DataDir":
        return cls(Path(path))

    @property
    def index(self) -> Path:
        return self.root / "index.csv"

    @property
    def clips_dir(self) -> Path:
        return self.root / "clips"

    @property
    def clips_csv(self) -> Path:
        return self.root / "clips.csv"

    @property
    def ledger(self) -> Path:
        return self.root / "ledger.jsonl"

    @property
    def rejects(self) -> Path:
        return self.root / "rejects.csv"

    @property
    def reject_list(self) -> Path:
        return self.root / "reject_list.txt"

    @property
    def segments_dir(self) -> Path:
        return self.root / "segments"

    @property
    def annotation_dir(self) -> Path:
        return self.root / "annotation"

    @property
    def work_dir(self) -> Path:
        """Scratch space of running downloads (dot-named: never mistaken for output)."""
        return self.root / ".work"

    def clip(self, clip_id: str) -> Path:
        """DIR/clips/{clip_id}.mp4; anything that is not a clip id (ovavel.names) is refused."""
        return clip_path(self.clips_dir, clip_id, ".mp4")

    def segments(self, clip_id: str) -> Path:
        return self.segments_dir / check_clip_id(clip_id)
