"""Clips for the model tests: downloaded and segmented by the real curation stage."""

from __future__ import annotations

import warnings

import pytest

from ovavel.formats import Label, SplitRow, write_labels, write_split

from ..curation.conftest import DASH, LONG, media_root  # noqa: F401  (fixture)
from ..curation.helpers import downloaded_and_segmented

pytest.importorskip("torch", reason="needs the ovavel[models] extra (torch, ImageBind)")
warnings.filterwarnings("ignore", category=UserWarning)
warnings.filterwarnings("ignore", category=FutureWarning)

CLIPS = [(LONG, s, "dog barking") for s in (0, 5, 10, 15)] + [(DASH, s, "people burping") for s in (0, 4)]


@pytest.fixture(scope="session")
def segmented(media_root, tmp_path_factory):  # noqa: F811
    """A data folder with six downloaded, checked and segmented clips, plus labels and a split."""
    root = tmp_path_factory.mktemp("modeldata")
    data, rows = downloaded_and_segmented(root, media_root, CLIPS)
    labels = {r.clip_id: Label(r.cls, "0011111000" if i % 2 else "1111111111") for i, r in enumerate(rows)}
    write_labels(root / "labels.csv", labels)
    write_split(root / "test.csv", [SplitRow(r.clip_id, r.cls, "unseen" if r.cls == "dog barking" else "seen")
                                    for r in rows])
    return root, data, [r.clip_id for r in rows]
