"""`splits export-release`: a benchmark built with this toolkit, written in the OV-AVEBench release
format (meta csv, annotation json, class lists, media layout), so the official code can read it.

Media layout (DEPENDENCIES.md): <root>/<split>/audio/<class>/<id>.wav and
<root>/<split>/video/<class>/<id>/ holding the ten frames, sorted by name. Files are hard-linked
where the disk allows, else copied. A clip without segments is listed in missing_media.csv.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from ovavel import BACKGROUND_TEXT
from ovavel.catalog import ClassCatalog
from ovavel.curation.segments import is_complete
from ovavel.errors import OvavelError
from ovavel.formats import SPLIT_NAMES, read_labels, read_split
from ovavel.names import class_dir, clip_path
from ovavel.layout import AUDIO_FILE, SEGMENT_FILES, DataDir, SplitDir
from ovavel.tables import atomic_write_text, write_csv



def export_release(split_dir: str | os.PathLike, data_dir: str | os.PathLike | None, out: str | os.PathLike,
                   force: bool = False) -> dict[str, int]:
    split_dir, out = Path(split_dir), Path(out)
    if (out / "ovave_dataset_meta.csv").exists() and not force:
        raise OvavelError(f"{out} already holds a release; pass --force to overwrite it")
    folder = SplitDir.at(split_dir)
    catalog = ClassCatalog.read(folder.classes)
    labels_path = folder.labels
    if not labels_path.exists() and data_dir is not None:
        labels_path = DataDir.at(data_dir).annotation_dir / "labels.csv"
    labels = read_labels(labels_path)
    parts = {name: read_split(folder.split(name)) for name in SPLIT_NAMES}
    out.mkdir(parents=True, exist_ok=True)
    meta, anno, missing = [], {}, []
    counts = {"videos": 0, "media": 0, "missing_media": 0}
    data = DataDir.at(data_dir) if data_dir is not None else None
    for split, rows in parts.items():
        for r in rows:
            if r.clip_id not in labels:
                raise OvavelError(f"clip {r.clip_id!r} of {split}.csv has no labels in {labels_path}")
            meta.append({"split": split, "cls_name": r.cls, "cls_type": "close" if r.split_type == "seen" else "open",
                         "vid_name": r.clip_id})
            anno[r.clip_id] = {"category": r.cls, "label": str([int(b) for b in labels[r.clip_id].labels])}
            counts["videos"] += 1
            if data is None:
                continue
            if _export_media(data, r.clip_id, out / split, r.cls):
                counts["media"] += 1
            else:
                missing.append({"split": split, "clip_id": r.clip_id, "class": r.cls})
    write_csv(out / "ovave_dataset_meta.csv", meta, ["split", "cls_name", "cls_type", "vid_name"])
    atomic_write_text(out / "released_ovavel_dataset_anno.json", json.dumps(anno, indent=4) + "\n")
    # The official class lists: LF without a final newline; CRLF ending in the background text.
    atomic_write_text(out / "ovave_categories.csv", "\n".join(catalog.names))
    atomic_write_text(out / "ovave_train_close_categories.csv", "\r\n".join(catalog.by_split("seen") + [BACKGROUND_TEXT]))
    atomic_write_text(out / "ovave_total_close_open_categories.csv", "\r\n".join(catalog.names + [BACKGROUND_TEXT]))
    if missing:
        write_csv(out / "missing_media.csv", missing, ["split", "clip_id", "class"])
    counts["missing_media"] = len(missing)
    return counts


def _export_media(data: DataDir, clip_id: str, root: Path, cls: str) -> bool:
    seg = data.segments(clip_id)
    if not is_complete(seg):
        return False
    audio = clip_path(class_dir(root / "audio", cls), clip_id, ".wav")
    video = clip_path(class_dir(root / "video", cls), clip_id)
    audio.parent.mkdir(parents=True, exist_ok=True)
    video.mkdir(parents=True, exist_ok=True)
    _place(seg / AUDIO_FILE, audio)
    for name in SEGMENT_FILES[:-1]:
        _place(seg / name, video / name)
    return True


def _place(src: Path, dest: Path) -> None:
    if dest.exists():
        dest.unlink()
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)
