"""A demo-sized benchmark for the export tests: six clips downloaded and segmented by the real
curation stage, two annotation rounds reconciled, and a split folder."""

from __future__ import annotations

import pytest

from ovavel.annotation.reconcile import reconcile
from ovavel.annotation.state import ROUND_COLUMNS
from ovavel.catalog import load_catalog
from ovavel.formats import Label, SplitRow, write_labels, write_split
from ovavel.tables import read_csv, write_csv

from ..curation.conftest import DASH, LONG, media_root  # noqa: F401  (fixture)
from ..curation.helpers import downloaded_and_segmented

CLIPS = [(LONG, s, "dog barking") for s in (0, 5, 10, 15)] + [(DASH, s, "people burping") for s in (0, 4)]
ROUND1 = ["0011100000", "1111111111", "0000011111", "0110000000", "1111100000", "0000000011"]
ROUND2 = ["0011100000", "1111111110", "0000011111", "0111000000", "1111100000", "0000000011"]  # 2 clips differ


@pytest.fixture(scope="session")
def hf_bench(media_root, tmp_path_factory):  # noqa: F811
    root = tmp_path_factory.mktemp("hfbench")
    data, rows = downloaded_and_segmented(root, media_root, CLIPS)
    data.annotation_dir.mkdir()
    for key, annotator, answers in (("1", "a@x.org", ROUND1), ("2", "b@x.org", ROUND2)):
        write_csv(data.annotation_dir / f"labels_round{key}.csv",
                  [{"clip_id": r.clip_id, "class": r.cls, "labels": lab, "round": key, "annotator": annotator,
                    "annotation_id": str(i), "lead_time": "2.5", "created_at": "2026-11-01"}
                   for i, (r, lab) in enumerate(zip(rows, answers))], ROUND_COLUMNS)
    reconcile(data, "prefer-round1")
    final = {r["clip_id"]: Label(r["class"], r["labels"]) for r in read_csv(data.annotation_dir / "labels.csv")}
    splits = root / "splits"
    splits.mkdir()
    ids = [r.clip_id for r in rows]
    kind = {c: "unseen" if final[c].cls == "dog barking" else "seen" for c in ids}
    parts = {"train": [ids[4]], "val": [ids[0], ids[5]], "test": ids[1:4]}
    for name, members in parts.items():
        write_split(splits / f"{name}.csv", [SplitRow(c, final[c].cls, kind[c]) for c in members])
    write_labels(splits / "labels.csv", final)
    load_catalog().subset(["dog barking", "people burping"]).write(splits / "classes.csv")
    return root, data, splits, parts, final
