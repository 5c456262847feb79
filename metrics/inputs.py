"""Reading and checking predictions.csv (labels.csv and split files: ovavel.formats).

Every problem stops with the file, the line or clip id, and what was expected.
"""

from __future__ import annotations

import os

from ovavel import BACKGROUND, SEGMENTS_PER_CLIP, UNASSIGNED
from ovavel.catalog import unknown_class_message
from ovavel.errors import InputError
from ovavel.tables import read_csv

SEG_COLUMNS = [f"seg_{k}" for k in range(SEGMENTS_PER_CLIP)]


def read_predictions(path: str | os.PathLike, class_names: set[str]) -> dict[str, list[str]]:
    """predictions.csv (`clip_id,seg_0,...,seg_9`, each a class name, `background`, or `unassigned`
    for a second the released training-free rule leaves in no row)."""
    out: dict[str, list[str]] = {}
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
        cid = r["clip_id"].strip()
        if cid in out:
            raise InputError(f"duplicate clip id {cid!r}", path=path, line=line)
        segs = [r[c].strip() for c in SEG_COLUMNS]
        for s in segs:
            if s not in allowed:
                hint = " (write background segments as 'background', not 'other')" if s == "other" else ""
                raise InputError(f"clip {cid!r}: {unknown_class_message(s, sorted(allowed))}{hint}",
                                 path=path, line=line)
        out[cid] = segs
    return out
