"""A download run killed with SIGKILL mid-way loses no finished clip, leaves no partial file under a
final name, and a rerun ends with every clip good exactly once."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from ovavel.curation.ffmpeg_tools import probe
from ovavel.curation.normalise import sha256_of
from ovavel.curation.vggsound_index import write_index
from ovavel.testing.media_server import MediaServer

from .conftest import DASH, LONG, row


def ok_lines(ledger):
    if not ledger.exists():
        return []
    out = []
    for line in ledger.read_text().splitlines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        if rec["status"] == "ok":
            out.append(rec)
    return out


@pytest.mark.slow
def test_sigkill_mid_run_then_rerun(tmp_path, media_root):
    rows = [row(LONG, s) for s in (0, 4, 8, 12, 16, 20)] + [row(DASH, s) for s in (0, 5)]
    index = tmp_path / "index.csv"
    write_index(index, rows)
    data = tmp_path / "data"
    with MediaServer(media_root, delay_s=0.15) as srv:
        cmd = [sys.executable, "-m", "ovavel", "curate", "download", "--index", str(index), "--out", str(data),
               "--url-template", srv.url_template(), "--workers", "1", "--no-progress",
               "--classes", str(write_classes(tmp_path))]
        proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while len(ok_lines(data / "ledger.jsonl")) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        time.sleep(0.3)  # land somewhere inside the next clip
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        done_before = {r["clip_id"]: r for r in ok_lines(data / "ledger.jsonl")}
        assert 2 <= len(done_before) < len(rows), "the kill should land mid-run"
        # Every file under a final name is a finished, verified clip listed in the ledger.
        finals = sorted(p.name[:-4] for p in (data / "clips").glob("*.mp4"))
        assert finals == sorted(done_before)
        for cid, rec in done_before.items():
            assert sha256_of(data / "clips" / f"{cid}.mp4") == rec["sha256"]

        rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        assert rerun.returncode == 0, rerun.stderr
    oks = ok_lines(data / "ledger.jsonl")
    assert sorted(r["clip_id"] for r in oks) == sorted(r.clip_id for r in rows)  # each exactly once
    for r in rows:
        clip = data / "clips" / f"{r.clip_id}.mp4"
        assert probe(clip).duration == 10.0
    assert not any(p.name.endswith(".part") for p in (data / "clips").iterdir())
    assert re.search(rf"^ok \(kept\)\s+{len(done_before)}$", rerun.stdout, re.M)
    assert re.search(rf"^ok\s+{len(rows) - len(done_before)}$", rerun.stdout, re.M)


def write_classes(tmp_path):
    path = tmp_path / "classes.txt"
    path.write_text("dog barking\n")
    return path
