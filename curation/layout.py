"""Paths inside one benchmark data folder DIR (DESIGN.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


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
        return self.clips_dir / f"{clip_id}.mp4"

    def segments(self, clip_id: str) -> Path:
        return self.segments_dir / clip_id
