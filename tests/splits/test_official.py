"""The official OV-AVEBench files: import reproduces the split exactly; make and auto meet it."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from click.testing import CliRunner

from ovavel.catalog import GROUPS, load_catalog
from ovavel.app.cli import app
from ovavel.curation.official import read_annotations, read_meta
from ovavel.formats import read_labels, read_split
from ovavel.splits.invariants import violations
from ovavel.splits.make import MakeSettings, make_splits
from ovavel.splits.official_import import import_official
from ovavel.tables import read_csv

OFFICIAL = {"train": 13182, "val": 5798, "test": 5820}


@pytest.fixture(scope="module")
def official(shared, tmp_path_factory):
    out = tmp_path_factory.mktemp("official")
    ob = shared / "ovavebench"
    r = CliRunner().invoke(app, ["splits", "import-official", "--meta", str(ob / "ovave_dataset_meta.csv"),
                                 "--anno", str(ob / "released_ovavel_dataset_anno.json"),
                                 "--index", str(shared / "vggsound" / "vggsound.csv"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    return out


def test_import_reproduces_the_official_split_exactly(official, shared):
    meta = read_meta(shared / "ovavebench" / "ovave_dataset_meta.csv")
    for name in ("train", "val", "test"):
        rows = read_split(official / f"{name}.csv")
        expected = [(m.youtube_id, m.class_name, m.split_type) for m in meta if m.split == name]
        assert [(r.clip_id, r.cls, r.split_type) for r in rows] == expected  # same rows, official order
    anno = read_annotations(shared / "ovavebench" / "released_ovavel_dataset_anno.json")
    labels = read_labels(official / "labels.csv")
    assert list(labels) == [m.youtube_id for m in meta]
    assert {k: (v.cls, v.labels) for k, v in labels.items()} == anno
    assert labels["EpxQKLhAP0s"].labels == "0111000000"
    assert sum(1 for k in labels if k.startswith("-")) == 550
    classes = read_csv(official / "classes.csv")
    assert [(c["name"], c["split"]) for c in classes] == [(c.name, c.split) for c in load_catalog()]


def test_official_ids_map_unique_and_list_ambiguous(official):
    ids = read_csv(official / "official_ids.csv")
    assert len(ids) == 24800
    assert Counter(r["status"] for r in ids) == {"unique": 20891, "ambiguous": 3909}
    for r in ids:
        candidates = r["vggsound_clip_ids"].split(";")
        assert all(c.startswith(r["youtube_id"] + "_") for c in candidates)
        assert (len(candidates) == 1) == (r["status"] == "unique")


def test_import_smaller_training_sets_and_older_annotations(shared, tmp_path):
    ob = shared / "ovavebench"
    for ratio, size in (("0.25", 3308), ("0.5", 6598), ("0.75", 9900)):
        result, _ = import_official(ob / "ovave_dataset_meta.csv", ob / "released_ovavel_dataset_anno.json",
                                    load_catalog(), float(ratio))
        assert {k: len(v) for k, v in result.parts.items()} == {**OFFICIAL, "train": size}
    _, old = import_official(ob / "ovave_dataset_meta.csv", ob / "ovavel_dataset_anno.json", load_catalog())
    _, new = import_official(ob / "ovave_dataset_meta.csv", ob / "released_ovavel_dataset_anno.json", load_catalog())
    assert sum(old[k] != new[k] for k in new) == 12


def test_make_with_the_official_partition_matches_official_sizes(official):
    labels = read_labels(official / "labels.csv")
    result = make_splits(labels, load_catalog(), MakeSettings(seed=0))
    sizes = {k: len(v) for k, v in result.parts.items()}
    for k, n in OFFICIAL.items():
        assert abs(sizes[k] - n) <= 0.01 * n
    assert sizes == OFFICIAL  # the per-class rule reproduces it to the video
    assert result.report["unseen_share_val_test"] == pytest.approx(0.715, abs=0.002)
    assert violations(result.parts, set(result.unseen), set(labels)) == []
    # Event length is balanced across the parts (stratified draws).
    mean_len = {k: sum(labels[r.clip_id].labels.count("1") for r in v) / len(v) for k, v in result.parts.items()}
    assert max(mean_len.values()) - min(mean_len.values()) < 0.15


def test_auto_partition_meets_every_constraint(official):
    labels = read_labels(official / "labels.csv")
    result = make_splits(labels, load_catalog(), MakeSettings(seed=5, unseen="auto"))
    cat = load_catalog()
    groups = Counter(cat.get(c).group for c in result.unseen)
    assert [groups[g] for g in GROUPS] == [5, 5, 5, 3, 3]
    unseen_videos = sum(1 for l in labels.values() if l.cls in set(result.unseen))
    assert abs(unseen_videos - 8303) <= 0.005 * 24800
    assert result.unseen != [c for c in cat.names][:21]
    assert violations(result.parts, set(result.unseen), set(labels)) == []


def test_stats_on_the_official_split(official):
    r = CliRunner().invoke(app, ["splits", "stats", str(official)])
    assert r.exit_code == 0, r.output
    stats = json.loads((official / "stats.json").read_text())
    assert stats["event_length"]["10"]["percent"] == 43.48
    assert stats["event_length"]["0"]["percent"] == 24.27
    assert stats["videos"] == {**OFFICIAL, "total": 24800}
    assert stats["seen_unseen"]["val"] == {"seen": 1651, "unseen": 4147}
    md = (official / "stats.md").read_text()
    assert "| train | 13182 | 13182 | 0 |" in md and "| 10 | 10782 | 43.48 |" in md
    for png in ("videos_per_class.png", "event_length.png"):
        assert (official / png).read_bytes()[:4] == b"\x89PNG"


def test_the_hub_card_of_an_official_import_is_true_to_it(official, shared, tmp_path):
    """export-hf over `splits import-official`: the card names the source files with their sha256
    and says that provenance and agreement are null (no rounds); start_s comes from official_ids.csv
    where the id maps to one VGGSound clip; every figure exported is shown; no empty heading."""
    import hashlib

    import pandas as pd

    out = tmp_path / "release"
    r = CliRunner().invoke(app, ["splits", "export-hf", "--splits", str(official), "--out", str(out)])
    assert r.exit_code == 0, r.output
    card = (out / "README.md").read_text()
    anno = shared / "ovavebench" / "released_ovavel_dataset_anno.json"
    assert f"`released_ovavel_dataset_anno.json` (sha256 `{hashlib.sha256(anno.read_bytes()).hexdigest()}`)" in card
    assert "`ovave_dataset_meta.csv` (sha256 `" in card
    assert "`provenance` and `agreement` are null in every row" in card and "annotation rounds agreed" not in card
    unique = {r["youtube_id"]: int(r["vggsound_clip_ids"].rsplit("_", 1)[1])
              for r in read_csv(official / "official_ids.csv") if r["status"] == "unique"}
    test = pd.read_parquet(out / "data" / "test.parquet")
    timed = test[test["start_s"].notna()]
    assert len(timed) == sum(c in unique for c in test["clip_id"]) == 5055
    assert all(unique[c] == s for c, s in zip(timed["clip_id"], timed["start_s"]))
    assert test["provenance"].isna().all() and test["agreement"].isna().all()
    assert "(20,891 of 24,800 clips)" in card
    assert "## Statistics" not in card and "## Videos per split" in card
    for figure in ("videos_per_class", "event_length"):
        assert (out / "figures" / f"{figure}.png").exists() and f"(figures/{figure}.png)" in card
