"""Damaged segments: `curate segments` verifies what it wrote, and `baseline features` records a clip
whose segments do not read as failed, with the reason, and goes on."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from ovavel.app.cli import app
from ovavel.curation.segments import segments_problem
from ovavel.feature_store import FeatureStore
from ovavel.tables import read_csv

pytest.importorskip("torch", reason="needs the ovavel[models] extra")

from ..curation.conftest import media_root  # noqa: E402,F401  (fixture)
from ..models.conftest import segmented  # noqa: E402,F401  (fixture)

TINY = ["--encoder", "imagebind-tiny", "--random-init", "--device", "cpu", "--num-workers", "0", "--no-progress"]


def truncate(path, fraction=3):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // fraction])


def test_segments_problem_names_what_is_wrong(segmented, tmp_path):  # noqa: F811
    _, data, ids = segmented
    folder = tmp_path / "seg"
    shutil.copytree(data.segments(ids[0]), folder)
    assert segments_problem(folder) == ""
    truncate(folder / "audio.wav")
    assert segments_problem(folder).startswith("audio.wav holds 3.33 s of samples, expected 10 s")
    shutil.copy(data.segments(ids[0]) / "audio.wav", folder / "audio.wav")
    truncate(folder / "frame_4.jpg")
    assert segments_problem(folder).startswith("frame_4.jpg does not decode")


def test_features_record_a_damaged_clip_and_go_on(segmented, tmp_path):  # noqa: F811
    root, data, ids = segmented
    copy = tmp_path / "data"
    shutil.copytree(data.root, copy, ignore=shutil.ignore_patterns("*.mp4"))
    truncate(copy / "segments" / ids[1] / "frame_2.jpg")
    r = CliRunner().invoke(app, ["baseline", "features", "--data", str(copy), "--out", str(tmp_path / "f"), *TINY])
    assert r.exit_code == 0, r.output
    assert "extracted now: 5" in r.output and "damaged segments (failed): 1" in r.output
    assert f"first damaged clip: {ids[1]}" in r.output
    failed = read_csv(tmp_path / "f" / "failed-r0.csv")
    assert [f["clip_id"] for f in failed] == [ids[1]]
    assert failed[0]["reason"].startswith("OSError: ") and "truncated" in failed[0]["reason"]
    assert sorted(FeatureStore(tmp_path / "f").load().clip_ids) == sorted(set(ids) - {ids[1]})


PREDICT = ["--classes", "dog barking,playing piano", "--encoder", "imagebind-tiny", "--random-init", "--device", "cpu"]


@pytest.mark.parametrize("kind", ["not a video", "zero bytes", "truncated"])
def test_predict_on_a_bad_file_says_so(media_root, tmp_path, kind):  # noqa: F811
    from ..curation.conftest import LONG

    path = tmp_path / "bad.mp4"
    if kind == "not a video":
        path.write_text("hello, I am text\n")
    elif kind == "zero bytes":
        path.write_bytes(b"")
    else:
        src = (media_root / f"{LONG}.mp4").read_bytes()
        path.write_bytes(src[: len(src) // 3])
    r = CliRunner().invoke(app, ["predict", str(path), *PREDICT, "--out", str(tmp_path / "o")])
    assert r.exit_code == 1, r.output
    expected = {"not a video": "not a video ffmpeg can read", "zero bytes": "no such file, or an empty one",
                "truncated": "bad.mp4: the video could not be cut into seconds (damaged or truncated?)"}[kind]
    assert expected in r.output and "Traceback" not in r.output


def test_predict_says_what_it_pads_when_the_audio_is_short(tmp_path, ffmpeg_available):
    from ovavel.curation.ffmpeg_tools import run_args

    video = tmp_path / "short_audio.mp4"
    run_args(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=s=160x120:r=25:d=10", "-f", "lavfi", "-i",
              "sine=frequency=440:duration=3", "-c:v", "libx264", "-c:a", "aac", str(video)])
    r = CliRunner().invoke(app, ["predict", str(video), *PREDICT, "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    assert "note: the audio covers 3.0 s of the 10 s; the rest is padded with silence" in r.output
    result = json.loads((tmp_path / "o" / "timeline.json").read_text())
    assert result["seconds"] == 10 and result["notes"] == [
        "the audio covers 3.0 s of the 10 s; the rest is padded with silence (those seconds cannot hold an "
        "audio-visual event)"]
