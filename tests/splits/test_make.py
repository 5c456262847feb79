"""splits make on generated labels: invariants (property-based), determinism, errors, export, quotas."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from ovavel.catalog import ClassCatalog, EventClass, load_catalog
from ovavel.app.cli import app
from ovavel.curation.official import read_annotations, read_class_names, read_meta
from ovavel.errors import OvavelError
from ovavel.formats import Label, read_split, write_labels
from ovavel.splits.invariants import violations
from ovavel.splits.make import MakeSettings, make_splits
from ovavel.splits.partition import group_quotas
from ovavel.splits.video_split import part_sizes


def tiny_catalog(n_per_group=3, unseen_per_group=1):
    classes = []
    for g in ("human activity", "animal", "music", "vehicle", "other"):
        for i in range(n_per_group):
            classes.append(EventClass(f"{g} {i}", f"{g} {i}", g, "unseen" if i < unseen_per_group else "seen"))
    return ClassCatalog(classes)


def labels_for(counts: dict[str, int], pattern=lambda i: "0" * (i % 11) + "1" * (10 - i % 11)):
    out = {}
    for k, (c, n) in enumerate(counts.items()):
        for i in range(n):
            out[f"k{k:03d}clip{i:03d}"] = Label(c, pattern(i)[:10].ljust(10, "0"))
    return out


def test_part_sizes_by_hand():
    assert part_sizes(404, True) == (323, 40, 41)  # official 'people burping'
    assert part_sizes(228, True) == (182, 23, 23)
    assert part_sizes(291, False) == (0, 145, 146)
    assert part_sizes(10, True, 0.7) == (7, 1, 2)


def test_group_quotas_follow_group_sizes():
    sizes = {"human activity": 17, "animal": 15, "music": 17, "vehicle": 9, "other": 9}
    assert group_quotas(sizes, 21) == {"human activity": 5, "animal": 5, "music": 5, "vehicle": 3, "other": 3}
    assert sum(group_quotas(sizes, 30).values()) == 30
    with pytest.raises(OvavelError, match="cannot represent all 5 groups"):
        group_quotas(sizes, 4)
    with pytest.raises(OvavelError, match="leaves some group without a seen class"):
        group_quotas(sizes, 63)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(2, 40), min_size=15, max_size=15), st.integers(0, 10_000),
       st.sampled_from([None, 0.25, 0.5]), st.booleans())
def test_invariants_hold_for_any_counts(counts, seed, ratio, auto):
    cat = tiny_catalog()
    labels = labels_for(dict(zip(cat.names, counts)))
    result = make_splits(labels, cat, MakeSettings(seed=seed, unseen="auto" if auto else None, unseen_count=5,
                                                   train_ratio=ratio))
    unseen = set(result.unseen)
    assert violations(result.parts, unseen, None if ratio else set(labels)) == []
    assert all(r.cls not in unseen for r in result.parts["train"])
    for c, n in zip(cat.names, counts):
        train, val, test = part_sizes(n, c not in unseen)
        got = [sum(r.cls == c for r in result.parts[k]) for k in ("train", "val", "test")]
        if ratio:
            train = -(-train * int(ratio * 100) // 100) if train else 0
        assert got == [train, val, test]
    if auto:
        assert {cat.get(c).group for c in unseen} == {"human activity", "animal", "music", "vehicle", "other"}


def test_deterministic_for_a_seed_and_refuses_overwrite(tmp_path):
    cat = load_catalog()
    labels = labels_for({c: 30 for c in cat.names[:10]})
    path = tmp_path / "labels.csv"
    write_labels(path, labels)
    runner = CliRunner()
    args = ["splits", "make", "--labels", str(path), "--seed", "7", "--allow-partial"]
    assert runner.invoke(app, args + ["--out", str(tmp_path / "a")]).exit_code == 0
    assert runner.invoke(app, args + ["--out", str(tmp_path / "b")]).exit_code == 0
    for name in ("train.csv", "val.csv", "test.csv"):
        assert (tmp_path / "a" / name).read_text() == (tmp_path / "b" / name).read_text()
    other = runner.invoke(app, ["splits", "make", "--labels", str(path), "--seed", "8", "--allow-partial",
                                "--out", str(tmp_path / "c")])
    assert other.exit_code == 0
    assert (tmp_path / "a" / "test.csv").read_text() != (tmp_path / "c" / "test.csv").read_text()
    again = runner.invoke(app, args + ["--out", str(tmp_path / "a")])
    assert again.exit_code == 1 and "already holds a split" in again.output and "--force" in again.output
    assert runner.invoke(app, args + ["--out", str(tmp_path / "a"), "--force"]).exit_code == 0
    report = json.loads((tmp_path / "a" / "split_report.json").read_text())
    assert report["sizes"]["train"] + report["sizes"]["val"] + report["sizes"]["test"] == 300


def test_errors_name_what_is_wrong(tmp_path):
    cat = tiny_catalog()
    with pytest.raises(OvavelError, match="labels name class 'unicorn'"):
        make_splits({"a": Label("unicorn", "0" * 10)}, cat)
    labels = labels_for({c: 5 for c in cat.names})
    with pytest.raises(OvavelError, match="--unseen: class 'nope' is not in the class catalog"):
        make_splits(labels, cat, MakeSettings(unseen_names=["nope"]))
    no_groups = ClassCatalog([EventClass(c.name, c.vggsound_label, "", c.split) for c in cat])
    with pytest.raises(OvavelError, match="--unseen auto needs every class's group; class 'human activity 0'"):
        make_splits(labels, no_groups, MakeSettings(unseen="auto", unseen_count=5))
    no_split = ClassCatalog([EventClass(c.name, c.vggsound_label, c.group, "") for c in cat])
    with pytest.raises(OvavelError, match="has no seen/unseen split"):
        make_splits(labels, no_split)
    with pytest.raises(OvavelError, match="--seen-train-frac"):
        make_splits(labels, cat, MakeSettings(seen_train_frac=1.0))
    dup = tmp_path / "labels.csv"
    dup.write_text("clip_id,class,labels\naaaaaaaaaaa,human activity 0,0000000000\naaaaaaaaaaa,human activity 0,1111111111\n")
    r = CliRunner().invoke(app, ["splits", "make", "--labels", str(dup), "--out", str(tmp_path / "o")])
    assert r.exit_code == 1 and "line 3: duplicate clip id 'aaaaaaaaaaa'" in r.output


def test_export_release_round_trip(tmp_path):
    cat = tiny_catalog()
    labels = labels_for({c: 6 for c in cat.names})
    lpath = tmp_path / "labels.csv"
    write_labels(lpath, labels)
    cat.write(tmp_path / "classes.csv")
    split_dir = tmp_path / "split"
    r = CliRunner().invoke(app, ["splits", "make", "--labels", str(lpath), "--classes", str(tmp_path / "classes.csv"),
                                 "--out", str(split_dir)])
    assert r.exit_code == 0, r.output
    data = tmp_path / "data"
    some = sorted(labels)[:4]
    for cid in some:  # segments for a few clips only: the rest are listed as missing media
        seg = data / "segments" / cid
        seg.mkdir(parents=True)
        for k in range(10):
            (seg / f"frame_{k}.jpg").write_bytes(b"jpg%d" % k)
        (seg / "audio.wav").write_bytes(b"wav")
    rel = tmp_path / "release"
    r = CliRunner().invoke(app, ["splits", "export-release", "--splits", str(split_dir), "--data", str(data),
                                 "--out", str(rel)])
    assert r.exit_code == 0, r.output
    meta = read_meta(rel / "ovave_dataset_meta.csv")
    parts = {k: read_split(split_dir / f"{k}.csv") for k in ("train", "val", "test")}
    assert [(m.split, m.youtube_id, m.class_name, m.split_type) for m in meta] == [
        (k, r.clip_id, r.cls, r.split_type) for k, rows in parts.items() for r in rows]
    assert read_annotations(rel / "released_ovavel_dataset_anno.json") == {k: (v.cls, v.labels) for k, v in labels.items()}
    assert read_class_names(rel / "ovave_categories.csv") == cat.names
    assert read_class_names(rel / "ovave_train_close_categories.csv") == cat.by_split("seen")
    assert (rel / "ovave_total_close_open_categories.csv").read_bytes().endswith(b"\r\nother")
    where = {m.youtube_id: m for m in meta}
    for cid in some:
        m = where[cid]
        assert (rel / m.split / "audio" / m.class_name / f"{cid}.wav").read_bytes() == b"wav"
        frames = sorted(p.name for p in (rel / m.split / "video" / m.class_name / cid).iterdir())
        assert frames == [f"frame_{k}.jpg" for k in range(10)]
    assert "missing_media: 86" in r.output
