"""The interchange formats every stage shares (DESIGN.md): the columns of index.csv and of the
manifest clips.csv, labels.csv, split files, predictions.csv and the metric columns of results.

labels.csv: `clip_id,class,labels` with labels ten 0/1 characters (round files and the final file
add columns, which readers ignore). Split files (train.csv, val.csv, test.csv):
`clip_id,class,split_type` with split_type seen or unseen, rows in a stable order.
Readers check shapes and name the file, line and clip id of any problem.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ovavel import BACKGROUND, SEGMENTS_PER_CLIP, UNASSIGNED
from ovavel.catalog import unknown_class_message
from ovavel.errors import InputError
from ovavel.names import check_clip_id
from ovavel.tables import read_csv, write_csv

INDEX_COLUMNS = ["clip_id", "youtube_id", "start_s", "class", "vggsound_label", "group", "vggsound_split"]
QUALITY_COLUMNS = ["has_video", "has_audio", "max_volume_db", "mean_volume_db", "frozen_s", "flags"]
CLIP_COLUMNS = INDEX_COLUMNS + ["status", "message", "duration", "frame_rate", "size", "sha256", "source"] + \
    QUALITY_COLUMNS + ["rejected", "usable"]  # DIR/clips.csv, the manifest (curation/manifest.py)
METRIC_KEYS = ("acc", "seg_f1", "event_f1", "avg")  # the figures of a summary, in the paper's column order
VIDEO_METRIC_KEYS = METRIC_KEYS[:3]  # a video's own figures in per_video.csv (Avg is a summary's)
LABEL_COLUMNS = ["clip_id", "class", "labels"]
SPLIT_COLUMNS = ["clip_id", "class", "split_type"]
SPLIT_NAMES = ("train", "val", "test")


@dataclass(frozen=True)
class Label:
    cls: str
    labels: str  # ten 0/1 characters


def check_labels(cid: str, labels: str, path=None, line: int | None = None) -> str:
    """`labels` when it is ten 0/1 characters, else an InputError naming the clip, file and line."""
    if len(labels) != SEGMENTS_PER_CLIP or set(labels) - {"0", "1"}:
        raise InputError(f"clip {cid!r}: expected labels of ten 0/1 characters, but got {labels!r}", path=path,
                         line=line)
    return labels


def read_labels(path: str | os.PathLike, class_names: set[str] | None = None) -> dict[str, Label]:
    """labels.csv (`clip_id,class,labels`, extra columns ignored), in file order."""
    out: dict[str, Label] = {}
    for line, r in enumerate(read_csv(path, required=["clip_id", "class", "labels"]), start=2):
        cid, cls, labels = r["clip_id"].strip(), r["class"].strip(), r["labels"].strip()
        check_clip_id(cid, path=path, line=line)
        if cid in out:
            raise InputError(f"duplicate clip id {cid!r}", path=path, line=line)
        check_labels(cid, labels, path, line)
        if class_names is not None and cls not in class_names:
            raise InputError(f"clip {cid!r}: {unknown_class_message(cls, sorted(class_names))}", path=path, line=line)
        out[cid] = Label(cls, labels)
    return out


@dataclass(frozen=True)
class SplitRow:
    clip_id: str
    cls: str
    split_type: str


def read_split(path: str | os.PathLike) -> list[SplitRow]:
    """A split file (`clip_id,class,split_type`), in its order."""
    out, seen = [], set()
    for line, r in enumerate(read_csv(path, required=["clip_id", "class"]), start=2):
        cid = check_clip_id(r["clip_id"].strip(), path=path, line=line)
        if cid in seen:
            raise InputError(f"duplicate clip id {cid!r}", path=path, line=line)
        seen.add(cid)
        st = r.get("split_type", "").strip()
        if st and st not in ("seen", "unseen"):
            raise InputError(f"clip {cid!r}: split_type must be seen or unseen, but got {st!r}", path=path, line=line)
        out.append(SplitRow(cid, r["class"].strip(), st))
    return out


def write_labels(path: str | os.PathLike, labels: dict[str, Label]) -> None:
    write_csv(path, [{"clip_id": c, "class": l.cls, "labels": l.labels} for c, l in labels.items()], LABEL_COLUMNS)


def write_split(path: str | os.PathLike, rows: list[SplitRow]) -> None:
    write_csv(path, [{"clip_id": r.clip_id, "class": r.cls, "split_type": r.split_type} for r in rows], SPLIT_COLUMNS)


SEG_COLUMNS = [f"seg_{k}" for k in range(SEGMENTS_PER_CLIP)]
PREDICTION_COLUMNS = ["clip_id"] + SEG_COLUMNS


def write_predictions(path: str | os.PathLike, predictions: dict[str, list[str]]) -> None:
    """predictions.csv: `clip_id,seg_0,...,seg_9`, each a class name or `background`."""
    write_csv(path, [{"clip_id": c, **{f"seg_{k}": s for k, s in enumerate(segs)}} for c, segs in predictions.items()],
              PREDICTION_COLUMNS)




def read_predictions(path: str | os.PathLike, class_names: set[str]) -> dict[str, list[str]]:
    """predictions.csv (`clip_id,seg_0,...,seg_9`, each a class name, `background`, or `unassigned`
    for a second the released training-free rule leaves in no row)."""
    out: dict[str, list[str]] = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        header = f.readline()
    if "\t" in header and "," not in header:
        raise InputError("expected comma-separated columns clip_id,seg_0,...,seg_9, but the header is "
                         "tab-separated", path=path, line=1)
    rows = read_csv(path, required=["clip_id"])
    if rows:
        missing = [c for c in SEG_COLUMNS if c not in rows[0]]
        if missing:
            raise InputError(f"expected {SEGMENTS_PER_CLIP} segment columns seg_0..seg_9, but "
                             f"{', '.join(missing)} missing", path=path, line=1)
        extra = [c for c in rows[0] if c not in SEG_COLUMNS and c != "clip_id"]
        if extra:
            raise InputError(f"expected the columns clip_id,seg_0..seg_9 only, but got also {', '.join(extra)} "
                             f"(a clip has {SEGMENTS_PER_CLIP} seconds)", path=path, line=1)
    allowed = class_names | {BACKGROUND, UNASSIGNED}
    for line, r in enumerate(rows, start=2):
        cid = check_clip_id(r["clip_id"].strip(), path=path, line=line)
        if cid in out:
            raise InputError(f"duplicate clip id {cid!r}", path=path, line=line)
        segs = [r[c].strip() for c in SEG_COLUMNS]
        for s in segs:
            if s not in allowed:
                hint = (" (write background segments as 'background', not 'other')" if s == "other" else
                        " (each seg_k cell names what the model finds in second k: a class name, or 'background'; "
                        "0/1 labels belong in labels.csv)" if s in ("0", "1") else "")
                raise InputError(f"clip {cid!r}: {unknown_class_message(s, sorted(allowed))}{hint}",
                                 path=path, line=line)
        out[cid] = segs
    return out
