"""The VGGSound index: read the raw csv, keep the rows of the chosen classes, write index.csv.

Raw VGGSound csv: no header, CRLF, `youtube_id,start_seconds,label,split`, labels with commas
quoted. Our index.csv: `clip_id,youtube_id,start_s,class,vggsound_label,group,vggsound_split`.
Bad rows never stop a run: they become rejects with their line number and reason.
"""

from __future__ import annotations

import csv
import io
import os
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from ovavel.catalog import ClassCatalog, EventClass, unknown_class_message
from ovavel.curation.ids import clip_id as make_clip_id
from ovavel.curation.ids import is_youtube_id
from ovavel.formats import INDEX_COLUMNS
from ovavel.errors import InputError, OvavelError
from ovavel.tables import csv_header, read_csv, read_text, write_csv

MAX_START_S = 24 * 3600  # a bound on a clip's start (VGGSound's are minutes); keeps clip ids 6 digits
REJECT_COLUMNS = ["source", "line", "clip_id", "youtube_id", "start_s", "label", "reason"]
VGGSOUND_URL = "https://www.robots.ox.ac.uk/~vgg/data/vggsound/vggsound.csv"


@dataclass(frozen=True)
class IndexRow:
    clip_id: str
    youtube_id: str
    start_s: int
    cls: str
    vggsound_label: str
    group: str
    vggsound_split: str

    def as_row(self) -> dict[str, str]:
        # By hand, not dataclasses.asdict: a full index has 63,526 rows (asdict took 2 s of a rerun).
        return {"clip_id": self.clip_id, "youtube_id": self.youtube_id, "start_s": str(self.start_s),
                "class": self.cls, "vggsound_label": self.vggsound_label, "group": self.group,
                "vggsound_split": self.vggsound_split}

    @classmethod
    def from_row(cls, row: dict[str, str]) -> "IndexRow":
        return cls(row["clip_id"], row["youtube_id"], int(row["start_s"]), row["class"],
                   row.get("vggsound_label", ""), row.get("group", ""), row.get("vggsound_split", ""))


@dataclass(frozen=True)
class Reject:
    source: str
    line: int
    clip_id: str
    youtube_id: str
    start_s: str
    label: str
    reason: str


def is_index_csv(path: str | os.PathLike) -> bool:
    """An index.csv from `curate filter` (recognised by its header) rather than the raw
    VGGSound csv (which has no header)."""
    return csv_header(path)[:2] == INDEX_COLUMNS[:2]


def resolve_classes(names: list[str], catalog: ClassCatalog, index_labels: set[str] | None = None,
                    source: str = "--classes") -> list[EventClass]:
    """Map each requested name (OV name or exact VGGSound label) to a class.

    A name the catalog knows gets its group and split; an exact VGGSound label the catalog does
    not know becomes a class of that name with no group or split. An unknown name stops with the
    closest known names.
    """
    chosen: dict[str, EventClass] = {}
    for name in names:
        c = catalog.resolve(name)
        if c is None and index_labels is not None and name in index_labels:
            c = EventClass(name, name, "", "")
        if c is None:
            known = sorted(set(catalog.names) | set(index_labels or ()))
            raise OvavelError(unknown_class_message(name, known, source))
        chosen.setdefault(c.name, c)
    return list(chosen.values())


def read_raw_vggsound(path: str | os.PathLike) -> list[tuple[int, list[str]]]:
    """(line number, fields) for every row of the raw VGGSound csv."""
    path = Path(path)
    if not path.is_file():
        raise InputError("VGGSound index not found", path=path)
    with io.StringIO(read_text(path), newline="") as f:
        reader = csv.reader(f)
        return [(reader.line_num, row) for row in reader if row]


def vggsound_labels(path: str | os.PathLike) -> set[str]:
    return {fields[2] for _, fields in read_raw_vggsound(path) if len(fields) >= 3}


def filter_vggsound(path: str | os.PathLike, classes: list[EventClass]) -> tuple[list[IndexRow], list[Reject]]:
    """The rows of the raw VGGSound csv whose label is one of `classes`, plus the rejects among
    them (malformed id, bad start, duplicate clip)."""
    by_label = {c.vggsound_label: c for c in classes}
    rows, rejects, seen = [], [], set()
    for line, fields in read_raw_vggsound(path):
        if len(fields) != 4:
            rejects.append(Reject(str(path), line, "", fields[0] if fields else "", "", "",
                                  f"expected 4 fields youtube_id,start_seconds,label,split, but got {len(fields)}"))
            continue
        yid, start, label, split = (f.strip() for f in fields)
        c = by_label.get(label)
        if c is None:
            continue
        row, reason = _checked_row(yid, start, c, split, seen)
        if reason:
            rejects.append(Reject(str(path), line, row.clip_id if row else "", yid, start, label, reason))
        else:
            rows.append(row)
    return rows, rejects


def _checked_row(yid: str, start: str, c: EventClass, split: str, seen: set[str]) -> tuple[IndexRow | None, str]:
    if not is_youtube_id(yid):
        return None, "malformed YouTube id (expected 11 characters of A-Z a-z 0-9 _ -)"
    try:
        start_s = int(start)
    except ValueError:
        return None, f"start seconds must be a whole number, but got {start!r}"
    if start_s < 0:
        return None, f"start seconds must be >= 0, but got {start_s}"
    if start_s > MAX_START_S:
        return None, f"start seconds must be at most {MAX_START_S} (24 h), but got {start_s}"
    cid = make_clip_id(yid, start_s)
    row = IndexRow(cid, yid, start_s, c.name, c.vggsound_label, c.group, split)
    if cid in seen:
        return row, "duplicate clip"
    seen.add(cid)
    return row, ""


def read_index(path: str | os.PathLike, catalog: ClassCatalog | None = None,
               classes: list[EventClass] | None = None) -> tuple[list[IndexRow], list[Reject]]:
    """Read an index.csv. Bad rows (malformed id, bad start, unknown class, duplicate clip,
    clip id that does not match id and start) become rejects. With `classes`, rows of other
    classes are left out."""
    table = read_csv(path, required=["clip_id", "youtube_id", "start_s", "class"])
    wanted = {c.name for c in classes} if classes is not None else None
    known = {c.name: c for c in (catalog or [])}
    known.update({c.name: c for c in (classes or [])})
    rows, rejects, seen = [], [], set()
    for line, r in enumerate(table, start=2):
        name = r["class"].strip()
        if wanted is not None and name not in wanted:
            continue
        c = known.get(name)
        if c is None and catalog is not None:
            rejects.append(Reject(str(path), line, r["clip_id"], r["youtube_id"], r["start_s"], name, "unknown class"))
            continue
        c = c or EventClass(name, r.get("vggsound_label", ""), r.get("group", ""), "")
        c = EventClass(c.name, r.get("vggsound_label") or c.vggsound_label, r.get("group") or c.group, c.split)
        row, reason = _checked_row(r["youtube_id"].strip(), r["start_s"].strip(), c,
                                   r.get("vggsound_split", ""), seen)
        if not reason and row.clip_id != r["clip_id"].strip():
            reason = f"clip id {r['clip_id']!r} does not match youtube_id and start_s (expected {row.clip_id!r})"
        if reason:
            rejects.append(Reject(str(path), line, r["clip_id"], r["youtube_id"], r["start_s"], name, reason))
        else:
            rows.append(row)
    return rows, rejects


def write_index(path: str | os.PathLike, rows: list[IndexRow]) -> None:
    write_csv(path, [r.as_row() for r in rows], INDEX_COLUMNS)


def write_rejects(path: str | os.PathLike, rejects: list[Reject]) -> None:
    write_csv(path, [asdict(r) for r in rejects], REJECT_COLUMNS)


def per_class_counts(rows: list[IndexRow]) -> Counter:
    return Counter(r.cls for r in rows)


def cached_vggsound_index(cache_dir: str | os.PathLike | None = None, url: str = VGGSOUND_URL) -> Path:
    """The cached public VGGSound csv; downloaded once on a machine with internet."""
    cache = Path(cache_dir or os.environ.get("OVAVEL_CACHE", Path.home() / ".cache" / "ovavel"))
    target = cache / "vggsound.csv"
    if target.is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    part = cache / ".vggsound.csv.part"
    try:
        with urllib.request.urlopen(url, timeout=30) as resp, open(part, "wb") as out:
            while chunk := resp.read(1 << 16):
                out.write(chunk)
    except OSError as e:
        part.unlink(missing_ok=True)
        raise OvavelError(
            f"could not download the VGGSound index from {url} ({e}); pass a local copy with "
            f"--index PATH, or place it at {target}") from None
    os.replace(part, target)
    return target
