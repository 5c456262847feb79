"""Paths inside one benchmark data folder DIR (DESIGN.md), shared by every stage: curation writes
the clips and segments, annotation, splits and the models read them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ovavel import SEGMENTS_PER_CLIP
from ovavel.errors import OvavelError
from ovavel.formats import SPLIT_NAMES
from ovavel.names import check_clip_id, clip_path, version_dir

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

    @property
    def versions_dir(self) -> Path:
        """DIR/annotation/versions/: the labels versions (`ovavel labels correct`)."""
        return self.annotation_dir / "versions"

    def labels_version(self, name: str) -> Path:
        """DIR/annotation/versions/{name}/labels.csv, which must exist (the error lists the known ones)."""
        path = version_dir(self.versions_dir, name) / "labels.csv"
        if not path.exists():
            known = sorted(p.name for p in self.versions_dir.glob("*") if (p / "labels.csv").exists())
            raise OvavelError(f"no labels version {name!r} in {self.versions_dir} (known: {', '.join(known) or 'none'}; "
                              "make one with `ovavel labels correct`)")
        return path

    def clip(self, clip_id: str) -> Path:
        """DIR/clips/{clip_id}.mp4; anything that is not a clip id (ovavel.names) is refused."""
        return clip_path(self.clips_dir, clip_id, ".mp4")

    def segments(self, clip_id: str) -> Path:
        return self.segments_dir / check_clip_id(clip_id)


@dataclass(frozen=True)
class SplitDir:
    """A split folder, as `splits make` and `splits import-official` write it: train.csv, val.csv,
    test.csv (clip_id,class,split_type), labels.csv, classes.csv (the catalog the split used) and
    split_report.json."""

    root: Path

    @classmethod
    def at(cls, path: str | os.PathLike) -> "SplitDir":
        return cls(Path(path))

    def split(self, name: str) -> Path:
        """{root}/{train|val|test}.csv."""
        if name not in SPLIT_NAMES:
            raise OvavelError(f"expected a split name of {', '.join(SPLIT_NAMES)}, but got {name!r}")
        return self.root / f"{name}.csv"

    def present(self) -> list[str]:
        """The split names whose file exists, in train, val, test order."""
        return [n for n in SPLIT_NAMES if self.split(n).exists()]

    @property
    def labels(self) -> Path:
        return self.root / "labels.csv"

    @property
    def classes(self) -> Path:
        return self.root / "classes.csv"

    @property
    def report(self) -> Path:
        return self.root / "split_report.json"

    def catalog_path(self) -> Path:
        """classes.csv where the folder has one, else the bundled catalog's file."""
        from ovavel.catalog import bundled_catalog_path

        return self.classes if self.classes.exists() else bundled_catalog_path()

    def catalog(self):
        from ovavel.catalog import ClassCatalog

        return ClassCatalog.read(self.catalog_path())
