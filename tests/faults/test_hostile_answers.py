"""No answer can block a round: whatever JSON an account posts as a result (Label Studio checks
none of it), import rejects it with the reason and imports the rest."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from ovavel.annotation.config import labels_from_result, result_for
from ovavel.annotation.state import AnnotationState
from ovavel.app.cli import app
from ovavel.tables import read_csv

from ..annotation.conftest import make_data_dir


def seconds(value):
    return [{"from_name": "seconds", "to_name": "video", "type": "choices", "value": value}]


def timeline(ranges, labels=("event",)):
    return [{"from_name": "events", "to_name": "video", "type": "timelinelabels",
             "value": {"ranges": ranges, "timelinelabels": list(labels)}}]


HOSTILE = [
    ("seconds", seconds(["0"]), "expected result items {from_name, value: {...}}"),
    ("seconds", seconds({"choices": [["0"]]}), "seconds: expected seconds 0..9"),
    ("seconds", seconds({"choices": [True]}), "seconds: expected seconds 0..9"),
    ("seconds", seconds({"choices": "0123"}), "seconds: expected a list of at most ten seconds"),
    ("seconds", seconds({"choices": ["0"] * 11}), "seconds: expected a list of at most ten seconds"),
    ("seconds", seconds({"choices": ["10"]}), "seconds: expected seconds 0..9"),
    ("seconds", {"from_name": "seconds"}, "expected a list of results, but got dict"),
    ("seconds", ["x"], "expected result items"),
    ("seconds", seconds({"choices": ["1"]}) * 101, "expected at most 100 result items, but got 101"),
    ("timeline", timeline(5), "events: expected a list of ranges, but got 5"),
    ("timeline", timeline([{"start": math.nan, "end": 30}]), "expected ranges with numeric start and end frames"),
    ("timeline", timeline([{"start": "1", "end": 30}]), "expected ranges with numeric start and end frames"),
    ("timeline", timeline([{"start": 60, "end": 30}]), "expected 1 <= start <= end <= 250"),
    ("timeline", timeline([{"start": 200, "end": 400}]), "expected 1 <= start <= end <= 250"),
    ("timeline", timeline([{"start": -5, "end": 30}]), "expected 1 <= start <= end <= 250"),
    ("timeline", timeline([[1, 30]]), "expected ranges with numeric start and end frames"),
    ("timeline", timeline([{"start": 1, "end": 30}], ("event", "extra")), "events: expected the label 'event'"),
]


@pytest.mark.parametrize("ui, result, reason", HOSTILE)
def test_every_malformed_result_is_a_reason_not_an_exception(ui, result, reason):
    labels, why = labels_from_result(result, ui)
    assert labels is None and reason in why, why
    assert len(why) < 250  # a huge payload is not copied into the rejects file


def test_well_formed_answers_still_read():
    assert labels_from_result(result_for("0111000001"), "seconds") == ("0111000001", "")
    assert labels_from_result(result_for("0111000001", "timeline"), "timeline") == ("0111000001", "")
    assert labels_from_result(timeline([{"start": 1, "end": 250}]), "timeline") == ("1" * 10, "")
    assert labels_from_result(seconds({"choices": [3, "4"]}), "seconds") == ("0001100000", "")


def test_an_offline_round_with_hostile_answers_imports_the_rest(tmp_path):
    clips = {f"clip{i:07d}": "dog barking" for i in range(6)}
    data = make_data_dir(tmp_path / "data", clips)
    runner = CliRunner()
    r = runner.invoke(app, ["annotate", "export", "--data", str(data.root), "--round", "1", "--annotators", "ann1",
                            "--offline"])
    assert r.exit_code == 0, r.output
    folder = data.annotation_dir / "offline" / "round1"
    tasks = json.loads((folder / "ann1.json").read_text())
    hostile = [seconds(["0"]), seconds({"choices": [["0"]]}), {"from_name": "seconds"}]
    export = []
    for i, t in enumerate(tasks):
        result = hostile[i] if i < len(hostile) else result_for("0011000000")
        export.append({"id": i + 1, "data": t["data"],
                       "annotations": [{"id": i + 1, "completed_by": 7, "result": result, "was_cancelled": False,
                                        "created_at": "2026-11-29T08:00:00Z"}]})
    export.append({"id": 99, "data": "not a dict", "annotations": 5})  # not a task at all
    export.append({"id": 100, "data": {"clip_id": tasks[0]["data"]["clip_id"]}, "annotations": ["junk"]})
    (folder / "ann1.export.json").write_text(json.dumps(export))
    r = runner.invoke(app, ["annotate", "import", "--data", str(data.root), "--round", "1"])
    assert r.exit_code == 0, r.output
    state = AnnotationState(data.root)
    rows = read_csv(state.round_file("1"))
    assert [x["clip_id"] for x in rows] == [t["data"]["clip_id"] for t in tasks[3:]]
    assert all(x["labels"] == "0011000000" for x in rows)
    reasons = [x["reason"] for x in read_csv(state.rejects_file("1"))]
    assert len(reasons) == 5
    assert sum("expected result items" in x for x in reasons) == 1 and sum("seconds 0..9" in x for x in reasons) == 1
    assert sum("expected a list of results" in x for x in reasons) == 1
    assert sum(x.startswith("not a Label Studio task") for x in reasons) == 1
    assert sum(x.startswith("not an annotation") for x in reasons) == 1


def test_a_round_keeps_its_view(tmp_path):
    data = make_data_dir(tmp_path / "data", {f"clip{i:07d}": "dog barking" for i in range(4)})
    runner = CliRunner()
    base = ["annotate", "export", "--data", str(data.root), "--round", "1", "--annotators", "ann1", "--offline"]
    assert runner.invoke(app, base).exit_code == 0
    r = runner.invoke(app, base + ["--ui", "timeline"])
    assert r.exit_code == 1 and "round 1 was exported with --ui seconds" in r.output
    assert AnnotationState(data.root).round("1").ui == "seconds"
    assert runner.invoke(app, base).exit_code == 0 and runner.invoke(app, base + ["--ui", "seconds"]).exit_code == 0
    other = make_data_dir(tmp_path / "other", {f"clip{i:07d}": "dog barking" for i in range(4)})
    assert runner.invoke(app, ["annotate", "export", "--data", str(other.root), "--round", "1", "--annotators",
                               "ann1", "--offline", "--ui", "timeline"]).exit_code == 0
    assert AnnotationState(other.root).round("1").ui == "timeline"
