"""Names that come from outside (clip ids, class names, version names) never escape their folder:
one rule each (ovavel.names), at every entry and in every function that makes a path."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from ovavel.app.cli import app
from ovavel.errors import InputError
from ovavel.formats import read_labels, read_predictions, read_split
from ovavel.layout import DataDir
from ovavel.names import (check_clip_id, class_dir, clip_path, is_class_name, is_clip_id, is_version_name,
                          version_dir)

from ..browse.conftest import bench_site_inputs  # noqa: F401  (fixture)

HOSTILE_IDS = ["", ".", "..", "a/b", "x" * 300, "a.b_000000", "../../victim/pwned", "../../secret/private",
               "abcdefghijk/../x", "abcdefghijk_00003", "abcdefghijk_0000300", "abcdefghij\n", " abcdefghij",
               "abcdefghijk_000030.mp4", "abcdefghijk\x00"]


@pytest.mark.parametrize("value", HOSTILE_IDS)
def test_hostile_clip_ids_are_refused_everywhere_a_path_is_made(value, tmp_path):
    assert not is_clip_id(value)
    for make in (lambda: DataDir.at(tmp_path).clip(value), lambda: DataDir.at(tmp_path).segments(value),
                 lambda: clip_path(tmp_path, value, ".jpg")):
        with pytest.raises(InputError, match="expected a YouTube id"):
            make()


@pytest.mark.parametrize("value", ["-abcdefghij", "abcdefghijk", "ABC_def-123_000030", "-_-_-_-_-_-_999999"])
def test_youtube_ids_with_and_without_a_start_are_clip_ids(value, tmp_path):
    assert is_clip_id(value) and check_clip_id(value) == value
    assert DataDir.at(tmp_path).clip(value) == tmp_path / "clips" / f"{value}.mp4"


def test_class_and_version_names():
    assert is_class_name("bird chirping, tweeting") and is_class_name("playing the cello")
    for bad in ("", ".", "..", "../x", "a/b", "a\\b", " dog", "dog ", "-dog", "x" * 101, "a\nb"):
        assert not is_class_name(bad), bad
        with pytest.raises(InputError, match="class name"):
            class_dir("/tmp", bad)
    for bad in ("", " ", ".", "..", "../../../other", "a/b", "-v", "x" * 65, ".hidden"):
        assert not is_version_name(bad), bad
        with pytest.raises(InputError, match="version name"):
            version_dir("/tmp", bad)


@pytest.mark.parametrize("reader, header, row", [
    (read_labels, "clip_id,class,labels", "{id},dog barking,0011000000"),
    (lambda p: read_split(p), "clip_id,class,split_type", "{id},dog barking,seen"),
    (lambda p: read_predictions(p, {"dog barking"}), "clip_id," + ",".join(f"seg_{k}" for k in range(10)),
     "{id}," + ",".join(["background"] * 10)),
])
def test_every_table_names_the_file_line_and_value(reader, header, row, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(f"{header}\n{row.format(id='abcdefghijk_000000')}\n{row.format(id='a.b_000000')}\n")
    with pytest.raises(InputError) as e:
        reader(path)
    assert str(e.value).startswith(f"{path}, line 3: clip id 'a.b_000000': expected a YouTube id")
    assert "\n" not in str(e.value)


def test_a_long_id_is_shown_cut_in_one_line(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("clip_id,class,labels\n" + "x" * 300 + ",dog barking,0011000000\n")
    with pytest.raises(InputError) as e:
        read_labels(path)
    assert len(str(e.value)) < len(str(path)) + 200 and "line 2" in str(e.value)


def _tree(root):
    return sorted((p.relative_to(root).as_posix(), p.stat().st_size) for p in root.rglob("*"))


def test_browse_with_an_escaping_id_touches_nothing_outside(bench_site_inputs, tmp_path):  # noqa: F811
    root, data = bench_site_inputs
    work = tmp_path / "work"
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "pwned.mp4").write_bytes(b"precious")
    labels = tmp_path / "labels.csv"
    good = (root / "labels.csv").read_text()
    labels.write_text(good + "../../victim/pwned,dog barking,0011000000\n")
    results = tmp_path / "results"
    shutil.copytree(root / "results" / "training_free", results)
    before = _tree(victim)
    r = CliRunner().invoke(app, ["browse", "--data", str(data.root), "--labels", str(labels), "--results",
                                 str(results), "--out", str(work / "site"), "--media", "copy", "--no-progress"])
    assert r.exit_code == 1
    assert f"{labels}, line 8: clip id '../../victim/pwned': expected a YouTube id" in r.output
    assert _tree(victim) == before and (victim / "pwned.mp4").read_bytes() == b"precious"
    assert not (tmp_path / "thumbs").exists() and not (work / "victim").exists()


def test_export_hf_with_an_escaping_id_reads_nothing_outside(bench_site_inputs, tmp_path):  # noqa: F811
    root, data = bench_site_inputs
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "private.mp4").write_bytes(b"do not publish")
    splits = tmp_path / "splits"
    splits.mkdir()
    (splits / "labels.csv").write_text("clip_id,class,labels\n../../secret/private,dog barking,0011000000\n")
    (splits / "test.csv").write_text("clip_id,class,split_type\n../../secret/private,dog barking,unseen\n")
    out = tmp_path / "release"
    r = CliRunner().invoke(app, ["splits", "export-hf", "--splits", str(splits), "--data", str(data.root),
                                 "--media", "clips", "--out", str(out), "--no-progress"])
    assert r.exit_code == 1 and "clip id '../../secret/private': expected a YouTube id" in r.output
    written = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
    assert not [p for p in written if p.suffix == ".tar"]
    assert not [p for p in written if b"do not publish" in p.read_bytes()]  # the outside file was never read in
    assert (secret / "private.mp4").read_bytes() == b"do not publish"


def test_a_feature_store_with_an_escaping_id_is_named(tmp_path):
    import numpy as np

    from ovavel.feature_store import FeatureStore

    store = FeatureStore(tmp_path / "f")
    store.init({"encoder": "synthetic", "random_init": True, "dim": 4}, ["a", "other", "background"],
               np.eye(3, 4, dtype=np.float32))
    store.write_part(0, ["abcdefghijk_000000", "../../x"], np.zeros((2, 10, 4)), np.zeros((2, 10, 4)))
    with pytest.raises(InputError, match=r"clip id '\.\./\.\./x': expected a YouTube id"):
        store.load()


@pytest.mark.parametrize("args, message", [
    (["--version", " "], "--version ' ': expected 1 to 64 characters"),
    (["--version", "v" * 300], "--version 'vvvv"),
    (["--version", "ok", "--base", "../../../other"], "--base '../../../other': expected"),
    (["--version", "../escape"], "--version '../escape': expected"),
])
def test_label_versions_stay_in_their_folder(args, message, tmp_path):
    data = DataDir.at(tmp_path / "data")
    data.annotation_dir.mkdir(parents=True)
    (data.annotation_dir / "labels.csv").write_text("clip_id,class,labels\nabcdefghijk_000000,dog barking,0011000000\n")
    other = tmp_path / "other"
    other.mkdir()
    (other / "labels.csv").write_text("clip_id,class,labels\n")
    fixes = tmp_path / "fix.csv"
    fixes.write_text("clip_id,labels,reason\nabcdefghijk_000000,0111000000,late start\n")
    r = CliRunner().invoke(app, ["annotate", "corrections", "--data", str(data.root), "--from", str(fixes), *args])
    assert r.exit_code == 1 and message in r.output, r.output
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1
    assert not (data.annotation_dir / "versions").exists() or not any((data.annotation_dir / "versions").iterdir())
