"""Shared fixtures: the real data beside the checkout, a loopback media server, synthetic media."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_root() -> Path:
    return Path(os.environ.get("OVAVEL_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared/data (the real OV-AVEBench files, VGGSound index and media)."""
    data = shared_root() / "data"
    if not data.is_dir():
        pytest.skip(f"needs the real data in {data} (../shared beside the checkout, or OVAVEL_SHARED); "
                    "absent in a fresh clone")
    return data


@pytest.fixture(scope="session")
def ffmpeg_available():
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        pytest.fail("ffmpeg/ffprobe not on PATH: run `make setup` (installs it with apt-get as root)")
    return True
