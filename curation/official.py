"""Readers for the official OV-AVEBench release files, and its media layout
(<root>/<split>/audio/<class>/<id>.wav and <root>/<split>/video/<class>/<id>/, ten images).

Traps handled here (see ../shared/data/README.md): class lists end with the background text
"other", which is not a class; some files use CRLF and lack a final newline; YouTube ids may
start with "-"; labels in the annotation JSON are strings holding a list of ten 0/1 values.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ovavel import BACKGROUND_TEXT, SEGMENTS_PER_CLIP
from ovavel.names import check_class_name, check_clip_id, is_clip_id
from ovavel.catalog import GROUPS, ClassCatalog, EventClass
from ovavel.errors import InputError, OvavelError
from ovavel.formats import read_split
from ovavel.tables import read_csv, read_text

"""The official candidate text that stands for background."""

# Rows of ovave_categories.csv per group, in order: 17 human activity, 15 animal, 17 music,
# 9 vehicle, 9 other (../shared/data/README.md).
GROUP_SIZES = [17, 15, 17, 9, 9]


def read_class_names(path: str | os.PathLike) -> list[str]:
    """An official class list (one name a line), without the background text "other"."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", path=path)
    names = [line.strip() for line in read_text(path).splitlines()]
    return [n for n in names if n and n != BACKGROUND_TEXT]


def build_catalog(categories: str | os.PathLike, seen_categories: str | os.PathLike,
                  vggsound_labels: set[str]) -> ClassCatalog:
    """The 67-class catalog from ovave_categories.csv (order gives the group),
    ovave_train_close_categories.csv (the seen classes) and the set of VGGSound labels.

    An OV name is either an exact VGGSound label or the part of one before its first comma.
    """
    names = read_class_names(categories)
    if len(names) != sum(GROUP_SIZES):
        raise InputError(f"expected {sum(GROUP_SIZES)} class names, but got {len(names)}", path=categories)
    seen = set(read_class_names(seen_categories))
    unknown_seen = seen - set(names)
    if unknown_seen:
        raise InputError(f"seen classes not in the category list: {sorted(unknown_seen)}", path=seen_categories)
    groups = [g for g, size in zip(GROUPS, GROUP_SIZES) for _ in range(size)]
    by_head: dict[str, list[str]] = {}
    for label in vggsound_labels:
        by_head.setdefault(label.split(",")[0].strip(), []).append(label)
    classes = []
    for name, group in zip(names, groups):
        if name in vggsound_labels:
            label = name
        else:
            candidates = by_head.get(name, [])
            if len(candidates) != 1:
                raise InputError(
                    f"class {name!r}: expected exactly one VGGSound label equal to it or starting "
                    f"with it before a comma, but got {candidates}", path=categories)
            label = candidates[0]
        classes.append(EventClass(name, label, group, "seen" if name in seen else "unseen"))
    return ClassCatalog(classes, source=str(categories))


@dataclass(frozen=True)
class MetaRow:
    split: str  # train | val | test
    class_name: str
    split_type: str  # seen | unseen
    youtube_id: str


def read_meta(path: str | os.PathLike) -> list[MetaRow]:
    """ovave_dataset_meta.csv (or a trainratio variant): `split,cls_name,cls_type,vid_name`,
    cls_type close = seen, open = unseen."""
    rows = read_csv(path, required=["split", "cls_name", "cls_type", "vid_name"])
    out = []
    kinds = {"close": "seen", "open": "unseen"}
    for line, r in enumerate(rows, start=2):
        if r["split"] not in ("train", "val", "test"):
            raise InputError(f"split must be train, val or test, but got {r['split']!r}", path=path, line=line)
        if r["cls_type"] not in kinds:
            raise InputError(f"cls_type must be close or open, but got {r['cls_type']!r}", path=path, line=line)
        check_clip_id(r["vid_name"], path=path, line=line, what="vid_name")
        check_class_name(r["cls_name"], path=path, line=line)
        out.append(MetaRow(r["split"], r["cls_name"], kinds[r["cls_type"]], r["vid_name"]))
    return out


def read_annotations(path: str | os.PathLike) -> dict[str, tuple[str, str]]:
    """released_ovavel_dataset_anno.json -> {youtube_id: (class name, "0111000000")}."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", path=path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise InputError(f"not valid JSON ({e.msg} at line {e.lineno})", path=path) from None
    if not isinstance(data, dict):
        raise InputError(f"expected a JSON object {{youtube_id: {{...}}}}, but got {type(data).__name__}", path=path)
    out = {}
    for vid, entry in data.items():
        check_clip_id(vid, path=path, what="video id")
        try:
            category = entry["category"]
            values = json.loads(entry["label"]) if isinstance(entry["label"], str) else entry["label"]
        except (KeyError, TypeError, json.JSONDecodeError):
            raise InputError(f"video {vid!r}: expected {{'category': name, 'label': '[0, 1, ...]'}}, "
                             f"but got {entry!r}", path=path) from None
        if len(values) != SEGMENTS_PER_CLIP or any(v not in (0, 1) for v in values):
            raise InputError(f"video {vid!r}: expected ten 0/1 values, but got {values!r}", path=path)
        out[vid] = (category, "".join(str(v) for v in values))
    return out


IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}


@dataclass(frozen=True)
class ClipInput:
    clip_id: str
    audio: Path
    images: tuple[Path, ...]


def from_official_root(root: str | os.PathLike, split: str | None = None) -> tuple[list[ClipInput], list[str]]:
    """Inputs keyed by YouTube id from the official release layout."""
    root = Path(root)
    if not root.is_dir():
        raise OvavelError(f"--official-root: {root} is not a folder")
    found: dict[str, ClipInput] = {}
    problems: list[str] = []
    for audio in sorted(root.glob("*/audio/*/*.wav")):
        split_name, cls, vid = audio.parts[-4], audio.parts[-2], audio.stem
        if not is_clip_id(vid):
            problems.append(vid)  # not an id (ovavel.names): never read, listed with the problems
            continue
        frames_dir = root / split_name / "video" / cls / vid
        images = sorted(p for p in frames_dir.glob("*") if p.suffix.lower() in IMAGE_SUFFIXES) if frames_dir.is_dir() else []
        if len(images) != SEGMENTS_PER_CLIP:
            problems.append(vid)
            continue
        found[vid] = ClipInput(vid, audio, tuple(images))
    ids, absent = restrict_to_split(list(found), split, f"videos under {root}")
    return [found[c] for c in ids], absent + [p for p in problems if split is None or p in set(absent)]


def restrict_to_split(available: list[str], split: str | None, what: str) -> tuple[list[str], list[str]]:
    """(ids to read, ids of the split that are not available)."""
    if split is None:
        return available, []
    wanted = [r.clip_id for r in read_split(split)]
    have = set(available)
    absent = [c for c in wanted if c not in have]
    if len(absent) == len(wanted) and wanted:
        raise OvavelError(f"none of the {len(wanted)} clips of {split} is among the {what}")
    return [c for c in wanted if c in have], absent
