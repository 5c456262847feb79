"""`ovavel.load`: a benchmark's files as typed pandas tables (labels stay strings, seconds become
int8 columns, figures floats), every table a folder lacks an empty one with its columns."""

from __future__ import annotations

import pytest

import ovavel
from ovavel.formats import SplitRow, VIDEO_METRIC_KEYS, write_predictions, write_split
from ovavel.layout import DataDir
from ovavel.tables import write_csv

FINAL = [("aaaaaaaaaaa_000000", "dog barking", "0010000000", "aaaaaaaaaa"),
         ("baaaaaaaaaa_000000", "dog barking", "1111100000", "aaaajaaaaa"),
         ("caaaaaaaaaa_000000", "people burping", "0000011111", "aaaaaaaaaa"),
         ("daaaaaaaaaa_000000", "people burping", "0110000000", "aapaaaaaaa")]


@pytest.fixture
def data(tmp_path):
    d = DataDir.at(tmp_path / "data")
    d.annotation_dir.mkdir(parents=True)
    write_csv(d.annotation_dir / "labels.csv", [dict(zip(("clip_id", "class", "labels", "provenance"), r)) for r in FINAL],
              ["clip_id", "class", "labels", "provenance"])
    return d


def test_load_gives_typed_frames(data, tmp_path):
    splits = tmp_path / "splits"
    splits.mkdir()
    write_split(splits / "test.csv", [SplitRow(c, cls, "unseen" if cls == "dog barking" else "seen")
                                      for c, cls, _, _ in FINAL])
    (splits / "labels.csv").write_text((data.annotation_dir / "labels.csv").read_text())
    write_csv(data.annotation_dir / "labels_round1.csv", [{"clip_id": "aaaaaaaaaaa_000000", "class": "dog barking",
              "labels": "0010000000", "round": "1", "annotator": "x", "annotation_id": "1", "lead_time": "2.5",
              "created_at": ""}], ["clip_id", "class", "labels", "round", "annotator", "annotation_id", "lead_time",
                                  "created_at"])
    res = tmp_path / "results" / "training_free"
    res.mkdir(parents=True)
    write_predictions(res / "predictions.csv", {c: ["background"] * 10 for c, *_ in FINAL})
    b = ovavel.load(data.root, splits=splits, results=[res])
    assert b.labels["labels"].tolist()[0] == "0010000000" and str(b.labels["labels"].dtype) == "string"
    assert b.labels.loc[0, ["seg_0", "seg_1", "seg_2"]].tolist() == [0, 0, 1] and str(b.labels["seg_2"].dtype) == "int8"
    assert b.splits["split"].tolist() == ["test"] * 4 and b.splits["clip_id"].tolist() == [c for c, *_ in FINAL]
    assert b.rounds["1"]["lead_time"].tolist() == [2.5] and b.rounds["1"]["clip_id"].tolist() == ["aaaaaaaaaaa_000000"]
    assert b.predictions["training-free"].shape == (4, 11)
    assert len(b.clips) == 0 and "clip_id" in b.clips.columns  # no manifest: an empty table with its columns
    write_csv(res / "per_video.csv", [{"clip_id": c, "class": cls, "split_type": "seen", "acc": "0.5", "seg_f1": "",
                                       "event_f1": "1"} for c, cls, *_ in FINAL], ["clip_id", "class", "split_type",
                                                                                   *VIDEO_METRIC_KEYS])
    per_video = ovavel.load(data.root, splits=splits, results=[res]).per_video["training-free"]
    assert per_video["acc"].tolist() == [0.5] * 4 and str(per_video["acc"].dtype) == "Float64"
    assert per_video["seg_f1"].isna().all() and per_video["clip_id"].tolist() == [c for c, *_ in FINAL]


def test_a_folder_that_is_not_there_is_named(tmp_path):
    with pytest.raises(ovavel.errors.OvavelError, match="is not a folder"):
        ovavel.load(tmp_path / "nowhere")
    empty = ovavel.load()
    assert list(empty.labels.columns[:3]) == ["clip_id", "class", "labels"] and len(empty.labels) == 0
    assert len(empty.classes) == 67  # the bundled catalog
