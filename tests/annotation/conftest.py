"""Annotation test helpers (the session's Label Studio fixture lives in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

from ovavel.testing.synthetic_media import make_test_video
from ovavel.layout import DataDir
from ovavel.tables import write_csv


def make_data_dir(root: Path, clips: dict[str, str]) -> DataDir:
    """A data folder whose clips.csv lists `clips` ({clip_id: class}) as usable."""
    data = DataDir.at(root)
    root.mkdir(parents=True, exist_ok=True)
    write_csv(data.clips_csv, [{"clip_id": c, "class": k, "status": "ok", "usable": "1"} for c, k in clips.items()],
              ["clip_id", "class", "status", "usable"])
    return data


def make_served_data_dir(root: Path, clips: dict[str, str]) -> DataDir:
    """make_data_dir plus a real (synthetic, 10 s, 25 fps) video for every clip, so that the
    projects exported from it can play their clips."""
    data = make_data_dir(root, clips)
    data.clips_dir.mkdir(parents=True, exist_ok=True)
    for cid in clips:
        make_test_video(data.clip(cid), duration=10.0, size=(160, 120))
    return data
