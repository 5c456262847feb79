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


@pytest.mark.slow
def test_a_second_local_user_reads_neither_secret(label_studio):
    """As root, run commands as `nobody`: a data folder in a world-traversable place, its server
    running; the token, the password, users.csv and the database stay unreadable to that user,
    while an ordinary file beside them is readable (so the check can fail)."""
    import shutil
    import subprocess
    import tempfile

    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to act as a second user")
    base = Path(tempfile.mkdtemp(prefix="ovavel-second-user-"))
    base.chmod(0o755)
    data = base / "d"
    server = serve_data_folder(label_studio, data)
    try:
        (data / "clips.csv").write_text("clip_id,class,status,usable\n")
        (data / "clips.csv").chmod(0o644)
        (data / "annotation").chmod(0o755)

        def as_nobody(*cmd):
            return subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd],
                                  capture_output=True, text=True)

        assert as_nobody("cat", str(data / "clips.csv")).returncode == 0  # the control: readable
        secrets_ = [token_path(data / "annotation"), data / "annotation" / ".label_studio_password",
                    server_dir(data) / "label_studio.sqlite3"]
        for path in secrets_:
            assert path.exists()
            r = as_nobody("cat", str(path))
            assert r.returncode != 0 and "Permission denied" in r.stderr, path
        token = token_path(data / "annotation").read_text().strip()
        password = (data / "annotation" / ".label_studio_password").read_text().strip()
        ps = as_nobody("ps", "-eo", "args")
        assert ps.returncode == 0 and "label-studio" in ps.stdout
        assert token not in ps.stdout and password not in ps.stdout
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
