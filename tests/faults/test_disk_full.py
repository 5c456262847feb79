"""A full disk is the machine's problem, not the clip's: `curate download` on a small tmpfs stops
with "disk full at PATH", records no failure for any clip, and a rerun after space is freed
finishes every clip (needs root to mount the tmpfs; skipped otherwise)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ovavel.curation.vggsound_index import write_index
from ovavel.testing.media_server import MediaServer

from ..curation.conftest import LONG, media_root, row  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow


@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield mount
    subprocess.run(["umount", "-l", str(mount)])


def test_download_stops_on_a_full_disk_and_a_rerun_finishes(tmp_path, small_disk, media_root):  # noqa: F811
    rows = [row(LONG, s) for s in (0, 4, 8, 12, 16, 20)]
    index = tmp_path / "index.csv"
    write_index(index, rows)
    (tmp_path / "classes.txt").write_text("dog barking\n")
    data = small_disk / "data"
    with MediaServer(media_root) as srv:
        cmd = [sys.executable, "-m", "ovavel", "curate", "download", "--index", str(index), "--classes",
               str(tmp_path / "classes.txt"), "--out", str(data), "--url-template", srv.url_template(),
               "--workers", "1", "--no-progress", "--retries", "0"]
        full = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        assert full.returncode == 1, full.stdout + full.stderr
        assert f"disk full at {data}: free space and rerun" in full.stderr
        assert "Traceback" not in full.stderr
        ledger = [json.loads(line) for line in (data / "ledger.jsonl").read_text().splitlines() if line.strip()]
        assert ledger and all(e["status"] == "ok" for e in ledger)  # nothing permanent was recorded
        assert len(ledger) < len(rows)
        subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)  # space freed
        again = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        assert again.returncode == 0, again.stderr
    ledger = [json.loads(line) for line in (data / "ledger.jsonl").read_text().splitlines()]
    assert {e["clip_id"] for e in ledger if e["status"] == "ok"} == {r.clip_id for r in rows}
    assert all(e["status"] == "ok" for e in ledger)
