"""The method registry: `baseline methods` lists every method with its Table 2 row, and a new
method is one module with its registration, found by every command without an edit to the CLI."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from click.testing import CliRunner

import ovavel.models.methods as methods
from ovavel.app.cli import app
from ovavel.formats import Label, SplitRow, write_labels, write_split
from ovavel.feature_store import FeatureStore
from ovavel.testing.synthetic_features import planted_features

NEW_METHOD = '''
from ovavel.models.methods import Method, register


def predict(ctx):
    return {c: ["background"] * 10 for c in ctx.features.clip_ids}


register(Method("all-background", "", "Every second background", predict))
'''


def test_methods_are_listed_with_their_table_2_rows():
    r = CliRunner().invoke(app, ["baseline", "methods"])
    assert r.exit_code == 0, r.output
    assert re.search(r"^training-free\s+Training-free \(our\)\s+no\s+joint", r.output, re.M)
    assert re.search(r"^fine-tuned\s+Fine-tuning \(our\)\s+yes\s+joint", r.output, re.M)


def test_a_new_method_is_one_module(tmp_path, monkeypatch):
    folder = tmp_path / "more_methods"
    folder.mkdir()
    (folder / "all_background.py").write_text(NEW_METHOD)
    monkeypatch.setattr(methods, "__path__", [*methods.__path__, str(folder)])
    monkeypatch.setattr(methods, "_REGISTRY", dict(methods._REGISTRY))
    r = CliRunner().invoke(app, ["baseline", "methods"])
    assert r.exit_code == 0 and re.search(r"^all-background\s+–\s+no\s+joint\s+Every second background", r.output, re.M)

    feats, labels = planted_features(["dog barking", "helicopter"], 3, dim=8, seed=0)
    store = FeatureStore(tmp_path / "feats")
    store.init({"encoder": "imagebind-tiny", "random_init": True, "dim": 8}, feats.texts, feats.text_emb)
    store.write_part(0, feats.clip_ids, feats.audio.astype(np.float32), feats.visual.astype(np.float32))
    write_split(tmp_path / "test.csv", [SplitRow(c, labels[c].cls, "") for c in feats.clip_ids])
    write_labels(tmp_path / "labels.csv", {c: Label(lab.cls, lab.labels) for c, lab in labels.items()})
    r = CliRunner().invoke(app, ["baseline", "eval", "--method", "all-background", "--features", str(tmp_path / "feats"),
                                 "--split", str(tmp_path / "test.csv"), "--labels", str(tmp_path / "labels.csv"),
                                 "--out", str(tmp_path / "res")])
    assert r.exit_code == 0, r.output
    report = json.loads((tmp_path / "res" / "report.json").read_text())
    zeros = sum(lab.labels.count("0") for lab in labels.values())
    assert report["total"]["acc"] == pytest.approx(zeros / (10 * len(labels)))  # background is right exactly where labelled 0
    r = CliRunner().invoke(app, ["baseline", "train", "--method", "all-background", "--features", str(tmp_path / "feats"),
                                 "--train", str(tmp_path / "test.csv"), "--val", str(tmp_path / "test.csv"),
                                 "--labels", str(tmp_path / "labels.csv"), "--out", str(tmp_path / "run")])
    assert r.exit_code == 1 and "--method all-background is not trained; trainable methods: ave, cmra, fine-tuned, mm-pyramid, psp" in r.output


def test_an_unknown_method_lists_the_known_ones(tmp_path):
    r = CliRunner().invoke(app, ["baseline", "predict", "--features", str(tmp_path), "--out", str(tmp_path / "p.csv"),
                                 "--method", "nope"])
    assert r.exit_code == 1 and "--method: expected one of ave, clip-clap, cmra, fine-tuned, llm, mm-pyramid, psp, training-free, but got 'nope'" in r.output
