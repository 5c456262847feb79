"""Secrets stay secret: generated passwords and tokens work whatever value they take, never reach
a command line, and Label Studio's files are its owner's alone."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ovavel.annotation.server import server_dir, token_path
from ovavel.private import new_secret, read_or_create_secret

from ..conftest import serve_data_folder


@given(st.binary(min_size=20, max_size=20))
@settings(max_examples=300, deadline=None)
def test_a_generated_secret_never_starts_with_a_dash(raw):
    # token_urlsafe("-...") was read by Label Studio's argument parser as an option, one time in
    # 64; a secret is now hexadecimal whatever bytes the generator gives.
    original = secrets.token_bytes
    secrets.token_bytes = lambda n=None: raw
    try:
        value = new_secret(20)
    finally:
        secrets.token_bytes = original
    assert value == raw.hex() and not value.startswith("-") and set(value) <= set("0123456789abcdef")


def test_the_old_generator_could_start_with_a_dash():
    # The fault itself: the bytes 0xf8.. make token_urlsafe begin with "-".
    original = secrets.token_bytes
    secrets.token_bytes = lambda n=None: b"\xf8" + b"\0" * 15
    try:
        assert secrets.token_urlsafe(16).startswith("-")
    finally:
        secrets.token_bytes = original


def test_a_stored_secret_is_owner_only(tmp_path):
    path = tmp_path / "a" / "secret"
    path.parent.mkdir()
    value = read_or_create_secret(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_or_create_secret(path) == value  # kept, not regenerated


def _cmdlines() -> list[str]:
    out = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                out.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace"))
            except OSError:
                pass
    return out


@pytest.mark.slow
def test_label_studio_secrets_are_not_on_any_command_line_and_its_files_are_private(label_studio, tmp_path,
                                                                                   monkeypatch):
    # A relative data folder, as a user types it: it once left a stray nested copy of the path.
    monkeypatch.chdir(tmp_path)
    data = Path("d")
    server = serve_data_folder(label_studio, data)
    try:
        password = (data / "annotation" / ".label_studio_password").read_text().strip()
        token = token_path(data / "annotation").read_text().strip()
        assert len(password) >= 20 and len(token) >= 20
        cmdlines = _cmdlines()
        assert any("label-studio" in c and " start " in c for c in cmdlines)  # the server is there to look at
        assert not [c for c in cmdlines if password in c or token in c]
        base = server_dir(data)
        assert not (base / "d").exists()  # no nested annotation/label-studio/d/annotation/...
        assert (base / "label_studio.sqlite3").exists()
        for path in [base, *base.rglob("*")]:
            mode = stat.S_IMODE(path.lstat().st_mode)
            if path.is_symlink():
                continue
            assert mode & 0o077 == 0, f"{path} is {oct(mode)}"
        for name in (".label_studio_token", ".label_studio_password", "label-studio.log"):
            assert stat.S_IMODE((data / "annotation" / name).stat().st_mode) == 0o600, name
        # The token is not in the server's log either.
        assert token not in (data / "annotation" / "label-studio.log").read_text()
    finally:
        server.stop()
