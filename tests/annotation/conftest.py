"""A real Label Studio for the annotation tests: its own virtualenv, loopback, one migrated data
folder reused by every test of the session."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

from ovavel.annotation.ls_client import LabelStudioClient
from ovavel.annotation.server import start_server, stop_server, token_path
from ovavel.curation.layout import DataDir
from ovavel.tables import write_csv

from ..conftest import REPO

os.environ.setdefault("OVAVEL_LABEL_STUDIO_VENV", str(REPO / ".venv-label-studio"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, root: Path, port: int):
        self.root = root
        self.state = start_server(root, port=port, timeout=600)
        self.url = self.state.url
        self.token = token_path(root / "annotation").read_text().strip()

    def client(self) -> LabelStudioClient:
        return LabelStudioClient(self.url, self.token)

    def stop(self) -> None:
        stop_server(self.root)


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("ls-home"), free_port())
    yield server
    server.stop()


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
