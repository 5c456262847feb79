"""Behaviours a mutation check found unguarded: each fails if its one line of code is broken."""

from __future__ import annotations

from click.testing import CliRunner

from ovavel.app.cli import app
from ovavel.curation.quality import flags_for
from ovavel.curation.vggsound_index import write_index
from ovavel.testing.media_server import MediaServer

from .conftest import MISSING, row


def record(duration):
    return {"duration": duration, "has_video": True, "has_audio": True, "max_volume_db": -10.0, "frozen_s": 0.0}


def test_a_clip_shorter_or_longer_than_ten_seconds_is_flagged():
    assert flags_for(record(10.0)) == []
    assert flags_for(record(9.0)) == ["wrong_duration"]  # too short, not only too long
    assert flags_for(record(11.0)) == ["wrong_duration"]
    assert flags_for(record(None)) == ["wrong_duration"]


def test_download_exits_1_when_no_clip_succeeded(tmp_path, media_root):
    index = tmp_path / "index.csv"
    write_index(index, [row(MISSING, 0), row(MISSING, 20)])
    classes = tmp_path / "classes.txt"
    classes.write_text("dog barking\n")
    with MediaServer(media_root) as srv:
        r = CliRunner().invoke(app, ["curate", "download", "--index", str(index), "--out", str(tmp_path / "data"),
                                     "--url-template", srv.url_template(), "--classes", str(classes),
                                     "--no-progress"])
    assert r.exit_code == 1, r.output
    assert "no clip succeeded: all 2 failed (exit code 1)" in r.output
