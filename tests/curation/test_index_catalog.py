"""The class catalog, the VGGSound index filter and its rejects, on the real files where present."""

from __future__ import annotations

import csv
from collections import Counter

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from ovavel.catalog import load_catalog
from ovavel.app.cli import app
from ovavel.curation.official import build_catalog
from ovavel.curation.shards import in_shard, parse_shard
from ovavel.curation.vggsound_index import filter_vggsound, read_index, resolve_classes, write_index
from ovavel.errors import OvavelError
from ovavel.tables import read_csv



def test_bundled_catalog_equals_one_built_from_the_release(shared):
    labels = {r[2] for r in csv.reader(open(shared / "vggsound" / "vggsound.csv", newline=""))}
    built = build_catalog(shared / "ovavebench" / "ovave_categories.csv",
                          shared / "ovavebench" / "ovave_train_close_categories.csv", labels)
    assert built.classes == load_catalog().classes
    meta = read_csv(shared / "ovavebench" / "ovave_dataset_meta.csv")
    unseen = {r["cls_name"] for r in meta if r["cls_type"] == "open"}
    assert unseen == set(load_catalog().by_split("unseen"))


def test_filter_real_vggsound_index(shared, tmp_path):
    index = shared / "vggsound" / "vggsound.csv"
    raw = list(csv.reader(open(index, newline="")))
    cat = load_catalog()
    rows, rejects = filter_vggsound(index, resolve_classes(["bird chirping", "dog barking"], cat))
    expected = Counter(r[2] for r in raw if r[2] in ("bird chirping, tweeting", "dog barking"))
    assert Counter(r.vggsound_label for r in rows) == expected
    assert rejects == []
    assert {r.cls for r in rows} == {"bird chirping", "dog barking"}
    dash = [r for r in rows if r.youtube_id.startswith("-")]
    assert dash and all(r.clip_id == f"{r.youtube_id}_{r.start_s:06d}" for r in dash)
    write_index(tmp_path / "index.csv", rows)
    assert read_index(tmp_path / "index.csv")[0] == rows


def test_all_67_classes_have_rows(shared):
    rows, rejects = filter_vggsound(shared / "vggsound" / "vggsound.csv", list(load_catalog()))
    assert set(Counter(r.cls for r in rows)) == set(load_catalog().names)
    assert rejects == []


def test_bad_rows_become_rejects_with_line_and_reason(tmp_path):
    index = tmp_path / "vgg.csv"
    index.write_text(
        "goodId00001,30,dog barking,train\r\n"
        "bad id,30,dog barking,train\r\n"
        "goodId00002,-5,dog barking,test\r\n"
        "goodId00003,abc,dog barking,test\r\n"
        "goodId00001,30,dog barking,train\r\n"
        "goodId00004,10,dog barking\r\n"
        "-startsDash,0,dog barking,test\r\n"
        "goodId00005,0,cat purring,test\r\n")
    rows, rejects = filter_vggsound(index, resolve_classes(["dog barking"], load_catalog()))
    assert [r.clip_id for r in rows] == ["goodId00001_000030", "-startsDash_000000"]
    assert [(r.line, r.reason.split(" (")[0].split(",")[0]) for r in rejects] == [
        (2, "malformed YouTube id"), (3, "start seconds must be >= 0"),
        (4, "start seconds must be a whole number"), (5, "duplicate clip"),
        (6, "expected 4 fields youtube_id")]


def test_unknown_class_names_closest(tmp_path):
    with pytest.raises(OvavelError, match="closest known: 'dog barking'"):
        resolve_classes(["dog barkin"], load_catalog())
    # An exact VGGSound label outside the catalog is a class of its own, without group or split.
    c = resolve_classes(["playing tennis"], load_catalog(), {"playing tennis"})[0]
    assert (c.name, c.vggsound_label, c.group, c.split) == ("playing tennis", "playing tennis", "", "")


def test_read_index_rejects_unknown_class_and_mismatched_id(tmp_path):
    path = tmp_path / "index.csv"
    path.write_text("clip_id,youtube_id,start_s,class,vggsound_label,group,vggsound_split\n"
                    "abcdefghijk_000010,abcdefghijk,10,dog barking,dog barking,animal,train\n"
                    "abcdefghijk_000011,abcdefghijk,12,dog barking,dog barking,animal,train\n"
                    "abcdefghijk_000020,abcdefghijk,20,unicorn singing,,,train\n")
    rows, rejects = read_index(path, catalog=load_catalog())
    assert [r.clip_id for r in rows] == ["abcdefghijk_000010"]
    assert [(r.line, r.reason[:20]) for r in rejects] == [(3, "clip id 'abcdefghijk"), (4, "unknown class")]


def test_cli_filter_with_custom_list_and_unknown_name(shared, tmp_path):
    classes = tmp_path / "classes.txt"
    classes.write_text("bird chirping, tweeting\r\nplaying tennis")  # CRLF, no final newline
    out = tmp_path / "index.csv"
    r = CliRunner().invoke(app, ["curate", "filter", "--index", str(shared / "vggsound" / "vggsound.csv"),
                                 "--classes", str(classes), "-o", str(out)])
    assert r.exit_code == 0, r.output
    rows = read_csv(out)
    assert Counter(x["class"] for x in rows) == {"bird chirping": 1050, "playing tennis": 390}
    assert {x["group"] for x in rows if x["class"] == "bird chirping"} == {"animal"}
    assert "bird chirping" in r.output and "1050" in r.output
    classes.write_text("dog barkin\n")
    r = CliRunner().invoke(app, ["curate", "filter", "--index", str(shared / "vggsound" / "vggsound.csv"),
                                 "--classes", str(classes), "-o", str(out)])
    assert r.exit_code == 1 and "unknown class 'dog barkin'" in r.output and "'dog barking'" in r.output


@given(st.lists(st.text("abcdefghijk_-0123456789", min_size=11, max_size=11), min_size=1, max_size=60, unique=True),
       st.integers(1, 8))
def test_shards_are_disjoint_and_cover(ids, n):
    owners = [[i for i in range(n) if in_shard(cid, (i, n))] for cid in ids]
    assert all(len(o) == 1 for o in owners)


@pytest.mark.parametrize("text", ["3", "a/b", "4/4", "-1/4", "0/0"])
def test_bad_shard_argument(text):
    with pytest.raises(OvavelError, match="--shard: expected"):
        parse_shard(text)


def test_every_command_help_shows_an_example():
    runner = CliRunner()
    for cmd in ["filter", "download", "segments", "check", "status", "merge"]:
        r = runner.invoke(app, ["curate", cmd, "--help"])
        assert r.exit_code == 0 and "Examples:" in r.output and f"curate {cmd}" in r.output, cmd


def test_missing_index_offline_names_the_url_and_the_flag(tmp_path):
    from ovavel.curation.vggsound_index import cached_vggsound_index

    with pytest.raises(OvavelError, match=r"could not download the VGGSound index from http://127.0.0.1:9/x.csv.*--index"):
        cached_vggsound_index(tmp_path, url="http://127.0.0.1:9/x.csv")
    assert list(tmp_path.iterdir()) == []  # no partial file left
    (tmp_path / "vggsound.csv").write_text("abcdefghijk,1,dog barking,train\n")
    assert cached_vggsound_index(tmp_path, url="http://127.0.0.1:9/x.csv") == tmp_path / "vggsound.csv"
