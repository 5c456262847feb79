"""One writer per folder: a second command on a folder being written stops at once and names the
holder (or queues with --wait); a killed holder never leaves a stale lock; separate folders
(sharded downloads) run side by side."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from ovavel.app.cli import app
from ovavel.curation.vggsound_index import write_index
from ovavel.locking import lock_path
from ovavel.testing.media_server import MediaServer

from ..curation.conftest import DASH, LONG, media_root, row  # noqa: F401  (fixture)

HOLD = ("import sys, time\nfrom ovavel.locking import folder_lock\nwith folder_lock(sys.argv[1]):\n"
        "    print('held', flush=True)\n    time.sleep(float(sys.argv[2]))\n")


def hold(folder, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(folder), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def empty_data_folder(root):
    root.mkdir(parents=True)
    (root / "clips.csv").write_text("clip_id,class,status,usable\n")
    return root


def test_a_second_writer_stops_with_the_holders_pid_and_command(tmp_path):
    data = empty_data_folder(tmp_path / "d")
    holder = hold(data, 60)
    try:
        r = CliRunner().invoke(app, ["curate", "segments", "--data", str(data), "--no-progress"])
        assert r.exit_code == 1
        assert f"is being written by another process (PID {holder.pid}, `-c {data} 60`" in r.output
        assert "pass --wait" in r.output
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # The OS released the killed holder's lock: nothing stale is left behind.
    r = CliRunner().invoke(app, ["curate", "segments", "--data", str(data), "--no-progress"])
    assert r.exit_code == 0, r.output
    assert lock_path(data) == tmp_path / ".d.lock"


def test_wait_queues_behind_the_holder(tmp_path):
    data = empty_data_folder(tmp_path / "d")
    holder = hold(data, 1.5)
    t0 = time.monotonic()
    r = CliRunner().invoke(app, ["curate", "segments", "--data", str(data), "--no-progress", "--wait"])
    waited = time.monotonic() - t0
    holder.wait()
    assert r.exit_code == 0, r.output
    assert f"waiting for PID {holder.pid}" in r.output and waited > 0.5
    # The lock of a folder that does not exist yet is the same file the folder's writers take.
    assert lock_path(tmp_path / "new") == tmp_path / ".new.lock"


def test_merge_takes_the_locks_of_its_inputs(tmp_path):
    shard = empty_data_folder(tmp_path / "shard0")
    holder = hold(shard, 60)
    try:
        r = CliRunner().invoke(app, ["curate", "merge", str(shard), "--data", str(tmp_path / "all")])
        assert r.exit_code == 1 and f"{shard} is being written by another process (PID {holder.pid}" in r.output
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.slow
def test_two_downloads_into_one_folder(tmp_path, media_root):  # noqa: F811
    # The fault: two runs on one --out each finished clips, then failed them when the other moved
    # its .part file, so good clips became ffmpeg_error. Now the second stops at once, the first
    # finishes every clip, and a download into another folder (a shard) runs alongside.
    rows = [row(LONG, s) for s in (0, 4, 8, 12)] + [row(DASH, s) for s in (0, 5)]
    index = tmp_path / "index.csv"
    write_index(index, rows)
    classes = tmp_path / "classes.txt"
    classes.write_text("dog barking\n")
    with MediaServer(media_root, delay_s=0.1) as srv:
        def cmd(out):
            return [sys.executable, "-m", "ovavel", "curate", "download", "--index", str(index), "--out", str(out),
                    "--url-template", srv.url_template(), "--workers", "1", "--no-progress", "--classes", str(classes)]

        first = subprocess.Popen(cmd(tmp_path / "data"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not (tmp_path / "data" / "index.csv").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        t0 = time.monotonic()
        second = subprocess.run(cmd(tmp_path / "data"), capture_output=True, text=True, timeout=120)
        assert second.returncode == 1 and time.monotonic() - t0 < 30
        assert f"is being written by another process (PID {first.pid}" in second.stderr
        other = subprocess.run(cmd(tmp_path / "shard1"), capture_output=True, text=True, timeout=300)
        assert other.returncode == 0, other.stderr
        assert first.wait(timeout=300) == 0, first.stderr.read()
    for folder in ("data", "shard1"):
        ledger = [json.loads(line) for line in (tmp_path / folder / "ledger.jsonl").read_text().splitlines()]
        assert {r["clip_id"] for r in ledger if r["status"] == "ok"} == {r.clip_id for r in rows}
        assert not [r for r in ledger if r["status"] != "ok"]
    assert not list((tmp_path / "data" / "clips").glob("*.part"))  # no half-written clip left behind
