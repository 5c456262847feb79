"""Label versions: `annotate corrections` changes only the named clips, `ovavel labels diff` lists
them, `ovavel metrics` scores against both versions side by side; `ovavel.load` reads it all as
typed DataFrames."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import ovavel
from ovavel.catalog import load_catalog
from ovavel.app.cli import app
from ovavel.formats import read_labels, write_predictions
from ovavel.metrics.report import score_files
from ovavel.tables import read_csv

from ..core.test_load import FINAL, data  # noqa: F401 (data: the labelled data folder fixture)

def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_corrections_change_only_the_named_clips(data, tmp_path):
    fixes = tmp_path / "fixes.csv"
    fixes.write_text("clip_id,labels,reason,class\n"
                     "baaaaaaaaaa_000000,1111110000,the bark goes on into second 5,\n"
                     "daaaaaaaaaa_000000,0110000000,a cat is heard not a person,cat purring\n")
    r = run("annotate", "corrections", "--data", data.root, "--from", fixes, "--version", "fixed")
    assert r.exit_code == 0, r.output
    assert "2 clip(s), 11 second(s) changed of 4 clips" in r.output  # 1 second + a class change (all 10)
    folder = data.annotation_dir / "versions" / "fixed"
    rows = {x["clip_id"]: x for x in read_csv(folder / "labels.csv")}
    base = {x["clip_id"]: x for x in read_csv(data.annotation_dir / "labels.csv")}
    assert rows["aaaaaaaaaaa_000000"] == base["aaaaaaaaaaa_000000"] and rows["caaaaaaaaaa_000000"] == base["caaaaaaaaaa_000000"]
    assert rows["baaaaaaaaaa_000000"]["labels"] == "1111110000" and rows["baaaaaaaaaa_000000"]["provenance"] == "aaaajcaaaa"
    assert rows["daaaaaaaaaa_000000"]["class"] == "cat purring" and rows["daaaaaaaaaa_000000"]["provenance"] == "c" * 10
    log = read_csv(folder / "corrections.csv")
    assert [(x["clip_id"], x["seconds"], x["reason"]) for x in log] == [
        ("baaaaaaaaaa_000000", "5", "the bark goes on into second 5"),
        ("daaaaaaaaaa_000000", "0,1,2,3,4,5,6,7,8,9", "a cat is heard not a person")]
    info = json.loads((folder / "version.json").read_text())
    assert info["clips_changed"] == 2 and info["seconds_changed"] == 11 and info["base"] == "annotation/labels.csv"
    # the original is untouched
    assert read_labels(data.annotation_dir / "labels.csv")["baaaaaaaaaa_000000"].labels == "1111100000"

    r = run("labels", "diff", data.annotation_dir / "labels.csv", "fixed", "--data", data.root)
    assert r.exit_code == 0, r.output
    assert "2 clip(s) changed, 11 second(s); only in A: 0, only in B: 0" in r.output
    assert "dog barking" in r.output and "people burping -> cat purring" in r.output

    r = run("annotate", "corrections", "--data", data.root, "--from", fixes, "--version", "fixed")
    assert r.exit_code == 1 and "labels version 'fixed' exists" in r.output
    # The labels group holds the versions' commands: correct (the same as annotate corrections) and list.
    r = run("labels", "correct", "--data", data.root, "--from", fixes, "--version", "fixed-2", "--base", "fixed")
    assert r.exit_code == 0 and "0 clip(s), 0 second(s) changed of 4 clips" in r.output, r.output
    r = run("labels", "list", "--data", data.root)
    assert r.exit_code == 0, r.output
    listed = [line.split()[:2] for line in r.output.splitlines()[2:]]
    assert listed == [["fixed", "annotation/labels.csv"], ["fixed-2", "fixed"]]


@pytest.mark.parametrize("body,message", [
    ("clip_id,labels,reason\nzzzzzzzzzzz,0000000000,x\n", "line 2: clip 'zzzzzzzzzzz' is not in"),
    ("clip_id,labels,reason\naaaaaaaaaaa_000000,01,x\n", "expected labels of ten 0/1 characters"),
    ("clip_id,labels,reason\naaaaaaaaaaa_000000,0000000000,\n", "every correction needs a reason"),
    ("clip_id,labels,reason,class\naaaaaaaaaaa_000000,0000000000,x,no such class\n", "unknown class 'no such class'"),
    ("clip_id,labels\naaaaaaaaaaa_000000,0000000000\n", "missing column(s) reason"),
])
def test_bad_corrections_name_the_line(data, tmp_path, body, message):
    fixes = tmp_path / "bad.csv"
    fixes.write_text(body)
    r = run("annotate", "corrections", "--data", data.root, "--from", fixes, "--version", "v2")
    assert r.exit_code != 0 and message in r.output, r.output
    assert not (data.annotation_dir / "versions" / "v2" / "labels.csv").exists()


def test_metrics_on_both_versions(data, tmp_path):
    fixes = tmp_path / "fixes.csv"
    fixes.write_text("clip_id,labels,reason\nbaaaaaaaaaa_000000,1111110000,longer\ncaaaaaaaaaa_000000,0000000000,no burp at all\n")
    assert run("annotate", "corrections", "--data", data.root, "--from", fixes, "--version", "fixed").exit_code == 0
    truth = {cid: [cls if b == "1" else "background" for b in lab] for cid, cls, lab, _ in FINAL}
    write_predictions(tmp_path / "pred.csv", truth)  # right against the original labels
    r = run("metrics", "--pred", tmp_path / "pred.csv", "--labels", data.annotation_dir / "labels.csv",
            "--labels-version", "fixed", "--data", data.root, "--out", tmp_path / "m")
    assert r.exit_code == 0, r.output
    table = (tmp_path / "m" / "comparison.md").read_text()
    assert "| | Acc (annotation) | Acc (fixed) | Seg (annotation) | Seg (fixed) |" in table
    catalog = load_catalog()
    fixed = score_files(tmp_path / "pred.csv", data.annotation_dir / "versions" / "fixed" / "labels.csv", catalog)
    total = [line for line in table.splitlines() if line.startswith("| total |")][0].split("|")[2:-1]
    assert total[0].strip() == "100.0" and total[1].strip() == f"{100 * fixed.summary['total']['acc']:.1f}"
    assert float(total[1]) < 100
    for name in ("annotation", "fixed"):
        assert json.loads((tmp_path / "m" / name / "report.json").read_text())["total"]["videos"] == 4


def test_load_reads_a_labels_version(data, tmp_path):
    fixes = tmp_path / "fixes.csv"
    fixes.write_text("clip_id,labels,reason\naaaaaaaaaaa_000000,0011000000,longer\n")
    assert run("annotate", "corrections", "--data", data.root, "--from", fixes, "--version", "v1").exit_code == 0
    assert ovavel.load(data.root, labels_version="v1").labels["labels"].tolist()[0] == "0011000000"
    with pytest.raises(ovavel.errors.OvavelError, match="no labels version 'v9'"):
        ovavel.load(data.root, labels_version="v9")
