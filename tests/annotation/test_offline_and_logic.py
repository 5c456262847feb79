"""Offline rounds (Label Studio JSON files on disk), assignment, agreement and policies."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from click.testing import CliRunner

from ovavel.annotation.agreement import agreement_report, kappa
from ovavel.annotation.assign import assign_round1, assign_round2
from ovavel.annotation.config import labeling_config, labels_from_result, result_for, span_seconds, waveform_scale
from ovavel.annotation.dawid_skene import dawid_skene
from ovavel.annotation.state import AnnotationState
from ovavel.app.cli import app
from ovavel.errors import OvavelError
from ovavel.tables import read_csv

from .conftest import make_data_dir

CLIPS = {f"v{i}": ("dog barking" if i < 4 else "helicopter") for i in range(8)}


def ls_export(tasks: list[dict], answers: dict[str, list[dict]]) -> list[dict]:
    """What Label Studio's JSON export holds: the tasks with their annotations."""
    return [{"id": i + 1, "data": t["data"], "annotations": answers.get(t["data"]["clip_id"], [])}
            for i, t in enumerate(tasks)]


def ann(labels: str | None = None, result=None, cancelled=False, ident=1, when="2026-11-27T10:00:00Z"):
    return {"id": ident, "completed_by": 7, "result": result if result is not None else result_for(labels),
            "was_cancelled": cancelled, "lead_time": 12.5, "created_at": when, "updated_at": when}


def offline_round1(tmp_path):
    """(data, folder of the task files, runner) of round 1 exported offline to ann1 and ann2."""
    data = make_data_dir(tmp_path / "data", {c: k for c, k in CLIPS.items()})
    runner = CliRunner()
    r = runner.invoke(app, ["annotate", "export", "--data", str(data.root), "--round", "1", "--annotators",
                            "ann1,ann2", "--offline"])
    assert r.exit_code == 0, r.output
    return data, data.annotation_dir / "offline" / "round1", runner


def test_offline_round_trip_with_malformed_rows(tmp_path):
    data, folder, runner = offline_round1(tmp_path)
    assert (folder / "config.xml").read_text() == labeling_config()
    state = AnnotationState(data.root)
    answers = {}
    for annotator, batch in state.round("1").batches.items():
        tasks = json.loads((folder / f"{annotator}.json").read_text())
        assert [t["data"]["clip_id"] for t in tasks] == batch.clips
        assert tasks[0]["data"]["video"] == f"/data/local-files/?d=clips/{batch.clips[0]}.mp4"
        export = ls_export(tasks, {c: [ann("0111000000")] for c in batch.clips})
        answers[annotator] = export
    # Malformed and unusual rows in ann1's export.
    first, second, third = answers["ann1"][:3]
    first["annotations"] = [ann(result=[{"from_name": "seconds", "value": {"choices": ["maybe"]}}]),
                            ann("1" * 10, ident=2)]
    second["annotations"] = [ann(cancelled=True, result=[])]
    third["annotations"] = [ann("0000000001", ident=3), ann("1000000000", ident=4, when="2026-11-27T11:00:00Z")]
    answers["ann1"].append({"id": 99, "data": {"clip_id": "stranger"}, "annotations": [ann("0" * 10, ident=5)]})
    for annotator, export in answers.items():
        (folder / f"{annotator}.export.json").write_text(json.dumps(export))
    r = runner.invoke(app, ["annotate", "import", "--data", str(data.root), "--round", "1"])
    assert r.exit_code == 0, r.output
    rows = {x["clip_id"]: x for x in read_csv(state.round_file("1"))}
    cid1, cid2, cid3 = (t["data"]["clip_id"] for t in (first, second, third))
    assert rows[cid1]["labels"] == "1" * 10 and rows[cid1]["lead_time"] == "12.5"
    assert cid2 not in rows  # cancelled: dropped, counted, the clip is reported as unanswered
    assert rows[cid3]["labels"] == "1000000000"  # the later of two answers by the same person
    assert len(rows) == 7 and all(x["annotator"] in ("ann1", "ann2") for x in rows.values())
    reasons = {(x["clip_id"], x["reason"].split(":")[0].split(";")[0]) for x in read_csv(state.rejects_file("1"))}
    assert reasons == {(cid1, "seconds"), (cid3, "second annotation by ann1"),
                       ("stranger", "annotation for a clip not in this round's tasks")}
    assert re.search(r"^clips without an answer\s+1$", r.output, re.M) and "left per annotator: ann1 1" in r.output
    assert f"clips without an answer: {cid2}" in r.output
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    r = runner.invoke(app, ["annotate", "import", "--data", str(data.root), "--round", "1", "--from", str(bad)])
    assert r.exit_code == 1 and "bad.json" in r.output and "not a Label Studio JSON export" in r.output


def test_labels_from_result_validation():
    # The grid of earlier versions (ten required event/background blocks) is still read.
    assert labels_from_result(result_for("0110000001", "grid"), "grid") == ("0110000001", "")
    assert labels_from_result(result_for("0110000001", "grid")[:9], "grid")[1] == "missing answers for seg9"
    twice = result_for("0" * 10, "grid") + result_for("1" * 10, "grid")[:1]
    assert labels_from_result(twice, "grid")[1] == "seg0: answered twice"
    assert "expected exactly one choice" in labels_from_result(
        [{"from_name": "seg0", "value": {"choices": ["event", "background"]}}], "grid")[1]
    assert labels_from_result([{"from_name": "notes", "value": {}}], "grid")[1] == "unexpected control 'notes'"


@pytest.mark.parametrize("ui", ["seconds", "timeline", "grid"])
def test_every_view_round_trips_every_labelling(ui):
    for n in range(1024):  # all 2^10 labellings, including all background
        labels = format(n, "010b")
        assert labels_from_result(result_for(labels, ui), ui) == (labels, "")


def test_seconds_view_answers():
    assert result_for("0000000000", "seconds") == []  # nothing selected = all background
    assert labels_from_result([], "seconds") == ("0000000000", "")
    assert result_for("0111000100", "seconds") == [{"from_name": "seconds", "to_name": "video", "type": "choices",
                                                    "value": {"choices": ["1", "2", "3", "7"]}}]
    assert labels_from_result([{"from_name": "seconds", "value": {"choices": ["9", "0"]}}], "seconds") == (
        "1000000001", "")
    assert labels_from_result([{"from_name": "seconds", "value": {"choices": ["10"]}}], "seconds")[1] == (
        "seconds: expected seconds 0..9, but got '10'")
    assert labels_from_result([{"from_name": "seg0", "value": {"choices": ["event"]}}], "seconds")[1] == (
        "unexpected control 'seg0' (expected 'seconds')")
    assert "expected a list" in labels_from_result([{"from_name": "seconds", "value": {"choices": "3"}}], "seconds")[1]


def test_timeline_spans_count_a_second_by_its_middle_instant():
    # Frames are numbered from 1 at 25 fps: frame f covers [(f - 1) / 25, f / 25).
    assert span_seconds(31, 95) == [1, 2, 3]  # 1.2 s .. 3.8 s covers 1.5, 2.5, 3.5
    assert span_seconds(1, 13) == [0]  # 0 .. 0.52 s covers 0.5
    assert span_seconds(1, 12) == []  # 0 .. 0.48 s misses 0.5
    assert span_seconds(39, 250) == [2, 3, 4, 5, 6, 7, 8, 9]  # starts at 1.52 s: second 1's middle is before it
    assert span_seconds(38, 40) == [1]  # 1.48 .. 1.6 s
    assert result_for("0110000011", "timeline") == [
        {"from_name": "events", "to_name": "video", "type": "timelinelabels",
         "value": {"ranges": [{"start": 26, "end": 75}], "timelinelabels": ["event"]}},
        {"from_name": "events", "to_name": "video", "type": "timelinelabels",
         "value": {"ranges": [{"start": 201, "end": 250}], "timelinelabels": ["event"]}}]
    two = [{"from_name": "events", "value": {"ranges": [{"start": 31, "end": 95}, {"start": 226, "end": 240}],
                                             "timelinelabels": ["event"]}}]
    assert labels_from_result(two, "timeline") == ("0111000001", "")
    assert "expected the label 'event'" in labels_from_result(
        [{"from_name": "events", "value": {"ranges": [{"start": 1, "end": 9}], "timelinelabels": ["dog"]}}], "timeline")[1]
    assert "numeric start and end" in labels_from_result(
        [{"from_name": "events", "value": {"ranges": [{"start": "a"}], "timelinelabels": ["event"]}}], "timeline")[1]
    # A new round's timeline: 5 steps a second, step s covers [(s - 1) / 5, s / 5).
    assert span_seconds(7, 19, fps=5) == [1, 2, 3]  # 1.2 s .. 3.8 s
    assert span_seconds(1, 2, fps=5) == [] and span_seconds(1, 3, fps=5) == [0]  # 0 .. 0.4 s misses 0.5
    assert result_for("0110000011", "timeline", 5)[1]["value"]["ranges"] == [{"start": 41, "end": 50}]
    assert labels_from_result(result_for("0110000011", "timeline", 5), "timeline", 5) == ("0110000011", "")
    assert "end <= 50" in labels_from_result(result_for("0000000001", "timeline"), "timeline", 5)[1]  # 25-fps steps


def test_labelling_configs():
    seconds = labeling_config(ui="seconds")
    assert seconds.count('<Choice value="') == 10 and '<Choice value="7" hotkey="7"/>' in seconds
    assert 'choice="multiple"' in seconds and "required" not in seconds  # none selected is an answer
    # The seconds view steps the clips' 25 frames; the timeline 5 steps a second (all 10 s fit a
    # 1280-px window), or 25 for a round exported before that.
    # Frames of 360 and 300 px: the class, the control, the media fit 1280x800; the help comes after.
    for config, fps, height in ((seconds, 25, 360), (labeling_config(ui="timeline"), 5, 300),
                                (labeling_config(adjudication=True), 25, 360),
                                (labeling_config(ui="timeline", timeline_fps=25), 25, 300)):
        assert f'<Video name="video" value="$video" height="{height}" frameRate="{fps}" sync="audio"/>' in config
        assert '<Audio name="audio" value="$video" sync="video"' in config
        assert "$class" in config and "(clip $position)" in config
        assert "<Style>.lsf-sidepanels__wrapper_align_right { display: none !important; }" in config
        order = [config.index(x) for x in ("Class: $class", 'toName="video"', "<Video", "<Audio", "Ctrl+Enter submits",
                                             'name="rule"')]
        assert order == sorted(order)
    assert "<TimelineLabels" in labeling_config(ui="timeline") and "$r1_labels" in labeling_config(adjudication=True)
    with pytest.raises(ValueError, match="Expected `ui`"):
        labeling_config(ui="grid")


def test_quiet_clips_get_their_waveform_scaled(tmp_path):
    # -41 dB mean (the real quiet clip) -> 10^(21/20) = 11.22; at -20 dB or louder, 1; unmeasured, 1.
    assert [waveform_scale(x) for x in ("-41.0", -20.0, "-12.5", "", None, "nan", "-200")] == \
        [11.22, 1.0, 1.0, 1.0, 1.0, 1.0, 100.0]
    data = make_data_dir(tmp_path / "data", {"quiet_000000": "dog barking", "loud_000000": "dog barking"},
                         mean_volume_db={"quiet_000000": "-41.0", "loud_000000": "-15.0"})
    r = CliRunner().invoke(app, ["annotate", "export", "--data", str(data.root), "--round", "1", "--annotators",
                                 "ann1", "--offline", "--no-progress"])
    assert r.exit_code == 0, r.output
    tasks = json.loads((data.annotation_dir / "offline" / "round1" / "ann1.json").read_text())
    assert {t["data"]["clip_id"]: t["data"].get("amp") for t in tasks} == {"quiet_000000": "11.22", "loud_000000": None}


def test_assignments_balanced_and_exchanged():
    clips = [(f"c{i}", "x" if i % 3 else "y") for i in range(30)]
    r1 = assign_round1(clips, ["a", "b", "c"])
    assert sorted(list(r1.values()).count(a) for a in "abc") == [10, 10, 10]
    r2 = assign_round2(clips, r1, ["a", "b", "c"])
    assert all(r2[c] != r1[c] for c in r1)
    assert sorted(list(r2.values()).count(a) for a in "abc") == [10, 10, 10]
    with pytest.raises(OvavelError, match="at least two annotators"):
        assign_round2(clips, r1, ["a"])
    with pytest.raises(OvavelError, match="distinct"):
        assign_round1(clips, ["a", "a"])


def test_agreement_by_hand():
    r1 = {"x": {"labels": "1111100000", "annotator": "a", "class": "k"},
          "y": {"labels": "0000000000", "annotator": "a", "class": "k"}}
    r2 = {"x": {"labels": "1111000000", "annotator": "b", "class": "k"},
          "y": {"labels": "0000000000", "annotator": "b", "class": "k"}}
    report, dis = agreement_report(r1, r2)
    # 19 of 20 segments agree; rater a: 5 ones of 20, b: 4 ones. pe = .25*.2 + .75*.8 = .65
    assert report["overall"]["percent_agreement"] == 95.0
    assert report["overall"]["kappa"] == pytest.approx((0.95 - 0.65) / 0.35, abs=1e-4)
    assert dis == [{"clip_id": "x", "class": "k", "r1_annotator": "a", "r1_labels": "1111100000",
                    "r2_annotator": "b", "r2_labels": "1111000000", "disputed": "4"}]
    assert kappa(np.zeros(10, int), np.zeros(10, int)) is None  # undefined: one value only


def test_dawid_skene_trusts_the_reliable_annotator():
    # 'good' is always right, 'ok' wrong on 10% of items, 'bad' on 40% (other items): every item has
    # a right majority. Item z has only good (1) against bad (0): no majority, and Dawid-Skene sides
    # with the annotator it learnt to trust.
    truth = {f"i{n}": n % 2 for n in range(60)}
    votes = [(i, "good", t) for i, t in truth.items()]
    votes += [(i, "ok", 1 - t if n % 10 == 0 else t) for n, (i, t) in enumerate(truth.items())]
    votes += [(i, "bad", 1 - t if n % 5 in (2, 3) else t) for n, (i, t) in enumerate(truth.items())]
    votes += [("z", "good", 1), ("z", "bad", 0)]
    p = dawid_skene(votes)
    assert all((p[i] > 0.5) == bool(t) for i, t in truth.items())
    assert p["z"] > 0.9


ROUND_HEADER = "clip_id,class,labels,round,annotator,annotation_id,lead_time,created_at\n"


def two_rounds(tmp_path, x_round2: str):
    """A data folder whose rounds 1 and 2 (written by hand) answer clips x and y; x in round 2 as given."""
    data = make_data_dir(tmp_path / "data", {"x": "k", "y": "k"})
    ann_dir = data.annotation_dir
    ann_dir.mkdir(parents=True)
    (ann_dir / "labels_round1.csv").write_text(ROUND_HEADER + "x,k,1111100000,1,a,1,,\ny,k,0000000000,1,a,2,,\n")
    (ann_dir / "labels_round2.csv").write_text(ROUND_HEADER + f"x,k,{x_round2},2,b,3,,\ny,k,0000000000,2,b,4,,\n")
    return data, ann_dir


def test_policy_resolves_without_adjudication(tmp_path):
    data, ann_dir = two_rounds(tmp_path, "1111000000")
    runner = CliRunner()
    r = runner.invoke(app, ["annotate", "reconcile", "--data", str(data.root)])
    assert r.exit_code == 0 and "pending: 1" in r.output
    r = runner.invoke(app, ["annotate", "reconcile", "--data", str(data.root), "--policy", "prefer-round2"])
    assert r.exit_code == 0, r.output
    final = {x["clip_id"]: (x["labels"], x["provenance"]) for x in read_csv(ann_dir / "labels.csv")}
    assert final == {"x": ("1111000000", "aaaapaaaaa"), "y": ("0000000000", "aaaaaaaaaa")}
    r = runner.invoke(app, ["annotate", "reconcile", "--data", str(data.root), "--policy", "prefer-round1"])
    assert read_csv(ann_dir / "labels.csv")[0]["labels"] == "1111100000"


def test_the_adjudicator_decides_the_disputed_seconds_over_round_1_and_any_policy(tmp_path):
    data, ann_dir = two_rounds(tmp_path, "1111000001")
    # The adjudicator answers all ten seconds; only the disputed ones (4 and 9) are theirs to decide.
    (ann_dir / "labels_roundadjudicate.csv").write_text(ROUND_HEADER + "x,k,0000000001,adjudicate,lead,5,,\n")
    for policy in ([], ["--policy", "prefer-round1"]):
        r = CliRunner().invoke(app, ["annotate", "reconcile", "--data", str(data.root), *policy])
        assert r.exit_code == 0, r.output
        final = {x["clip_id"]: (x["labels"], x["provenance"]) for x in read_csv(ann_dir / "labels.csv")}
        assert final == {"x": ("1111000001", "aaaajaaaaj"), "y": ("0000000000", "aaaaaaaaaa")}, policy


def test_offline_answers_are_credited_to_their_author_not_the_clip_owner(tmp_path):
    """--from files: each is its author's (the annotator whose clips most of its tasks are); an
    answer in it on a clip of someone else is a reject, never credited to the clip's owner."""
    data, folder, runner = offline_round1(tmp_path)
    batches = AnnotationState(data.root).round("1").batches
    tasks = {a: json.loads((folder / f"{a}.json").read_text()) for a in batches}
    mine = ls_export(tasks["ann1"], {c: [ann("0011000000")] for c in batches["ann1"].clips})
    # ann2's file: their own clips, and one of ann1's clips answered differently.
    theirs = ls_export(tasks["ann2"] + tasks["ann1"][:1],
                       {c: [ann("1100000000", ident=9)] for c in batches["ann2"].clips + batches["ann1"].clips[:1]})
    for name, export in (("a.json", mine), ("b.json", theirs)):
        (tmp_path / name).write_text(json.dumps(export))
    r = runner.invoke(app, ["annotate", "import", "--data", str(data.root), "--round", "1", "--from",
                            str(tmp_path / "a.json"), "--from", str(tmp_path / "b.json")])
    assert r.exit_code == 0, r.output
    state = AnnotationState(data.root)
    rows = {x["clip_id"]: (x["annotator"], x["labels"]) for x in read_csv(state.round_file("1"))}
    assert rows == {**{c: ("ann1", "0011000000") for c in batches["ann1"].clips},
                    **{c: ("ann2", "1100000000") for c in batches["ann2"].clips}}
    rejects = [(x["annotator"], x["clip_id"], x["reason"]) for x in read_csv(state.rejects_file("1"))]
    first = batches["ann1"].clips[0]
    assert rejects == [("ann2", first, "answer by ann2 in the project of ann1: only ann1's answers count in it")]
