"""`splits import-official`: the OV-AVEBench split and labels in this toolkit's formats.

The official release keys everything by YouTube id, so the clip id of an official video is its
YouTube id (DESIGN.md). VGGSound has several 10-s clips for some ids (3,909 of the 24,800 have
more than one start time for the same class): official_ids.csv maps each id to its VGGSound
clip id where that is unique and lists every candidate where it is not — never a silent guess.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

from ovavel.catalog import ClassCatalog, EventClass
from ovavel.curation.official import read_annotations, read_meta
from ovavel.curation.vggsound_index import filter_vggsound, is_index_csv, read_index
from ovavel.errors import InputError, OvavelError
from ovavel.formats import Label, SplitRow
from ovavel.splits.invariants import violations
from ovavel.splits.make import SplitResult, summary, write_split_dir
from ovavel.tables import write_csv

OFFICIAL_ID_COLUMNS = ["youtube_id", "class", "status", "vggsound_clip_ids"]


def ratio_meta_path(meta: str | os.PathLike, ratio: float) -> Path:
    """The official smaller training set beside the full meta file."""
    path = Path(meta).with_name(f"ovave_trainratio{ratio:g}_meta.csv")
    if not path.is_file():
        raise OvavelError(f"--train-ratio {ratio:g}: expected the official file {path.name} beside {meta}")
    return path


def import_official(meta: str | os.PathLike, anno: str | os.PathLike, catalog: ClassCatalog,
                    train_ratio: float | None = None) -> tuple[SplitResult, dict[str, Label]]:
    meta_path = ratio_meta_path(meta, train_ratio) if train_ratio is not None else Path(meta)
    rows = read_meta(meta_path)
    annotations = read_annotations(anno)
    parts: dict[str, list[SplitRow]] = {"train": [], "val": [], "test": []}
    labels: dict[str, Label] = {}
    kinds: dict[str, str] = {}
    for line, r in enumerate(rows, start=2):
        if r.class_name not in catalog:
            raise InputError(f"video {r.youtube_id!r}: class {r.class_name!r} is not in the class catalog",
                             path=meta_path, line=line)
        if r.youtube_id not in annotations:
            raise InputError(f"video {r.youtube_id!r} has no annotation in {anno}", path=meta_path, line=line)
        category, lab = annotations[r.youtube_id]
        if category != r.class_name:
            raise InputError(f"video {r.youtube_id!r}: class {r.class_name!r} here, {category!r} in {anno}",
                             path=meta_path, line=line)
        if r.youtube_id in labels:
            raise InputError(f"duplicate video {r.youtube_id!r}", path=meta_path, line=line)
        if kinds.setdefault(r.class_name, r.split_type) != r.split_type:
            raise InputError(f"class {r.class_name!r} is both seen and unseen", path=meta_path, line=line)
        parts[r.split].append(SplitRow(r.youtube_id, r.class_name, r.split_type))
        labels[r.youtube_id] = Label(r.class_name, lab)
    unseen = {c for c, k in kinds.items() if k == "unseen"}
    problems = violations(parts, unseen)
    if problems:
        raise OvavelError(f"the official split in {meta_path} breaks its constraints: " + "; ".join(problems[:5]))
    used = ClassCatalog([EventClass(c.name, c.vggsound_label, c.group, kinds.get(c.name, c.split)) for c in catalog],
                        source=catalog.source)
    result = SplitResult(parts, used, [c for c in catalog.names if c in unseen], summary(parts, unseen))
    result.report["source"] = {"meta": str(meta_path), "anno": str(anno)}
    return result, labels


def official_ids(labels: dict[str, Label], index: str | os.PathLike, catalog: ClassCatalog) -> list[dict[str, str]]:
    """One row per official video: its VGGSound clip id(s) of the same class in the index."""
    classes = [catalog.get(c) for c in sorted({l.cls for l in labels.values()})]
    rows = read_index(index, classes=classes)[0] if is_index_csv(index) else filter_vggsound(index, classes)[0]
    candidates: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in rows:
        candidates[(r.youtube_id, r.cls)].append(r.clip_id)
    out = []
    for vid, lab in labels.items():
        found = candidates.get((vid, lab.cls), [])
        status = "unique" if len(found) == 1 else "ambiguous" if found else "missing"
        out.append({"youtube_id": vid, "class": lab.cls, "status": status, "vggsound_clip_ids": ";".join(found)})
    return out


def write_official(result: SplitResult, labels: dict[str, Label], ids: list[dict[str, str]] | None,
                   out: str | os.PathLike, force: bool = False) -> Path:
    out = write_split_dir(result, labels, out, force)
    if ids is not None:
        write_csv(out / "official_ids.csv", ids, OFFICIAL_ID_COLUMNS)
    return out
