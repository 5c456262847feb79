"""curate download against a loopback HTTP server with real yt-dlp and ffmpeg."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ovavel.curation.download import DownloadOptions, RateGate, download_clips
from ovavel.curation.ffmpeg_tools import probe
from ovavel.curation.ledger import Ledger
from ovavel.curation.quality import check_clips
from ovavel.curation.vggsound_index import read_index, write_index
from ovavel.layout import DataDir
from ovavel.testing.media_server import MediaServer
from ovavel.tables import read_csv

from .conftest import DASH, FORBIDDEN, LONG, MISSING, MUTE, SHORT, SLOW_START, row
from .helpers import audio_seconds, decode_frames


def run(rows, tmp_path, srv, **kw) -> tuple[DataDir, object]:
    data = DataDir.at(tmp_path / "data")
    data.root.mkdir(exist_ok=True)
    write_index(data.index, rows)
    opts = DownloadOptions(url_template=srv.url_template(), workers=kw.pop("workers", 2),
                           backoff_base_s=kw.pop("backoff_base_s", 0.05), **kw)
    return data, download_clips(rows, data, opts, progress=False)


def test_section_is_cut_exactly_and_normalised(tmp_path, server):
    data, summary = run([row(LONG, 17)], tmp_path, server)
    assert summary.counts == {"ok": 1}
    clip = data.clip(f"{LONG}_000017")
    info = probe(clip)
    assert (info.duration, info.fps, info.video_codec, info.audio_codec) == (10.0, 25.0, "h264", "aac")
    # The first frame is source frame 17 s * 25 fps; each second of audio is source second 17+k.
    frames = decode_frames(clip)
    assert frames[0] == 425 and frames[-1] == 674 and len(frames) == 250
    assert audio_seconds(clip) == list(range(17, 27))
    entry = Ledger(data.ledger).latest()[f"{LONG}_000017"]
    assert entry.source == "section" and entry.size == clip.stat().st_size
    # Only part of the file travelled: the server saw range requests.
    assert any(r.range and r.range != "bytes=0-" for r in server.requests)


def test_id_starting_with_dash(tmp_path, server):
    data, summary = run([row(DASH, 5)], tmp_path, server)
    assert summary.counts == {"ok": 1}
    assert decode_frames(data.clip(f"{DASH}_000005"), count=1) == [125]


def test_server_without_ranges_falls_back_to_full_download(tmp_path, media_root):
    with MediaServer(media_root, range_support=False) as srv:
        data, summary = run([row(SLOW_START, 12)], tmp_path, srv)
    assert summary.counts == {"ok": 1}
    entry = Ledger(data.ledger).latest()[f"{SLOW_START}_000012"]
    assert entry.source == "full"
    clip = data.clip(f"{SLOW_START}_000012")
    assert decode_frames(clip, count=1) == [300]
    assert audio_seconds(clip) == list(range(12, 22))


def test_statuses_for_real_media_and_http_errors(tmp_path, real_media):
    errors = {f"{FORBIDDEN}.mp4": 403}
    with MediaServer(real_media, errors=errors) as srv:
        rows = [row(SHORT, 0), row(MUTE, 0), row(MISSING, 0), row(FORBIDDEN, 0), row(LONG, 25)]
        data, summary = run(rows, tmp_path, srv)
    latest = Ledger(data.ledger).latest()
    assert {cid.rsplit("_", 1)[0]: e.status for cid, e in latest.items()} == {
        SHORT: "too_short", MUTE: "no_audio", MISSING: "unavailable", FORBIDDEN: "forbidden", LONG: "too_short"}
    assert "5.31 s" in latest[f"{SHORT}_000000"].message
    assert "HTTP Error 403" in latest[f"{FORBIDDEN}_000000"].message
    # Permanent failures are tried once; no clip file exists for any of them.
    assert all(e.attempts == 1 for e in latest.values())
    assert list(data.clips_dir.iterdir()) == []
    manifest = read_csv(data.clips_csv)
    assert [r["usable"] for r in manifest] == ["0"] * 5
    assert [r["status"] for r in manifest] == ["too_short", "no_audio", "unavailable", "forbidden", "too_short"]
    # `curate check` on a folder of failed clips measures nothing and keeps them unusable.
    summary = check_clips(data, progress=False)
    assert (summary.checked, summary.usable, summary.not_usable) == (0, 0, 5)


def test_rate_limit_backs_off_for_everyone_then_succeeds(tmp_path, media_root):
    with MediaServer(media_root, errors={f"{LONG}.mp4": [429, 429]}) as srv:
        data, summary = run([row(LONG, 0)], tmp_path, srv, backoff_base_s=0.05, retries=3)
    assert summary.counts == {"ok": 1}
    attempts = [e for e in Ledger(data.ledger).entries() if e.stage == "download"]
    assert [e.status for e in attempts] == ["rate_limited", "rate_limited", "ok"]
    assert [e.attempts for e in attempts] == [1, 2, 3]
    assert summary.pauses == [0.05, 0.1]  # the shared pause doubled on the second hit


def test_rate_limit_gives_up_after_retries(tmp_path, media_root):
    with MediaServer(media_root, errors={f"{LONG}.mp4": 429}) as srv:
        data, summary = run([row(LONG, 0)], tmp_path, srv, retries=2)
    assert summary.counts == {"rate_limited": 1}
    assert len(srv.requests_for(f"{LONG}.mp4")) == 3


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now

    def sleep(self, s):
        self.now += s


def test_rate_gate_pauses_all_callers_and_doubles():
    clock = FakeClock()
    gate = RateGate(1.0, 3.0, clock=clock, sleep=clock.sleep)
    assert gate.hit() == 1.0
    gate.wait()
    assert clock.now == pytest.approx(101.0)
    assert gate.hit() == 2.0
    assert gate.hit() == 3.0  # capped; the pause runs from the latest hit
    gate.wait()
    assert clock.now == pytest.approx(104.0)
    gate.success()
    assert gate.hit() == 1.0


def test_rerun_skips_done_clips_and_redoes_damaged_ones(tmp_path, server):
    rows = [row(LONG, 0), row(LONG, 10), row(MISSING, 0)]
    data, _ = run(rows, tmp_path, server)
    first = len(server.requests)
    data, summary = run(rows, tmp_path, server)
    assert summary.counts == {"ok (kept)": 2, "unavailable (kept)": 1}
    assert len(server.requests) == first  # nothing fetched again
    # Damage one finished clip: the rerun notices (size/sha256) and fetches it again.
    clip = data.clip(f"{LONG}_000010")
    clip.write_bytes(clip.read_bytes()[:1000])
    data, summary = run(rows, tmp_path, server)
    assert summary.counts == {"ok (kept)": 1, "ok": 1, "unavailable (kept)": 1}
    assert probe(clip).duration == 10.0
    # --retry-failed tries the permanent failure again.
    data, summary = run(rows, tmp_path, server, retry_failed=True)
    assert summary.counts == {"ok (kept)": 2, "unavailable": 1}


def test_a_rerun_trusts_size_and_time_and_hashes_a_clip_whose_time_changed(tmp_path, server, monkeypatch):
    """The quick check (rsync's): a finished clip with its recorded size and modification time is
    kept without hashing; one changed on disk at the same size (a new time) is hashed: kept and
    recorded with its new time if its bytes are the same, fetched again if they are not."""
    import os

    import ovavel.curation.download as download

    rows = [row(LONG, 0), row(LONG, 10)]
    data, _ = run(rows, tmp_path, server)
    hashed = []
    real = download.sha256_of
    # Record the hashes of finished clips (the rerun's checks), not of new downloads (.part files).
    monkeypatch.setattr(download, "sha256_of",
                        lambda p: (str(p).endswith(".mp4") and hashed.append(Path(p).name)) or real(p))
    first = len(server.requests)
    data, summary = run(rows, tmp_path, server)
    assert summary.counts == {"ok (kept)": 2} and hashed == [] and len(server.requests) == first
    same, damaged = data.clip(f"{LONG}_000000"), data.clip(f"{LONG}_000010")
    st = same.stat()
    os.utime(same, ns=(st.st_atime_ns, st.st_mtime_ns + 10 ** 9))  # touched: same bytes, new time
    raw = bytearray(damaged.read_bytes())
    raw[len(raw) // 2] ^= 0xFF  # one byte flipped: same size
    st = damaged.stat()
    damaged.write_bytes(bytes(raw))
    os.utime(damaged, ns=(st.st_atime_ns, st.st_mtime_ns + 10 ** 9))
    data, summary = run(rows, tmp_path, server)
    assert sorted(hashed) == sorted([same.name, damaged.name])
    assert summary.counts == {"ok (kept)": 1, "ok": 1} and len(server.requests) > first  # the damaged one again
    assert probe(damaged).duration == 10.0
    latest = Ledger(data.ledger).latest()
    assert latest[f"{LONG}_000000"].message == "re-verified"
    assert latest[f"{LONG}_000000"].mtime_ns == same.stat().st_mtime_ns
    hashed.clear()
    data, summary = run(rows, tmp_path, server)  # the new time is recorded: quick again
    assert summary.counts == {"ok (kept)": 2} and hashed == []
    data, summary = run(rows, tmp_path, server, verify=True)  # --verify hashes every clip
    assert sorted(hashed) == sorted([same.name, damaged.name]) and summary.counts == {"ok (kept)": 2}


def test_half_done_scratch_is_cleaned_and_clip_redone(tmp_path, server):
    data = DataDir.at(tmp_path / "data")
    (data.work_dir / f"{LONG}_000000").mkdir(parents=True)
    (data.work_dir / f"{LONG}_000000" / "section.mp4").write_bytes(b"half")
    data.clips_dir.mkdir(parents=True)
    (data.clips_dir / f"{LONG}_000000.mp4.part").write_bytes(b"half")
    data, summary = run([row(LONG, 0)], tmp_path, server)
    assert summary.counts == {"ok": 1}
    assert not data.work_dir.exists() or list(data.work_dir.iterdir()) == []
    assert sorted(p.name for p in data.clips_dir.iterdir()) == [f"{LONG}_000000.mp4"]


def test_ledger_records_every_attempt_as_json_lines(tmp_path, server):
    data, _ = run([row(LONG, 3)], tmp_path, server)
    lines = data.ledger.read_text().splitlines()
    rec = json.loads(lines[0])
    assert rec["clip_id"] == f"{LONG}_000003" and rec["status"] == "ok" and rec["class"] == "dog barking"
    assert {"attempts", "time", "elapsed_s", "size", "duration", "sha256", "message"} <= set(rec)
    assert read_index(data.index)[0] == [row(LONG, 3)]
