"""Annotation test helpers (the session's Label Studio fixture lives in tests/conftest.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ovavel.curation.layout import DataDir
from ovavel.tables import write_csv

from ..conftest import Server, free_port


@pytest.fixture
def second_label_studio(label_studio, tmp_path):
    """Another server on a copy of the migrated data folder (starts in seconds), for tests that
    kill it."""
    root = tmp_path / "ls2"
    shutil.copytree(label_studio.root / "annotation", root / "annotation",
                    ignore=shutil.ignore_patterns("server.json", "*.log"))
    server = Server(root, free_port())
    yield server
    server.stop()


def make_data_dir(root: Path, clips: dict[str, str]) -> DataDir:
    """A data folder whose clips.csv lists `clips` ({clip_id: class}) as usable."""
    data = DataDir.at(root)
    root.mkdir(parents=True, exist_ok=True)
    write_csv(data.clips_csv, [{"clip_id": c, "class": k, "status": "ok", "usable": "1"} for c, k in clips.items()],
              ["clip_id", "class", "status", "usable"])
    return data
