"""Shared fixtures: the real data beside the checkout, a loopback media server, synthetic media."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

from ovavel.annotation.ls_client import LabelStudioClient
from ovavel.annotation.server import start_server, stop_server, token_path

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


def pytest_collection_modifyitems(items):
    """Every test that uses the `shared` fixture (itself or through another fixture) carries the
    `shared` marker: `-m "not shared"` runs what a fresh clone can."""
    for item in items:
        if "shared" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.shared)


@pytest.fixture(scope="session")
def ffmpeg_available():
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        pytest.fail("ffmpeg/ffprobe not on PATH: run `make setup` (installs it with apt-get as root)")
    return True


# -- a real Label Studio: its own virtualenv, loopback, one migrated data folder per session ------
os.environ.setdefault("OVAVEL_LABEL_STUDIO_VENV", str(REPO / ".venv-label-studio"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A Label Studio started by this toolkit's own `annotate server start` code."""

    def __init__(self, root: Path, port: int):
        self.root = root
        self.state = start_server(root, port=port, timeout=900)
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


def copy_migrated_database(label_studio: Server, root: Path) -> None:
    """Give the data folder `root` a copy of the session server's migrated Label Studio folder,
    so `annotate server start --data root` answers in seconds instead of a minute."""
    shutil.copytree(label_studio.root / "annotation", root / "annotation", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("server.json", "*.log", "projects.json", "users.csv", "media"))


def serve_data_folder(label_studio: Server, root: Path) -> Server:
    """A Label Studio of the data folder `root` itself (its local-files document root, as
    `annotate server start --data root` makes it), on a copy of the migrated database."""
    copy_migrated_database(label_studio, root)
    return Server(root, free_port())


# -- a real browser: Debian's Chromium driven by playwright ---------------------------------------
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required"]


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (`make setup` installs Debian's chromium where it runs as root)."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("needs Chromium: `apt-get install chromium` (make setup does it when run as root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("needs playwright: pip install -e '.[dev]'")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


