"""`ovavel metrics` on files: report contents, the CLI and functional paths agree, every input check."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from ovavel.catalog import load_catalog
from ovavel.app.cli import app
from ovavel.errors import InputError
from ovavel.metrics.report import ScoreSettings, score_arrays, score_files
from ovavel.tables import read_csv, write_csv

SEEN, UNSEEN = "people burping", "dog barking"  # seen and unseen in the bundled catalog
SEGS = [f"seg_{k}" for k in range(10)]


def write_labels(path, rows):
    write_csv(path, [{"clip_id": c, "class": k, "labels": l} for c, k, l in rows], ["clip_id", "class", "labels"])


def write_preds(path, rows):
    write_csv(path, [{"clip_id": c, **dict(zip(SEGS, segs))} for c, segs in rows], ["clip_id"] + SEGS)


@pytest.fixture
def files(tmp_path):
    labels = tmp_path / "labels.csv"
    preds = tmp_path / "predictions.csv"
    write_labels(labels, [("vvvvvvvvvv1", UNSEEN, "0011110000"), ("vvvvvvvvvv2", SEEN, "1111111111"), ("vvvvvvvvvv3", SEEN, "0000000000")])
    write_preds(preds, [
        ("vvvvvvvvvv1", ["background"] * 2 + [UNSEEN] * 4 + ["background"] * 4),  # perfect
        ("vvvvvvvvvv2", [SEEN] * 5 + ["background"] * 5),                          # half found
        ("vvvvvvvvvv3", ["background"] * 10),                                      # all background, right
    ])
    return tmp_path, labels, preds


def test_report_figures_and_files(files):
    tmp, labels, preds = files
    out = tmp / "out"
    r = CliRunner().invoke(app, ["metrics", "--pred", str(preds), "--labels", str(labels), "--out", str(out)])
    assert r.exit_code == 0, r.output
    report = json.loads((out / "report.json").read_text())
    assert set(report) == {"total", "seen", "unseen"}
    # v2: acc 0.5; class row TP 5 FN 5 -> 10/15; background row TP 0 FP 5 -> 0: seg 1/3.
    # Events: class [0,5) vs [0,10) IoU 0.5 -> match (F 1); background [5,10) unmatched FP (F 0): 0.5.
    assert report["seen"]["acc"] == pytest.approx((0.5 + 1) / 2)
    assert report["seen"]["seg_f1"] == pytest.approx((1 / 3 + 1) / 2)
    assert report["seen"]["event_f1"] == pytest.approx((0.5 + 1) / 2)
    assert report["unseen"] == {"acc": 1.0, "seg_f1": 1.0, "event_f1": 1.0, "avg": 1.0, "videos": 1}
    assert report["total"]["videos"] == 3
    assert report["total"]["acc"] == pytest.approx(2.5 / 3)
    assert report["total"]["avg"] == pytest.approx(
        (report["total"]["acc"] + report["total"]["seg_f1"] + report["total"]["event_f1"]) / 3)
    md = (out / "report.md").read_text()
    assert "| seen | 75.0 | 66.7 | 75.0 | 72.2 | 2 |" in md
    assert "| unseen | 100.0 | 100.0 | 100.0 | 100.0 | 1 |" in md
    per_class = {r["class"]: r for r in read_csv(out / "per_class.csv")}
    assert per_class[UNSEEN]["split"] == "unseen" and per_class[SEEN]["videos"] == "2"
    per_video = read_csv(out / "per_video.csv")
    assert [(v["clip_id"], v["acc"]) for v in per_video] == [("vvvvvvvvvv1", "1.0000"), ("vvvvvvvvvv2", "0.5000"), ("vvvvvvvvvv3", "1.0000")]
    assert (out / "per_class.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| total |" in r.output


def test_cli_and_functional_paths_give_identical_numbers(tmp_path):
    cat = load_catalog()
    rng = np.random.default_rng(3)
    names = cat.names
    ids, classes, labels, preds = [], [], [], []
    for i in range(100):
        c = names[rng.integers(len(names))]
        lab = "".join(rng.choice(["0", "1"], 10))
        ids.append(f"clipclip{i:03d}")
        classes.append(c)
        labels.append(lab)
        preds.append([c if rng.random() < 0.7 else "background" for _ in range(10)])
    write_labels(tmp_path / "labels.csv", list(zip(ids, classes, labels)))
    write_preds(tmp_path / "p.csv", list(zip(ids, preds)))
    settings = ScoreSettings("official-batched", 32)
    direct = score_arrays(ids, classes, labels, preds, cat, settings).summary
    r = CliRunner().invoke(app, ["metrics", "--pred", str(tmp_path / "p.csv"), "--labels", str(tmp_path / "labels.csv"),
                                 "--protocol", "official-batched", "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "o" / "report.json").read_text()) == direct
    plain = score_arrays(ids, classes, labels, preds, cat).summary
    # 100 = 3 x 32 + 4: the partial batch moves the F1 figures; accuracy is pooled either way.
    assert plain["total"]["seg_f1"] != direct["total"]["seg_f1"]
    assert plain["total"]["acc"] == direct["total"]["acc"]


def test_split_file_selects_and_orders_clips(files):
    tmp, labels, preds = files
    split = tmp / "test.csv"
    write_csv(split, [{"clip_id": "vvvvvvvvvv3", "class": SEEN, "split_type": "seen"},
                      {"clip_id": "vvvvvvvvvv2", "class": SEEN, "split_type": "seen"}], ["clip_id", "class", "split_type"])
    write_preds(preds, [("vvvvvvvvvv2", [SEEN] * 5 + ["background"] * 5), ("vvvvvvvvvv3", ["background"] * 10)])
    rep = score_files(preds, labels, load_catalog(), split)
    assert rep.clip_ids == ["vvvvvvvvvv3", "vvvvvvvvvv2"]
    assert rep.summary["unseen"]["videos"] == 0 and rep.summary["unseen"]["acc"] != rep.summary["unseen"]["acc"]
    batched = score_files(preds, labels, load_catalog(), split, ScoreSettings("official-batched", 1))
    assert batched.summary["total"]["acc"] == pytest.approx(0.75)


def expect_error(tmp, labels, preds, match, split=None, **kw):
    with pytest.raises(InputError, match=match):
        score_files(preds, labels, load_catalog(), split, ScoreSettings(**kw))


def test_prediction_for_unknown_clip(files):
    tmp, labels, preds = files
    write_preds(preds, [("vvvvvvvvvv1", ["background"] * 10), ("vvvvvvvvvv2", ["background"] * 10), ("vvvvvvvvvv3", ["background"] * 10),
                        ("ghostghostg", ["background"] * 10)])
    expect_error(tmp, labels, preds, r"predictions.csv: prediction for unknown clip 'ghostghostg'")


def test_missing_clips_error_or_background(files):
    tmp, labels, preds = files
    write_preds(preds, [("vvvvvvvvvv1", ["background"] * 10)])
    expect_error(tmp, labels, preds, r"no prediction for 2 of the 3 clip\(s\) scored, first 'vvvvvvvvvv2': pass --split "
                                     r"with the split file of the clips you predicted \(e.g. test.csv\); only if a "
                                     r"missing clip should count as all background, pass --missing background")
    rep = score_files(preds, labels, load_catalog(), settings=ScoreSettings(missing="background"))
    assert rep.scores.acc.tolist() == [0.6, 0.0, 1.0] and rep.filled == 2


def test_missing_clips_hint_names_the_split_file_that_holds_the_predictions(files):
    """Predictions for the test clips only, scored without --split: the hint names test.csv (the
    smallest split file beside labels.csv holding every predicted clip), not --missing background."""
    tmp, labels, preds = files
    write_csv(tmp / "test.csv", [{"clip_id": "vvvvvvvvvv1", "class": UNSEEN, "split_type": "unseen"}],
              ["clip_id", "class", "split_type"])
    write_csv(tmp / "val.csv", [{"clip_id": c, "class": SEEN, "split_type": "seen"} for c in ("vvvvvvvvvv2", "vvvvvvvvvv3")],
              ["clip_id", "class", "split_type"])
    write_preds(preds, [("vvvvvvvvvv1", ["background"] * 10)])
    expect_error(tmp, labels, preds, rf"pass --split {tmp / 'test.csv'} \(its 1 clips hold every prediction\)")
    # --missing background scores all three and says how many it filled, on the screen and in report.md.
    r = CliRunner().invoke(app, ["metrics", "--pred", str(preds), "--labels", str(labels), "--missing", "background",
                                 "--out", str(tmp / "out")])
    assert r.exit_code == 0, r.output
    note = "2 of the 3 clips had no prediction and were scored as all background (--missing background)."
    assert f"warning: {note}" in r.output and note in (tmp / "out" / "report.md").read_text()
    assert (tmp / "out" / "predictions.csv").read_bytes() == preds.read_bytes()  # kept beside the report


def test_predictions_that_are_not_names_get_a_message_saying_what_is_expected(files):
    tmp, labels, preds = files
    write_preds(preds, [("vvvvvvvvvv1", ["1"] * 2 + ["0"] * 8)])
    expect_error(tmp, labels, preds, r"line 2: clip 'vvvvvvvvvv1': unknown class '1'.*each seg_k cell names what the "
                                     r"model finds in second k: a class name, or 'background'; 0/1 labels belong in "
                                     r"labels.csv")
    preds.write_text("clip_id\t" + "\t".join(SEGS) + "\nvvvvvvvvvv1\t" + "\t".join(["background"] * 10) + "\n")
    expect_error(tmp, labels, preds, r"predictions.csv, line 1: expected comma-separated columns clip_id,seg_0,...,"
                                     r"seg_9, but the header is tab-separated")


def test_unknown_class_name_in_predictions(files):
    tmp, labels, preds = files
    write_preds(preds, [("vvvvvvvvvv1", ["dog barkin"] + ["background"] * 9)])
    expect_error(tmp, labels, preds, r"line 2: clip 'vvvvvvvvvv1': unknown class 'dog barkin'.*closest known: 'dog barking'")
    write_preds(preds, [("vvvvvvvvvv1", ["other"] + ["background"] * 9)])
    expect_error(tmp, labels, preds, r"not 'other'")


def test_unknown_class_name_in_labels(files):
    tmp, labels, preds = files
    write_labels(labels, [("vvvvvvvvvv1", "unicorn", "0000000000")])
    expect_error(tmp, labels, preds, r"labels.csv, line 2: clip 'vvvvvvvvvv1': unknown class 'unicorn'")


def test_rows_with_other_than_ten_segments(files):
    tmp, labels, preds = files
    preds.write_text("clip_id," + ",".join(SEGS[:9]) + "\nv1" + ",background" * 9 + "\n")
    expect_error(tmp, labels, preds, r"line 1: expected 10 segment columns seg_0..seg_9, but seg_9 missing")
    preds.write_text("clip_id," + ",".join(SEGS) + "\nv1" + ",background" * 9 + "\n")
    expect_error(tmp, labels, preds, r"line 2: expected 11 fields, but got 10")
    write_labels(labels, [("vvvvvvvvvv1", SEEN, "011")])
    expect_error(tmp, labels, preds, r"expected labels of ten 0/1 characters, but got '011'")
    write_labels(labels, [("vvvvvvvvvv1", SEEN, "01100000x0")])
    expect_error(tmp, labels, preds, r"ten 0/1 characters")


def test_duplicate_ids(files):
    tmp, labels, preds = files
    write_preds(preds, [("vvvvvvvvvv1", ["background"] * 10), ("vvvvvvvvvv1", ["background"] * 10)])
    expect_error(tmp, labels, preds, r"predictions.csv, line 3: duplicate clip id 'vvvvvvvvvv1'")
    write_labels(labels, [("vvvvvvvvvv1", SEEN, "0" * 10), ("vvvvvvvvvv1", SEEN, "1" * 10)])
    expect_error(tmp, labels, preds, r"labels.csv, line 3: duplicate clip id 'vvvvvvvvvv1'")


def test_split_checks(files):
    tmp, labels, preds = files
    split = tmp / "test.csv"
    write_csv(split, [{"clip_id": "vvvvvvvvvv9", "class": SEEN}], ["clip_id", "class"])
    expect_error(tmp, labels, preds, r"test.csv: clip 'vvvvvvvvvv9' has no labels", split=split)
    write_csv(split, [{"clip_id": "vvvvvvvvvv2", "class": UNSEEN}], ["clip_id", "class"])
    expect_error(tmp, labels, preds, r"clip 'vvvvvvvvvv2': class 'dog barking' here, 'people burping' in", split=split)
    write_csv(split, [{"clip_id": "vvvvvvvvvv2", "class": SEEN}, {"clip_id": "vvvvvvvvvv2", "class": SEEN}], ["clip_id", "class"])
    expect_error(tmp, labels, preds, r"test.csv, line 3: duplicate clip id 'vvvvvvvvvv2'", split=split)


def test_cli_errors_exit_nonzero_with_message(files):
    tmp, labels, preds = files
    write_preds(preds, [("vvvvvvvvvv1", ["background"] * 10)])
    r = CliRunner().invoke(app, ["metrics", "--pred", str(preds), "--labels", str(labels), "--out", str(tmp / "o")])
    assert r.exit_code == 1 and "no prediction for 2 of the 3 clip(s)" in r.output
    r = CliRunner().invoke(app, ["metrics", "--pred", str(preds), "--labels", str(labels), "--out", str(tmp / "o"),
                                 "--batch-size", "0", "--protocol", "official-batched"])
    assert r.exit_code == 2 and "--batch-size" in r.output


def test_the_nearest_published_rows_stand_under_your_table(files):
    """With --split and the bundled classes, metrics prints (and report.md holds) the three
    published Table 2 rows nearest to yours in total Avg, yours scored with the batched protocol."""
    from ovavel.metrics.published import nearest_rows, published_rows

    tmp, labels, preds = files
    split = tmp / "test.csv"
    write_csv(split, [{"clip_id": c, "class": k, "split_type": t} for c, k, t in [
        ("vvvvvvvvvv1", UNSEEN, "unseen"), ("vvvvvvvvvv2", SEEN, "seen"), ("vvvvvvvvvv3", SEEN, "seen")]],
        ["clip_id", "class", "split_type"])
    r = CliRunner().invoke(app, ["metrics", "--pred", str(preds), "--labels", str(labels), "--split", str(split),
                                 "--out", str(tmp / "out")])
    assert r.exit_code == 0, r.output
    batched = score_files(preds, labels, load_catalog(), split, ScoreSettings("official-batched", 32))
    rows = published_rows("2")
    mine = round(100 * batched.summary["total"]["avg"], 1)
    expected = sorted(rows, key=lambda n: (abs(rows[n]["total"]["avg"] - 100 * batched.summary["total"]["avg"]), n))[:3]
    assert nearest_rows(batched.summary, 3) == expected
    assert "### Nearest published rows of Table 2 (yours scored with the released evaluation's batched protocol, " \
           "batch 32, as the published rows were)" in r.output
    for name in expected:
        line = next(x for x in r.output.splitlines() if x.startswith(f"| {name} (published) |"))
        assert line.endswith(f"| {rows[name]['total']['avg'] - mine:+.1f} |")
        assert f"{rows[name]['seen']['acc']:.1f}" in line
    assert f"| yours | {100 * batched.summary['seen']['acc']:.1f} |" in r.output
    assert "Nearest published rows" in (tmp / "out" / "report.md").read_text()
    # Off with --compare-published 0; and without --split it is off by default.
    r = CliRunner().invoke(app, ["metrics", "--pred", str(preds), "--labels", str(labels), "--out", str(tmp / "o2")])
    assert r.exit_code == 0 and "Nearest published rows" not in r.output


def test_an_unassigned_prediction_in_a_file_is_in_no_row_and_background_for_accuracy(files):
    """As the released evaluation scores the training-free rule's unassigned seconds: a clip of
    class C true in 0-2 predicted unassigned there: accuracy 7/10; row C F 0, background F 1: 0.5."""
    tmp, labels, preds = files
    write_labels(labels, [("vvvvvvvvvv1", UNSEEN, "1110000000")])
    write_preds(preds, [("vvvvvvvvvv1", ["unassigned"] * 3 + ["background"] * 7)])
    rep = score_files(preds, labels, load_catalog())
    assert (rep.scores.acc[0], rep.scores.seg_f1[0], rep.scores.event_f1[0]) == pytest.approx((0.7, 0.5, 0.5))
    write_preds(preds, [("vvvvvvvvvv1", ["background"] * 10)])  # the same seconds as background score lower F1
    rep = score_files(preds, labels, load_catalog())
    assert rep.scores.seg_f1[0] == pytest.approx((0 + 2 * 7 / (2 * 7 + 3)) / 2)
