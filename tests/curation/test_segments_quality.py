"""curate segments (exact middle frames, channel-0 audio) and curate check (flags, reject list)."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
from click.testing import CliRunner

from ovavel.app.cli import app
from ovavel.curation.download import DownloadOptions, download_clips
from ovavel.curation.quality import check_clips
from ovavel.curation.segments import SegmentOptions, extract_segments, middle_frame_indices, segment_clips
from ovavel.curation.vggsound_index import write_index
from ovavel.layout import DataDir
from ovavel.tables import read_csv

from .conftest import LONG, STEREO, row
from .helpers import audio_seconds, decode_frames, wav_info


def test_middle_frame_indices_by_hand():
    # 25 fps: t = 0.5 s falls in frame 12 ([0.48, 0.52)); t = 9.5 s in frame 237.
    assert middle_frame_indices(Fraction(25)) == [12, 37, 62, 87, 112, 137, 162, 187, 212, 237]
    # 30000/1001 fps: frame n starts at n * 1.001/30 s; t = 0.5 -> 14 (0.467 s .. 0.501 s).
    assert middle_frame_indices(Fraction(30000, 1001))[:3] == [14, 44, 74]
    # 1 fps: frame k is shown during [k, k+1) and holds k + 0.5.
    assert middle_frame_indices(Fraction(1)) == list(range(10))
    # A stream whose first frame is shown at 0.1 s.
    assert middle_frame_indices(Fraction(10), Fraction(1, 10))[:2] == [4, 14]


@pytest.fixture
def downloaded(tmp_path, server):
    data = DataDir.at(tmp_path / "data")
    data.root.mkdir()
    rows = [row(LONG, 3), row(STEREO, 1)]
    write_index(data.index, rows)
    download_clips(rows, data, DownloadOptions(url_template=server.url_template(), workers=2), progress=False)
    return data


def test_segments_pick_the_frame_shown_at_k_plus_half(downloaded):
    summary = segment_clips(downloaded, workers=2, progress=False)
    assert summary.counts == {"ok": 2}
    seg = downloaded.segments(f"{LONG}_000003")
    # Source frame shown at 3 + k + 0.5 s at 25 fps: floor((3.5 + k) * 25).
    got = [decode_frames(seg / f"frame_{k}.jpg")[0] for k in range(10)]
    assert got == [int((3.5 + k) * 25) for k in range(10)]
    channels, rate, n, _ = wav_info(seg / "audio.wav")
    assert (channels, rate, n) == (1, 16000, 160000)
    assert audio_seconds(seg / "audio.wav") == list(range(3, 13))
    # A rerun keeps finished folders.
    assert segment_clips(downloaded, progress=False).counts == {"done (kept)": 2}


def test_audio_is_channel_zero_unless_downmixed(downloaded, tmp_path):
    clip = downloaded.clip(f"{STEREO}_000001")
    extract_segments(clip, tmp_path / "left")
    _, _, _, left = wav_info(tmp_path / "left" / "audio.wav")
    freq = np.abs(np.fft.rfft(left[:16000].astype(float)))
    assert np.argmax(freq) == 300  # left channel: 200 + 100 * 1 Hz during source second 1
    # ... and nothing of the right channel's tone (a downmix would hold it at the same strength).
    assert freq[1250] < 0.01 * freq[300]
    extract_segments(clip, tmp_path / "mix", SegmentOptions(downmix=True))
    _, _, _, mix = wav_info(tmp_path / "mix" / "audio.wav")
    spectrum = np.abs(np.fft.rfft(mix[:16000].astype(float)))
    top_two = sorted(np.argsort(spectrum)[-2:])
    assert top_two == [300, 1250]  # both channels' tones (right: 1200 + 50 * 1 Hz)


def test_check_flags_silent_and_frozen_and_honours_reject_list(tmp_path, media_root):
    from ovavel.testing.media_server import MediaServer
    from ovavel.curation.ffmpeg_tools import run_args

    run_args(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=red:s=160x120:r=25:d=12",
              "-f", "lavfi", "-i", "sine=frequency=440:duration=12", "-c:v", "libx264", "-c:a", "aac",
              "-shortest", str(media_root / "StaticImage.mp4")])
    run_args(["ffmpeg", "-v", "error", "-y", "-i", str(media_root / f"{LONG}.mp4"), "-f", "lavfi",
              "-i", "anullsrc=r=44100:cl=mono", "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac",
              "-shortest", str(media_root / "SilentAudio.mp4")])
    data = DataDir.at(tmp_path / "data")
    data.root.mkdir()
    rows = [row("StaticImage", 0), row("SilentAudio", 0), row(LONG, 0), row(LONG, 10)]
    write_index(data.index, rows)
    with MediaServer(media_root) as srv:
        download_clips(rows, data, DownloadOptions(url_template=srv.url_template()), progress=False)
    data.reject_list.write_text(f"# a person looked at it\n{LONG}_000010\n")
    result = CliRunner().invoke(app, ["curate", "check", "--data", str(data.root), "--no-progress"])
    assert result.exit_code == 0, result.output
    manifest = {r["clip_id"]: r for r in read_csv(data.clips_csv)}
    assert manifest["StaticImage_000000"]["flags"] == "frozen_video"
    assert manifest["SilentAudio_000000"]["flags"] == "silent_audio"
    assert manifest[f"{LONG}_000000"]["flags"] == ""
    assert manifest[f"{LONG}_000010"]["rejected"] == "1"
    assert {k: r["usable"] for k, r in manifest.items()} == {
        "StaticImage_000000": "0", "SilentAudio_000000": "0", f"{LONG}_000000": "1", f"{LONG}_000010": "0"}
    assert float(manifest["StaticImage_000000"]["frozen_s"]) >= 9.0
    # Mean loudness (RMS): lavfi's sine is 1/8 full scale, 20 log10(1/8/sqrt 2) = -21.1 dB; the
    # synthetic clips' tone is 1/2, -9.0 dB.
    assert float(manifest["StaticImage_000000"]["mean_volume_db"]) == pytest.approx(-21.1, abs=0.3)
    assert float(manifest[f"{LONG}_000000"]["mean_volume_db"]) == pytest.approx(-9.0, abs=0.3)
    # A record written before the mean was kept (no mean_volume_db) is measured again; then kept.
    quality = data.root / "quality.jsonl"
    old = [{k: v for k, v in json.loads(line).items() if k != "mean_volume_db"} for line in quality.read_text().splitlines()]
    quality.write_text("".join(json.dumps(r) + "\n" for r in old))
    again = CliRunner().invoke(app, ["curate", "check", "--data", str(data.root), "--no-progress"])
    assert again.exit_code == 0 and {r["clip_id"]: r["mean_volume_db"] for r in read_csv(data.clips_csv)} == \
        {k: r["mean_volume_db"] for k, r in manifest.items()}
    assert check_clips(data, progress=False).kept == 4
    # --allow keeps frozen clips usable; only usable clips get segments.
    CliRunner().invoke(app, ["curate", "check", "--data", str(data.root), "--allow", "frozen_video", "--no-progress"])
    manifest = {r["clip_id"]: r for r in read_csv(data.clips_csv)}
    assert manifest["StaticImage_000000"]["usable"] == "1"
    segment_clips(data, progress=False)
    assert sorted(p.name for p in data.segments_dir.iterdir()) == sorted(["StaticImage_000000", f"{LONG}_000000"])
    bad = CliRunner().invoke(app, ["curate", "check", "--data", str(data.root), "--allow", "blurry"])
    assert bad.exit_code == 1 and "--allow: expected flags among" in bad.output and "blurry" in bad.output
