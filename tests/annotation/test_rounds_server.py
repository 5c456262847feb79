"""A full annotation cycle against a real Label Studio: round 1, round 2 by exchanged annotators,
reconcile, adjudicate, final labels; answers posted through the API by each account's own session."""

from __future__ import annotations

import json
import re
from collections import Counter

import numpy as np
import pytest
from click.testing import CliRunner

from ovavel.annotation.config import result_for
from ovavel.annotation.rounds import ExportOptions, export_round, import_round
from ovavel.testing.scripted_annotators import answer_round, ensure_accounts
from ovavel.annotation.state import AnnotationState
from ovavel.app.cli import app
from ovavel.errors import OvavelError
from ovavel.tables import read_csv

from ..conftest import serve_data_folder
from .conftest import make_served_data_dir

pytestmark = pytest.mark.slow

CLASSES = ["dog barking", "playing piano", "helicopter"]
TRUTH = {f"{cls.split()[0][:4]:x<4}{i:07d}": (cls, format((37 * (i + 1) * (k + 3)) % 1024, "010b"))
         for k, cls in enumerate(CLASSES) for i in range(4)}
ANNOTATORS = ["a@ovavel.test", "b@ovavel.test", "c@ovavel.test"]
LEAD = "lead@ovavel.test"


def flip(labels: str, k: int) -> str:
    return labels[:k] + ("1" if labels[k] == "0" else "0") + labels[k + 1:]


def expected_kappa(a: np.ndarray, b: np.ndarray) -> float:
    po = (a == b).mean()
    pe = a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean())
    return (po - pe) / (1 - pe)


@pytest.fixture
def served(label_studio, tmp_path, ffmpeg_available):
    """A data folder with real clips and its own Label Studio (started as `annotate server start`)."""
    data = make_served_data_dir(tmp_path / "data", {c: k for c, (k, _) in TRUTH.items()})
    server = serve_data_folder(label_studio, data.root)
    yield data, server
    server.stop()


def test_full_cycle(served):
    data, server = served
    client = server.client()
    users = ensure_accounts(client, ANNOTATORS + [LEAD])
    cli = ["--data", str(data.root)]  # the server started for the data folder is found by itself
    runner = CliRunner()

    r = runner.invoke(app, ["annotate", "export", "--round", "1", "--annotators", ",".join(ANNOTATORS), *cli])
    assert r.exit_code == 0, r.output
    state = AnnotationState(data.root)
    r1 = state.round("1")
    assert sorted(len(b.clips) for b in r1.batches.values()) == [4, 4, 4]
    for cls in CLASSES:  # balanced per class: 4 clips of a class over 3 annotators
        per = Counter(a for a, b in r1.batches.items() for c in b.clips if TRUTH[c][0] == cls)
        assert sorted(per.values()) == [1, 1, 2]
    # A rerun of a finished export changes nothing (no duplicate projects or tasks).
    assert runner.invoke(app, ["annotate", "export", "--round", "1", "--annotators", ",".join(ANNOTATORS), *cli]).exit_code == 0
    assert AnnotationState(data.root).round("1").batches == r1.batches
    assert all(len(client.clip_ids(b.project_id)) == 4 for b in r1.batches.values())

    # Round 1: b@ mislabels second 0 of every clip. Extras: a cancelled answer, a malformed one,
    # and a second answer by the same person.
    owner1 = r1.annotator_of()
    answer_round(client, state, "1", lambda a, c, k: flip(TRUTH[c][1], 0) if a == ANNOTATORS[1] else TRUTH[c][1], users)
    a_clip = next(c for c, a in owner1.items() if a == ANNOTATORS[0])
    c_clip = next(c for c, a in owner1.items() if a == ANNOTATORS[2])
    task_of = {t.data["clip_id"]: t.id for b in r1.batches.values()
               for t in client.sdk.tasks.list(project=b.project_id, fields="all")}
    status, _ = users[ANNOTATORS[0]].call("POST", f"/api/tasks/{task_of[a_clip]}/annotations/?was_cancelled=1",
                                          {"result": [], "was_cancelled": True})
    assert status == 201
    users[ANNOTATORS[2]].post_answer(task_of[c_clip], [{"from_name": "seconds", "to_name": "video", "type": "choices",
                                                       "value": {"choices": ["10"]}}])
    users[ANNOTATORS[0]].post_answer(task_of[a_clip], result_for(TRUTH[a_clip][1]))

    r = runner.invoke(app, ["annotate", "import", "--round", "1", *cli])
    assert r.exit_code == 0, r.output
    rows = {x["clip_id"]: x for x in read_csv(state.round_file("1"))}
    assert len(rows) == 12
    assert {c: x["annotator"] for c, x in rows.items()} == owner1  # recorded as theirs
    assert all(x["labels"] == (flip(TRUTH[c][1], 0) if owner1[c] == ANNOTATORS[1] else TRUTH[c][1])
               for c, x in rows.items())
    rejects = read_csv(state.rejects_file("1"))
    assert sorted(x["reason"].split(";")[0].split(" (")[0] for x in rejects) == [
        f"second annotation by {ANNOTATORS[0]}", "seconds: expected seconds 0..9, but got '10'"]
    assert re.search(r"^skipped or cancelled \(dropped\)\s+1$", r.output, re.M), r.output
    first_import = state.round_file("1").read_text()
    assert runner.invoke(app, ["annotate", "import", "--round", "1", *cli]).exit_code == 0
    assert state.round_file("1").read_text() == first_import  # idempotent

    # Round 2, review mode: every clip to someone else; c@ mislabels second 9 of every clip.
    r = runner.invoke(app, ["annotate", "export", "--round", "2", "--mode", "review", *cli])
    assert r.exit_code == 0, r.output
    state = AnnotationState(data.root)
    owner2 = state.round("2").annotator_of()
    assert set(owner2) == set(owner1) and all(owner2[c] != owner1[c] for c in owner1)
    assert sorted(Counter(owner2.values()).values()) == [4, 4, 4]
    some = state.round("2").batches[ANNOTATORS[0]].project_id
    task = next(iter(client.sdk.tasks.list(project=some, fields="all")))
    assert task.total_predictions == 1  # pre-filled with the round-1 answer
    answer_round(client, state, "2", lambda a, c, k: flip(TRUTH[c][1], 9) if a == ANNOTATORS[2] else TRUTH[c][1], users)
    assert runner.invoke(app, ["annotate", "import", "--round", "2", *cli]).exit_code == 0

    r = runner.invoke(app, ["annotate", "status", *cli])
    assert r.exit_code == 0, r.output
    for rnd in ("1", "2"):
        for annotator in ANNOTATORS:
            assert re.search(rf"^{rnd}\s+{re.escape(annotator)}\s+4\s+4\s+0\s", r.output, re.M), r.output

    r = runner.invoke(app, ["annotate", "reconcile", "--data", str(data.root)])
    assert r.exit_code == 0, r.output
    r1_labels = {c: x["labels"] for c, x in rows.items()}
    r2_labels = {c: (flip(TRUTH[c][1], 9) if owner2[c] == ANNOTATORS[2] else TRUTH[c][1]) for c in owner1}
    a = np.array([[int(v) for v in r1_labels[c]] for c in owner1]).ravel()
    b = np.array([[int(v) for v in r2_labels[c]] for c in owner1]).ravel()
    report = json.loads((state.dir / "agreement.json").read_text())
    assert report["overall"]["percent_agreement"] == round(100 * (a == b).mean(), 2)
    assert report["overall"]["kappa"] == pytest.approx(expected_kappa(a, b), abs=1e-4)
    disagreeing = {c for c in owner1 if owner1[c] == ANNOTATORS[1] or owner2[c] == ANNOTATORS[2]}
    assert report["disagreeing_clips"] == len(disagreeing)
    pair = " & ".join(sorted([ANNOTATORS[1], ANNOTATORS[2]]))
    idx = [i for i, c in enumerate(owner1) if {owner1[c], owner2[c]} == {ANNOTATORS[1], ANNOTATORS[2]}]
    sel = np.concatenate([np.arange(10 * i, 10 * i + 10) for i in idx])
    assert report["per_pair"][pair]["percent_agreement"] == round(100 * (a[sel] == b[sel]).mean(), 2)
    assert "pending" in r.output and len(read_csv(state.dir / "labels.csv")) == 12 - len(disagreeing)

    # Adjudication: the lead sees both answers and gives the truth.
    r = runner.invoke(app, ["annotate", "export", "--round", "adjudicate", "--adjudicator", LEAD, *cli])
    assert r.exit_code == 0, r.output
    state = AnnotationState(data.root)
    assert set(state.round("adjudicate").batches[LEAD].clips) == disagreeing
    answer_round(client, state, "adjudicate", lambda a, c, k: TRUTH[c][1], users)
    assert runner.invoke(app, ["annotate", "import", "--round", "adjudicate", *cli]).exit_code == 0
    r = runner.invoke(app, ["annotate", "reconcile", "--data", str(data.root)])
    assert r.exit_code == 0, r.output
    final = {x["clip_id"]: x for x in read_csv(state.dir / "labels.csv")}
    assert {c: x["labels"] for c, x in final.items()} == {c: t for c, (_, t) in TRUTH.items()}
    for c, x in final.items():
        disputed = {k for k in range(10) if r1_labels[c][k] != r2_labels[c][k]}
        assert x["provenance"] == "".join("j" if k in disputed else "a" for k in range(10))


def test_server_killed_mid_import_leaves_nothing_half_written(label_studio, tmp_path, ffmpeg_available):
    data = make_served_data_dir(tmp_path / "data", {f"clip{i:07d}": "dog barking" for i in range(6)})
    second_label_studio = serve_data_folder(label_studio, data.root)
    client = second_label_studio.client()
    users = ensure_accounts(client, ANNOTATORS[:2])
    export_round(data, "1", ExportOptions(annotators=ANNOTATORS[:2]), client, echo=lambda *_: None)
    state = AnnotationState(data.root)
    answer_round(client, state, "1", lambda a, c, k: "0011100000", users)

    def kill_after_first(annotator):
        if annotator == ANNOTATORS[0]:
            second_label_studio.stop()

    with pytest.raises(OvavelError, match="nothing was written for this step"):
        import_round(data, "1", client, after_fetch=kill_after_first)
    assert not state.round_file("1").exists()
    restarted = type(second_label_studio)(second_label_studio.root, second_label_studio.state.port)
    summary = import_round(data, "1", restarted.client())
    assert summary.rows == 6 and summary.missing == []
    assert len(read_csv(state.round_file("1"))) == 6
    restarted.stop()
