"""Label versions: corrections to the final labels as a new, named version beside them, never in
place (the maintainers of OV-AVEBench suggest reporting on both the original and a corrected set).

`annotate corrections --data DIR --from FILE --version NAME` reads FILE (`clip_id,labels,reason`,
optionally `class`) and writes DIR/annotation/versions/NAME/:
- labels.csv: every clip of the base labels (DIR/annotation/labels.csv, or `--base` version),
  the named ones corrected; provenance keeps its letter on unchanged seconds and says `c`
  (corrected) on changed ones;
- corrections.csv: clip_id, class before/after, labels before/after, changed seconds, reason;
- version.json: name, base, when, how many clips and seconds changed.
`ovavel labels diff A B` lists the clips and seconds that differ between two label files or
versions.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

from ovavel import SEGMENTS_PER_CLIP
from ovavel.errors import InputError, OvavelError
from ovavel.formats import check_labels, read_labels
from ovavel.layout import DataDir
from ovavel.names import check_clip_id, check_version_name, is_version_name, version_dir
from ovavel.tables import atomic_write_text, read_csv, write_csv

CORRECTION_COLUMNS = ["clip_id", "class_before", "class_after", "labels_before", "labels_after", "seconds", "reason"]


def resolve_labels(ref: str, data: DataDir | None) -> Path:
    """A labels file given as a path, or a version name of the data folder."""
    if Path(ref).is_file():
        return Path(ref)
    if not is_version_name(ref):
        raise OvavelError(f"{ref}: no such labels file (and not a version name)")
    if data is None:
        raise OvavelError(f"{ref}: no such labels file (a version name needs --data DIR)")
    return data.labels_version(ref)


def changed_seconds(a: str, b: str) -> list[int]:
    return [k for k in range(SEGMENTS_PER_CLIP) if a[k] != b[k]]


def make_version(data_dir: str | os.PathLike, corrections: str | os.PathLike, name: str, base: str | None = None,
                 class_names: set[str] | None = None, force: bool = False) -> dict:
    data = DataDir.at(data_dir)
    out = version_dir(data.versions_dir, check_version_name(name, what="--labels-version / --version"))
    if base is not None:
        check_version_name(base, what="--base")
    if (out / "labels.csv").exists() and not force:
        raise OvavelError(f"labels version {name!r} exists ({out}); choose another name or pass --force")
    base_path = data.labels_version(base) if base else data.annotation_dir / "labels.csv"
    if not base_path.exists():
        raise OvavelError(f"{base_path}: no final labels to correct (run `annotate reconcile` first)")
    base_rows = {r["clip_id"]: r for r in read_csv(base_path, required=["clip_id", "class", "labels"])}
    fixes = []
    seen = set()
    for line, r in enumerate(read_csv(corrections, required=["clip_id", "labels", "reason"]), start=2):
        cid, labels, reason = r["clip_id"].strip(), r["labels"].strip(), r["reason"].strip()
        check_clip_id(cid, path=corrections, line=line)
        if cid not in base_rows:
            raise InputError(f"clip {cid!r} is not in {base_path}", path=corrections, line=line)
        if cid in seen:
            raise InputError(f"clip {cid!r} is corrected twice", path=corrections, line=line)
        check_labels(cid, labels, corrections, line)
        if not reason:
            raise InputError(f"clip {cid!r}: every correction needs a reason", path=corrections, line=line)
        cls = (r.get("class") or "").strip() or base_rows[cid]["class"]
        if class_names is not None and cls not in class_names:
            raise InputError(f"clip {cid!r}: unknown class {cls!r}", path=corrections, line=line)
        seen.add(cid)
        fixes.append((cid, cls, labels, reason))
    rows = {c: dict(r) for c, r in base_rows.items()}
    log = []
    for cid, cls, labels, reason in fixes:
        before = rows[cid]
        seconds = changed_seconds(before["labels"], labels)
        prov = before.get("provenance") or "a" * SEGMENTS_PER_CLIP
        if cls != before["class"]:
            seconds = list(range(SEGMENTS_PER_CLIP))  # another class changes every second's meaning
        prov = "".join("c" if k in seconds else prov[k] for k in range(SEGMENTS_PER_CLIP))
        log.append({"clip_id": cid, "class_before": before["class"], "class_after": cls,
                    "labels_before": before["labels"], "labels_after": labels,
                    "seconds": ",".join(map(str, seconds)), "reason": reason})
        rows[cid] = {"clip_id": cid, "class": cls, "labels": labels, "provenance": prov}
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "corrections.csv", log, CORRECTION_COLUMNS)
    write_csv(out / "labels.csv", [{"provenance": "", **r} for r in rows.values()],
              ["clip_id", "class", "labels", "provenance"])
    info = {"name": name, "base": base or "annotation/labels.csv", "created": datetime.now(timezone.utc).isoformat(
        timespec="seconds"), "clips": len(rows), "clips_changed": sum(1 for x in log if x["seconds"]),
        "seconds_changed": sum(len(x["seconds"].split(",")) for x in log if x["seconds"]),
        "source": str(corrections)}
    atomic_write_text(out / "version.json", json.dumps(info, indent=2) + "\n")
    return info


def list_versions(data: DataDir) -> list[dict]:
    """Every labels version of a data folder: its version.json (name, base, when, clips, changes)."""
    out = []
    for folder in sorted(p for p in data.versions_dir.glob("*") if (p / "labels.csv").exists()):
        info_path = folder / "version.json"
        info = json.loads(info_path.read_text()) if info_path.exists() else {}
        out.append({"name": folder.name, **{k: v for k, v in info.items() if k != "name"}})
    return out


def diff_labels(a: str | os.PathLike, b: str | os.PathLike) -> dict:
    """Clips whose class or seconds differ between two label files, and clips in one only."""
    la, lb = read_labels(a), read_labels(b)
    changed = []
    for cid, x in la.items():
        y = lb.get(cid)
        if y is None:
            continue
        seconds = list(range(SEGMENTS_PER_CLIP)) if x.cls != y.cls else changed_seconds(x.labels, y.labels)
        if seconds:
            changed.append({"clip_id": cid, "class_a": x.cls, "class_b": y.cls, "labels_a": x.labels,
                            "labels_b": y.labels, "seconds": seconds})
    return {"changed": changed, "only_a": [c for c in la if c not in lb], "only_b": [c for c in lb if c not in la]}
