"""Media for the curation tests: synthetic clips whose content encodes time, plus the real
videos in ../shared/data/media when present."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ovavel.testing.synthetic_media import make_test_video
from ovavel.curation.vggsound_index import IndexRow
from ovavel.testing.media_server import MediaServer

# YouTube-like ids (11 characters); one starts with "-" like 550 official ids do.
LONG = "LongVideo01"        # 30 s, faststart: a section from 17 s is fetched alone
DASH = "-dashFirst1"        # 20 s, id starts with "-"
STEREO = "StereoClip1"      # 12 s, left and right channels carry different tones
SLOW_START = "moovAtEnd01"  # 25 s, moov atom at the end (no faststart)
SHORT = "bunnyShort1"       # real footage, 5.3 s -> too_short
MUTE = "bikesNoAud1"        # real footage, no audio track -> no_audio
MISSING = "notThere404"
FORBIDDEN = "forbidden03"


def row(youtube_id: str, start: int, cls: str = "dog barking") -> IndexRow:
    return IndexRow(f"{youtube_id}_{start:06d}", youtube_id, start, cls, cls, "animal", "train")


@pytest.fixture(scope="session")
def media_root(tmp_path_factory, ffmpeg_available) -> Path:
    root = tmp_path_factory.mktemp("media")
    make_test_video(root / f"{LONG}.mp4", duration=30, gop=50)
    make_test_video(root / f"{DASH}.mp4", duration=20)
    make_test_video(root / f"{STEREO}.mp4", duration=12, stereo=True)
    make_test_video(root / "plain.mp4", duration=25, gop=50)
    # Re-mux without faststart: the index sits at the end of the file.
    import subprocess
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(root / "plain.mp4"), "-c", "copy",
                    str(root / f"{SLOW_START}.mp4")], check=True)
    return root


@pytest.fixture(scope="session")
def real_media(media_root, shared) -> Path:
    """Adds the real ../shared videos to the media root (skips where ../shared is absent)."""
    shutil.copy(shared / "media" / "bigbuckbunny.mp4", media_root / f"{SHORT}.mp4")
    shutil.copy(shared / "media" / "bikes.mp4", media_root / f"{MUTE}.mp4")
    return media_root


@pytest.fixture
def server(media_root):
    with MediaServer(media_root) as srv:
        yield srv
