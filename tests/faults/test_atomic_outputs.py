"""Every stage leaves the previous state on failure, and a split of too few classes says what is
missing instead of writing something empty."""

from __future__ import annotations

import errno
import json

from click.testing import CliRunner

from ovavel.catalog import load_catalog
from ovavel.app.cli import app
from ovavel.formats import Label, write_labels

CATALOG = load_catalog()


def labels_for(counts: dict[str, int]) -> dict[str, Label]:
    return {f"c{k:02d}clip{i:04d}": Label(c, format((37 * (i + 1)) % 1024, "010b"))
            for k, (c, n) in enumerate(counts.items()) for i in range(n)}


def disk_full(*_, **__):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_splits_of_four_classes_say_what_is_missing(tmp_path):
    seen = CATALOG.by_split("seen")[:2]
    unseen = CATALOG.by_split("unseen")[:2]
    path = tmp_path / "labels.csv"
    write_labels(path, labels_for({c: 20 for c in seen + unseen}))
    runner = CliRunner()
    r = runner.invoke(app, ["splits", "make", "--labels", str(path), "--out", str(tmp_path / "s")])
    assert r.exit_code == 1 and "the labels hold 4 of the 67 classes" in r.output and "--allow-partial" in r.output
    assert not (tmp_path / "s").exists()
    r = runner.invoke(app, ["splits", "make", "--labels", str(path), "--out", str(tmp_path / "s"), "--allow-partial"])
    assert r.exit_code == 0, r.output
    assert "(2 unseen classes present, of 21)" in r.output
    report = json.loads((tmp_path / "s" / "split_report.json").read_text())
    assert report["unseen_classes_present"] == 2 and all(report["sizes"].values())


def test_a_split_that_would_leave_val_empty_stops(tmp_path):
    path = tmp_path / "labels.csv"
    write_labels(path, labels_for({c: 1 for c in CATALOG.by_split("seen")[:3]}))  # one video each: none for val
    r = CliRunner().invoke(app, ["splits", "make", "--labels", str(path), "--out", str(tmp_path / "s"),
                                 "--allow-partial"])
    assert r.exit_code == 1 and "the split would leave" in r.output and "val" in r.output
    assert not (tmp_path / "s").exists()


def test_splits_make_writes_its_folder_whole_or_not_at_all(tmp_path, monkeypatch):
    path = tmp_path / "labels.csv"
    write_labels(path, labels_for({c: 20 for c in CATALOG.names}))
    out = tmp_path / "s"
    import ovavel.splits.make as make

    monkeypatch.setattr(make, "write_labels", disk_full)  # the disk fills after train/val/test.csv
    r = CliRunner().invoke(app, ["splits", "make", "--labels", str(path), "--out", str(out)])
    assert r.exit_code != 0
    assert not out.exists() and not list(tmp_path.glob(".s.*.part"))  # nothing half-written, no leftovers
    monkeypatch.undo()
    assert CliRunner().invoke(app, ["splits", "make", "--labels", str(path), "--out", str(out)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    monkeypatch.setattr(make, "write_labels", disk_full)
    r = CliRunner().invoke(app, ["splits", "make", "--labels", str(path), "--out", str(out), "--seed", "5", "--force"])
    assert r.exit_code != 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the previous split, untouched


def test_metrics_writes_every_report_file_or_none(tmp_path, monkeypatch):
    labels = tmp_path / "labels.csv"
    labels.write_text("clip_id,class,labels\nvvvvvvvvvv1,dog barking,0011000000\n")
    pred = tmp_path / "p.csv"
    pred.write_text("clip_id," + ",".join(f"seg_{k}" for k in range(10)) + "\nvvvvvvvvvv1," + ",".join(["background"] * 10) + "\n")
    import ovavel.metrics.report as report

    monkeypatch.setattr(report, "plot_per_class", disk_full)  # the last file fails
    r = CliRunner().invoke(app, ["metrics", "--pred", str(pred), "--labels", str(labels), "--out", str(tmp_path / "m")])
    assert r.exit_code != 0
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == []
    monkeypatch.undo()
    r = CliRunner().invoke(app, ["metrics", "--pred", str(pred), "--labels", str(labels), "--out", str(tmp_path / "m")])
    assert r.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["per_class.csv", "per_class.png", "per_video.csv",
                                                                  "predictions.csv", "report.json", "report.md"]
