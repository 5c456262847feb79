"""Where the segments of a feature extraction come from: a data folder of this toolkit
(DIR/segments/{clip_id}/ of its usable clips) or the official OV-AVEBench release layout
(<root>/<split>/audio/<class>/<id>.wav and <root>/<split>/video/<class>/<id>/, 10 images)."""

from __future__ import annotations

import os
from ovavel import SEGMENTS_PER_CLIP
from ovavel.curation.manifest import usable_clips
from ovavel.curation.segments import is_complete
from ovavel.curation.official import ClipInput, from_official_root  # noqa: F401  (they live with the official readers)
from ovavel.curation.official import restrict_to_split as _restrict
from ovavel.layout import AUDIO_FILE, DataDir, frame_file


def from_data_dir(data_dir: str | os.PathLike, split: str | None = None) -> tuple[list[ClipInput], list[str]]:
    """(inputs, ids without complete segments) for the usable clips (of the split, in its order)."""
    data = DataDir.at(data_dir)
    usable = [r["clip_id"] for r in usable_clips(data)]
    ids, missing = _restrict(usable, split, f"usable clips of {data.clips_csv}")
    inputs = []
    for cid in ids:
        seg = data.segments(cid)
        if not is_complete(seg):
            missing.append(cid)
            continue
        inputs.append(ClipInput(cid, seg / AUDIO_FILE, tuple(seg / frame_file(k) for k in range(SEGMENTS_PER_CLIP))))
    return inputs, missing
