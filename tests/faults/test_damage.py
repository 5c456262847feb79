"""Damage is detected: a clip changed on disk after download is flagged damaged_file by `curate
check` (the ledger's sha256 is not trusted), a rerun of `curate download` fetches it again, and
`--deep` decodes both streams."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ovavel.app.cli import app
from ovavel.curation.download import DownloadOptions, download_clips
from ovavel.curation.manifest import read_manifest
from ovavel.curation.normalise import sha256_of
from ovavel.curation.quality import file_problem
from ovavel.curation.vggsound_index import write_index
from ovavel.layout import DataDir
from ovavel.testing.media_server import MediaServer

from ..curation.conftest import DASH, LONG, media_root, row  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow


def usable(data):
    return {r["clip_id"]: (r["usable"], r["flags"]) for r in read_manifest(data)}


def test_a_truncated_clip_is_flagged_and_fetched_again(tmp_path, media_root):  # noqa: F811
    rows = [row(LONG, 3), row(DASH, 2)]
    data = DataDir.at(tmp_path / "data")
    data.root.mkdir()
    write_index(data.index, rows)
    index = tmp_path / "index.csv"
    write_index(index, rows)
    (tmp_path / "classes.txt").write_text("dog barking\n")
    runner = CliRunner()
    with MediaServer(media_root) as srv:
        download = ["curate", "download", "--index", str(index), "--classes", str(tmp_path / "classes.txt"), "--out",
                    str(data.root), "--url-template", srv.url_template(), "--no-progress"]
        assert runner.invoke(app, download).exit_code == 0
        assert runner.invoke(app, ["curate", "check", "--data", str(data.root), "--no-progress"]).exit_code == 0
        bad = rows[0].clip_id
        assert usable(data)[bad] == ("1", "")
        clip = data.clip(bad)
        clip.write_bytes(clip.read_bytes()[: clip.stat().st_size // 3])  # the fault: truncated on disk
        for extra in ([], ["--force"]):
            r = runner.invoke(app, ["curate", "check", "--data", str(data.root), "--no-progress", *extra])
            assert r.exit_code == 0, r.output
            assert usable(data)[bad] == ("0", "damaged_file") and usable(data)[rows[1].clip_id][0] == "1"
            assert "1 clip(s) on disk are not the files the ledger recorded" in r.output
        r = runner.invoke(app, download)
        assert r.exit_code == 0, r.output
    ledger = [json.loads(line) for line in data.ledger.read_text().splitlines()]
    assert [e["status"] for e in ledger if e["clip_id"] == bad] == ["ok", "ok"]  # fetched again
    assert runner.invoke(app, ["curate", "check", "--data", str(data.root), "--no-progress"]).exit_code == 0
    assert usable(data)[bad] == ("1", "")


def test_deep_check_decodes_both_streams(tmp_path, media_root):  # noqa: F811
    rows = [row(LONG, 3)]
    data = DataDir.at(tmp_path / "data")
    data.root.mkdir()
    write_index(data.index, rows)
    with MediaServer(media_root) as srv:
        download_clips(rows, data, DownloadOptions(url_template=srv.url_template()), progress=False)
    clip = data.clip(rows[0].clip_id)
    record = {"clip_id": rows[0].clip_id, "size": str(clip.stat().st_size), "sha256": sha256_of(clip)}
    assert file_problem(data, record, deep=True) == ""
    raw = bytearray(clip.read_bytes())
    raw[len(raw) // 2: len(raw) // 2 + 4096] = b"\xff" * 4096  # garbage in the middle, same size
    clip.write_bytes(bytes(raw))
    record["sha256"] = sha256_of(clip)  # as if the damage had happened before the ledger saw the file
    assert file_problem(data, record) == ""  # size and hash cannot tell
    assert file_problem(data, record, deep=True).startswith("decoding failed: ")
