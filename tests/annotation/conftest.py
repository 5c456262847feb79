"""Annotation test helpers (the session's Label Studio fixture lives in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

from ovavel.testing.synthetic_media import make_test_video
from ovavel.layout import DataDir
from ovavel.tables import write_csv


def make_data_dir(root: Path, clips: dict[str, str], mean_volume_db: dict[str, str] | None = None) -> DataDir:
    """A data folder whose clips.csv lists `clips` ({clip_id: class}) as usable (with the mean
    loudness `curate check` measures, where given)."""
    data = DataDir.at(root)
    root.mkdir(parents=True, exist_ok=True)
    loudness = mean_volume_db or {}
    write_csv(data.clips_csv, [{"clip_id": c, "class": k, "status": "ok", "usable": "1",
                                "mean_volume_db": loudness.get(c, "")} for c, k in clips.items()],
              ["clip_id", "class", "status", "usable", "mean_volume_db"])
    return data


def make_served_data_dir(root: Path, clips: dict[str, str]) -> DataDir:
    """make_data_dir plus a real (synthetic, 10 s, 25 fps) video for every clip, so that the
    projects exported from it can play their clips."""
    data = make_data_dir(root, clips)
    data.clips_dir.mkdir(parents=True, exist_ok=True)
    for cid in clips:
        make_test_video(data.clip(cid), duration=10.0, size=(160, 120))
    return data
