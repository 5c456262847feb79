"""`baseline ablate`: a grid over methods and head switches, trained and predicted through the
checked path of `baseline eval`, equal to the runs made one by one."""

from __future__ import annotations

import csv

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from ovavel.catalog import ClassCatalog, EventClass
from ovavel.app.cli import app
from ovavel.errors import OvavelError
from ovavel.formats import Label, SplitRow, write_labels, write_split
from ovavel.metrics.report import score_arrays
from ovavel.models.ablate import parse_grid
from ovavel.feature_store import FeatureStore
from ovavel.models.head import HeadConfig
from ovavel.testing.synthetic_features import planted_features
from ovavel.models.train import TrainSettings, predict_with_run, split_rows, train

NAMES = [f"class {i:02d}" for i in range(8)]
CATALOG = ClassCatalog([EventClass(n, n, "other", "unseen" if i >= 6 else "seen") for i, n in enumerate(NAMES)])


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    root = tmp_path_factory.mktemp("ablate")
    feats, labels = planted_features(NAMES, 6, dim=16, noise=0.3, seed=4)
    store = FeatureStore(root / "feats")
    store.init({"encoder": "imagebind-tiny", "random_init": True, "dim": 16}, feats.texts, feats.text_emb)
    store.write_part(0, feats.clip_ids, feats.audio, feats.visual)
    parts = {"train": [], "val": [], "test": []}
    for c in feats.clip_ids:
        kind, j = CATALOG.get(labels[c].cls).split, int(c[-4:])
        part = ("train" if j < 3 else "val" if j == 3 else "test") if kind == "seen" else "test"
        parts[part].append(SplitRow(c, labels[c].cls, kind))
    for name, rows in parts.items():
        write_split(root / f"{name}.csv", rows)
    write_labels(root / "labels.csv", {c: Label(lab.cls, lab.labels) for c, lab in labels.items()})
    CATALOG.write(root / "classes.csv")
    return root, feats, labels


def test_grid_over_methods_equals_single_runs(bench, tmp_path):
    root, feats, labels = bench
    out = tmp_path / "abl"
    r = CliRunner().invoke(app, ["baseline", "ablate", "--grid", "method=fine-tuned,psp;fusion=sqrt,prob-avg",
                                 "--seeds", "0", "--features", str(root / "feats"), "--train", str(root / "train.csv"),
                                 "--val", str(root / "val.csv"), "--test", str(root / "test.csv"),
                                 "--labels", str(root / "labels.csv"), "--classes", str(root / "classes.csv"),
                                 "--epochs", "2", "--lr", "1e-3", "--device", "cpu", "--out", str(out)])
    assert r.exit_code == 0, r.output
    with open(out / "ablation.csv", newline="") as f:
        rows = {row["setting"]: row for row in csv.DictReader(f)}
    assert list(rows) == ["method=fine-tuned,fusion=sqrt", "method=fine-tuned,fusion=prob-avg",
                          "method=psp,fusion=sqrt", "method=psp,fusion=prob-avg"]
    # The psp + prob-avg cell, made by hand: train, predict with the run, score.
    run = tmp_path / "by-hand"
    train(feats, split_rows(root / "train.csv"), split_rows(root / "val.csv", seen_only=True), labels, CATALOG, run,
          TrainSettings(epochs=2, lr=1e-3, seed=0, device="cpu", method="psp",
                        head=HeadConfig(head="psp", fusion="prob-avg")), progress=False, echo=lambda *_: None)
    ids = [r.clip_id for r in split_rows(root / "test.csv")]
    preds = predict_with_run(run, feats.select(ids), NAMES, "cpu")
    expected = score_arrays(ids, [labels[c].cls for c in ids], [labels[c].labels for c in ids],
                            [preds[c] for c in ids], CATALOG).summary["total"]
    for k in ("acc", "seg_f1", "event_f1", "avg"):
        assert float(rows["method=psp,fusion=prob-avg"][f"{k}_mean"]) == round(expected[k], 4)
        assert float(rows["method=psp,fusion=prob-avg"][f"{k}_std"]) == 0.0
    # psp's runs are psp runs (the checked path refuses another method's run)
    assert '"method": "psp"' in (out / "runs" / "method=psp,fusion=sqrt_seed0" / "settings.json").read_text()
    assert "method=psp,fusion=prob-avg" in (out / "ablation.md").read_text()


def test_grid_refusals():
    assert parse_grid("layers=1,2;width=16") == [{"layers": 1, "width": 16}, {"layers": 2, "width": 16}]
    with pytest.raises(OvavelError, match="unknown key 'depth'"):
        parse_grid("depth=1")
    with pytest.raises(OvavelError, match=r"layers='one' is not a list of int values"):
        parse_grid("layers=one")
    assert np.isclose(parse_grid("residual_dropout=0.1")[0]["residual_dropout"], 0.1)


def test_baseline_train_is_one_library_call(bench, tmp_path):
    """`baseline train` and train_from_files(training_settings(...)) make the same run, to the byte
    of the weights; the method's own head and the recipe's defaults are filled in by the library."""
    from ovavel.models.train_files import train_from_files, training_settings

    root, feats, labels = bench
    r = CliRunner().invoke(app, ["baseline", "train", "--method", "psp", "--fusion", "prob-avg", "--features",
                                 str(root / "feats"), "--train", str(root / "train.csv"), "--val", str(root / "val.csv"),
                                 "--labels", str(root / "labels.csv"), "--catalog", str(root / "classes.csv"),
                                 "--epochs", "2", "--lr", "1e-3", "--device", "cpu", "--no-progress",
                                 "--out", str(tmp_path / "cli")])
    assert r.exit_code == 0, r.output
    settings = training_settings("paper", "psp", epochs=2, lr=1e-3, device="cpu", fusion="prob-avg")
    assert (settings.head.head, settings.batch_size, settings.select_on) == ("psp", 32, "val-seen")
    said = []
    result = train_from_files(root / "feats", root / "train.csv", root / "val.csv", root / "labels.csv",
                              tmp_path / "lib", settings, catalog=root / "classes.csv", progress=False,
                              echo=lambda *a, **k: said.append(a))
    assert f"best epoch {result['best']['epoch']} " in r.output
    a = torch.load(tmp_path / "cli" / "last.pt", weights_only=False)["head"]
    b = torch.load(tmp_path / "lib" / "last.pt", weights_only=False)["head"]
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert ("RANDOM WEIGHTS: these features carry no meaning; the run is a smoke test",) in said
    with pytest.raises(OvavelError, match="--method training-free is not trained; trainable methods: .*psp"):
        training_settings("paper", "training-free")
    with pytest.raises(OvavelError, match="--select-on test-seen .* needs --test"):
        train_from_files(root / "feats", root / "train.csv", root / "val.csv", root / "labels.csv", tmp_path / "x",
                         training_settings("released"), catalog=root / "classes.csv")
