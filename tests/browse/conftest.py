"""A small benchmark for the browser: six clips of three classes with hand-made predictions of two
methods and two annotation rounds, so every filter has a worked-out answer."""

from __future__ import annotations

import json
import shutil

import pytest

from ovavel.annotation.agreement import agreement_report
from ovavel.annotation.reconcile import DISAGREEMENT_COLUMNS
from ovavel.annotation.state import ROUND_COLUMNS
from ovavel.formats import Label, SplitRow, write_labels, write_split
from ovavel.layout import DataDir
from ovavel.tables import write_csv

A, B, C = "dog barking", "people burping", "cat purring"  # unseen (animal), seen (human activity), seen (animal)
BG = "background"
# clip: (class, labels, training-free prediction)
CLIPS = {
    "clip0000001_000000": (A, "0011110000", [BG, BG, A, A, A, A, BG, BG, BG, BG]),  # right
    "clip0000002_000000": (A, "0011110000", [BG, BG, BG, A, A, A, A, BG, BG, BG]),  # boundary (start and end off by one)
    "clip0000003_000000": (A, "1111111111", [BG] * 10),  # missed
    "clip0000004_000000": (B, "0000011111", [C, C, BG, BG, BG, B, B, B, B, B]),  # false + wrong-class
    "clip0000005_000000": (B, "0000011111", [BG] * 5 + [C] * 5),  # missed + wrong-class
    "clip0000006_000000": (C, "1100000000", [C, C] + [BG] * 8),  # right; segments only (no mp4)
}
EXPECTED_ERRORS = {"clip0000001_000000": [], "clip0000002_000000": ["boundary"], "clip0000003_000000": ["missed"],
                   "clip0000004_000000": ["false", "wrong-class"], "clip0000005_000000": ["missed", "wrong-class"], "clip0000006_000000": []}
# Round 2 disagrees with round 1 on c2 (seconds 6) and c4 (seconds 0, 1).
ROUND2 = {"clip0000002_000000": "0011111000", "clip0000004_000000": "1100011111"}


@pytest.fixture(scope="session")
def bench_site_inputs(tmp_path_factory, ffmpeg_available):
    from ovavel.curation.normalise import NormaliseOptions, normalise_clip
    from ovavel.curation.segments import extract_segments
    from ovavel.testing.synthetic_media import make_test_video

    root = tmp_path_factory.mktemp("browse")
    data = DataDir.at(root / "data")
    data.clips_dir.mkdir(parents=True)
    make_test_video(root / "src.mp4", duration=12, size=(320, 240))
    normalise_clip(root / "src.mp4", root / "clip.mp4", 1.0, NormaliseOptions())
    extract_segments(root / "clip.mp4", root / "seg")
    for cid in CLIPS:
        shutil.copytree(root / "seg", data.segments(cid))
        if cid != "clip0000006_000000":
            shutil.copyfile(root / "clip.mp4", data.clip(cid))
    write_labels(root / "labels.csv", {c: Label(cls, lab) for c, (cls, lab, _) in CLIPS.items()})
    write_split(root / "test.csv", [SplitRow(c, cls, "unseen" if cls == A else "seen") for c, (cls, _, _) in CLIPS.items()])
    for name, preds in (("training_free", {c: p for c, (_, _, p) in CLIPS.items()}),
                        ("fine_tuned", {c: [cls if b == "1" else BG for b in lab] for c, (cls, lab, _) in CLIPS.items()})):
        (root / "results" / name).mkdir(parents=True)
        write_csv(root / "results" / name / "predictions.csv",
                  [{"clip_id": c, **{f"seg_{k}": p[k] for k in range(10)}} for c, p in preds.items()],
                  ["clip_id"] + [f"seg_{k}" for k in range(10)])
    data.annotation_dir.mkdir()
    rounds = {}
    for key, annotator in (("1", "ann@a.org"), ("2", "ann@b.org")):
        rows = [{"clip_id": c, "class": cls, "labels": ROUND2.get(c, lab) if key == "2" else lab, "round": key,
                 "annotator": annotator, "annotation_id": str(i), "lead_time": "3.0", "created_at": "2026-11-01"}
                for i, (c, (cls, lab, _)) in enumerate(CLIPS.items())]
        write_csv(data.annotation_dir / f"labels_round{key}.csv", rows, ROUND_COLUMNS)
        rounds[key] = {r["clip_id"]: r for r in rows}
    report, disagreements = agreement_report(rounds["1"], rounds["2"])
    (data.annotation_dir / "agreement.json").write_text(json.dumps(report))
    write_csv(data.annotation_dir / "disagreements.csv", disagreements, DISAGREEMENT_COLUMNS)
    return root, data
