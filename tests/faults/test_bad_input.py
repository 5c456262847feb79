"""Bad input gets a clear error before any work (file, line or id, and what was expected), and a
damaged feature store or a resumed run never passes for a good one."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from ovavel.catalog import ClassCatalog, EventClass, load_catalog, read_class_list
from ovavel.app.cli import app
from ovavel.curation.selection import select_index
from ovavel.errors import InputError, OvavelError
from ovavel.formats import Label, SplitRow, read_labels
from ovavel.formats import read_predictions
from ovavel.feature_store import FeatureStore
from ovavel.testing.synthetic_features import planted_features

CATALOG = load_catalog()


def test_a_latin1_byte_names_the_file_and_line(tmp_path):
    index = tmp_path / "vggsound.csv"
    index.write_bytes(b"aaaaaaaaaaa,0,dog barking,train\r\nbbbbbbbbbbb,5,dog barking,train\r\n"
                      b"ccccccccccc,7,caf\xe9 music,test\r\n")
    with pytest.raises(InputError, match=r"vggsound\.csv, line 3: byte 0xe9 is not UTF-8; save the file as UTF-8"):
        select_index(str(index), ["dog barking"], CATALOG)
    r = CliRunner().invoke(app, ["curate", "filter", "--index", str(index), "-o", str(tmp_path / "i.csv")])
    assert r.exit_code == 1 and "line 3: byte 0xe9" in r.output and "Traceback" not in r.output


def test_a_byte_order_mark_is_dropped_in_every_reader(tmp_path):
    bom = "\ufeff"
    classes = tmp_path / "classes.txt"
    classes.write_text(bom + "dog barking\nhelicopter\n", encoding="utf-8")
    assert read_class_list(classes) == ["dog barking", "helicopter"]
    labels = tmp_path / "labels.csv"
    labels.write_text(bom + "clip_id,class,labels\nvvvvvvvvvv1,dog barking,0011000000\n", encoding="utf-8")
    assert read_labels(labels) == {"vvvvvvvvvv1": Label("dog barking", "0011000000")}
    index = tmp_path / "vggsound.csv"
    index.write_text(bom + "aaaaaaaaaaa,30,dog barking,train\r\n", encoding="utf-8")
    rows, rejects = select_index(str(index), ["dog barking"], CATALOG)
    assert [r.clip_id for r in rows] == ["aaaaaaaaaaa_000030"] and rejects == []


def test_an_absurd_start_time_is_rejected_with_its_line(tmp_path):
    index = tmp_path / "vggsound.csv"
    index.write_text("aaaaaaaaaaa,99999999999999999999,dog barking,train\r\nbbbbbbbbbbb,86400,dog barking,train\r\n")
    rows, rejects = select_index(str(index), ["dog barking"], CATALOG)
    assert [r.clip_id for r in rows] == ["bbbbbbbbbbb_086400"]
    assert [(r.line, r.reason) for r in rejects] == [
        (1, "start seconds must be at most 86400 (24 h), but got 99999999999999999999")]


def test_predictions_with_an_eleventh_second_are_refused(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("clip_id," + ",".join(f"seg_{k}" for k in range(11)) + "\nvvvvvvvvvv1," + ",".join(["background"] * 11) + "\n")
    with pytest.raises(InputError, match=r"p\.csv, line 1: expected the columns clip_id,seg_0..seg_9 only, but got "
                                         r"also seg_10"):
        read_predictions(path, set(CATALOG.names))


@pytest.mark.parametrize("name", ["other", "background", "Unassigned"])
def test_a_class_cannot_take_a_reserved_name(tmp_path, name):
    catalog = tmp_path / "classes.csv"
    catalog.write_text(f"name,vggsound_label,group,split\ndog barking,dog barking,animal,seen\n{name},x,other,seen\n")
    with pytest.raises(InputError, match=rf"classes\.csv, line 3: '{name}' cannot be a class name"):
        load_catalog(catalog)
    listing = tmp_path / "list.txt"
    listing.write_text(f"dog barking\n\n{name}\n")
    with pytest.raises(InputError, match=rf"list\.txt, line 3: '{name}' cannot be a class name"):
        read_class_list(listing)


@pytest.fixture
def store(tmp_path):
    feats, labels = planted_features(["dog barking", "helicopter"], 2, dim=8, seed=0)
    store = FeatureStore(tmp_path / "feats")
    store.init({"encoder": "imagebind-tiny", "random_init": True, "dim": 8}, feats.texts, feats.text_emb)
    store.write_part(0, feats.clip_ids, feats.audio.astype(np.float32), feats.visual.astype(np.float32))
    store.compact()
    return store, feats, labels


@pytest.mark.parametrize("damage", ["truncated features", "empty features", "empty texts", "truncated meta",
                                    "other dimension"])
def test_a_damaged_feature_store_names_the_file_and_what_to_run(store, damage):
    store, feats, _ = store
    target = {"truncated features": "features.npz", "empty features": "features.npz", "empty texts": "texts.npy",
              "truncated meta": "meta.json", "other dimension": "texts.npy"}[damage]
    path = store.root / target
    if damage.startswith("truncated"):
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    elif damage.startswith("empty"):
        path.write_bytes(b"")
    else:
        np.save(path, np.zeros((len(feats.texts), 4), np.float32))
    with pytest.raises(OvavelError, match=rf"{target} is damaged .*run `baseline features` again"):
        store.load()
    r = CliRunner().invoke(app, ["baseline", "predict", "--features", str(store.root), "--out",
                                 str(store.root.parent / "p.csv")])
    assert r.exit_code == 1 and f"{target} is damaged" in r.output and "Aborted" not in r.output


def _train_args(store, tmp_path, train_rows, val_rows, labels):
    from ovavel.formats import write_labels, write_split

    write_split(tmp_path / "train.csv", train_rows)
    write_split(tmp_path / "val.csv", val_rows)
    write_labels(tmp_path / "labels.csv", labels)
    return ["baseline", "train", "--features", str(store.root), "--train", str(tmp_path / "train.csv"), "--val",
            str(tmp_path / "val.csv"), "--labels", str(tmp_path / "labels.csv"), "--select-on", "val",
            "--device", "cpu", "--no-progress", "--out", str(tmp_path / "run")]


@pytest.mark.parametrize("case, message", [
    ("empty train", "the training split holds no clips"),
    ("empty val", "the videos that choose the best epoch (val) are none"),
    ("unlabelled clip", "1 clip(s) of the training or selection split have no labels, first 'syn001v0001'"),
])
def test_training_stops_before_writing_anything(store, tmp_path, case, message):
    store, feats, labels = store
    rows = [SplitRow(c, labels[c].cls, "seen") for c in feats.clip_ids]
    train_rows, val_rows = (rows[:0], rows) if case == "empty train" else (rows, rows[:0]) if case == "empty val" \
        else (rows, rows)
    if case == "unlabelled clip":
        labels = {c: lab for c, lab in labels.items() if c != "syn001v0001"}
    catalog = tmp_path / "classes.csv"
    ClassCatalog([EventClass("dog barking", "", "animal", "seen"), EventClass("helicopter", "", "vehicle", "seen")]
                 ).write(catalog)
    r = CliRunner().invoke(app, _train_args(store, tmp_path, train_rows, val_rows, labels) + ["--classes", str(catalog)])
    assert r.exit_code == 1 and message in r.output, r.output
    assert not (tmp_path / "run").exists()


def test_a_resumed_run_logs_each_epoch_once(store, tmp_path):
    store, feats, labels = store
    rows = [SplitRow(c, labels[c].cls, "seen") for c in feats.clip_ids]
    catalog = tmp_path / "classes.csv"
    ClassCatalog([EventClass("dog barking", "", "animal", "seen"), EventClass("helicopter", "", "vehicle", "seen")]
                 ).write(catalog)
    args = _train_args(store, tmp_path, rows, rows, labels) + ["--classes", str(catalog)]
    assert CliRunner().invoke(app, args + ["--epochs", "2"]).exit_code == 0
    # Killed after epoch 3 wrote its log line but before its checkpoint: the line is there, last.pt is epoch 2's.
    log = tmp_path / "run" / "log.jsonl"
    log.write_text(log.read_text() + json.dumps({"epoch": 3, "loss": 1.0}) + "\n")
    r = CliRunner().invoke(app, args + ["--epochs", "3", "--resume"])
    assert r.exit_code == 0, r.output
    assert [json.loads(line)["epoch"] for line in log.read_text().splitlines()] == [1, 2, 3]
