"""Outputs are for the group that shares the folder: under umask 022 every file that `splits make`,
`ovavel metrics`, `ovavel browse` and `splits export-hf` write is 0644, and a second local user
reads each one; secrets stay 0600 (test_secrets.py)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from ovavel.catalog import load_catalog
from ovavel.app.cli import app
from ovavel.formats import Label, write_labels
from ovavel.private import write_private_text
from ovavel.tables import atomic_write_text, read_csv, write_csv

CATALOG = load_catalog()


def labels_for(per_class: int) -> dict[str, Label]:
    return {f"k{k:02d}clip{i:04d}": Label(c, format((37 * (i + 1)) % 1024, "010b"))
            for k, c in enumerate(CATALOG.names) for i in range(per_class)}


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_atomic_writer_follows_the_umask_and_secrets_stay_private(tmp_path, umask_022):
    atomic_write_text(tmp_path / "out.txt", "x")
    write_private_text(tmp_path / "secret", "s")
    assert stat.S_IMODE((tmp_path / "out.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "secret").stat().st_mode) == 0o600
    os.umask(0o027)
    atomic_write_text(tmp_path / "group.txt", "x")
    assert stat.S_IMODE((tmp_path / "group.txt").stat().st_mode) == 0o640


def run(*args):
    r = CliRunner().invoke(app, [str(a) for a in args])
    assert r.exit_code == 0, r.output
    return r


@pytest.fixture(scope="module")
def shared_outputs():
    """The four stages' outputs in a world-traversable folder, written under umask 022."""
    old = os.umask(0o022)
    base = Path(tempfile.mkdtemp(prefix="ovavel-shared-"))
    try:
        base.chmod(0o755)
        write_labels(base / "labels.csv", labels_for(20))
        run("splits", "make", "--labels", base / "labels.csv", "--out", base / "splits")
        test_ids = [r["clip_id"] for r in read_csv(base / "splits" / "test.csv")]
        (base / "results").mkdir()
        write_csv(base / "results" / "predictions.csv",
                  [{"clip_id": c, **{f"seg_{k}": "background" for k in range(10)}} for c in test_ids],
                  ["clip_id"] + [f"seg_{k}" for k in range(10)])
        run("metrics", "--pred", base / "results" / "predictions.csv", "--labels",
            base / "splits" / "labels.csv", "--split", base / "splits" / "test.csv", "--out", base / "metrics")
        run("browse", "--labels", base / "splits" / "labels.csv", "--results", base / "results",
            "--split", base / "splits" / "test.csv", "--out", base / "site", "--media", "none", "--no-progress")
        run("splits", "export-hf", "--splits", base / "splits", "--out", base / "release", "--no-progress")
        outputs = {name: sorted(p for p in (base / name).rglob("*") if p.is_file())
                   for name in ("splits", "metrics", "site", "release")}
        yield base, outputs
    finally:
        os.umask(old)
        shutil.rmtree(base, ignore_errors=True)


def test_every_output_is_group_and_world_readable(shared_outputs):
    base, outputs = shared_outputs
    for name, files in outputs.items():
        assert files, name
        for p in files:
            assert stat.S_IMODE(p.stat().st_mode) == 0o644, p
        for d in [base / name, *(p for p in (base / name).rglob("*") if p.is_dir())]:
            assert stat.S_IMODE(d.stat().st_mode) == 0o755, d
    # the files a person would open: the report, the site, the release's tables and card
    names = {p.relative_to(base).as_posix() for files in outputs.values() for p in files}
    assert {"splits/test.csv", "metrics/report.md", "site/index.html", "site/app.js", "site/data.js",
            "release/README.md", "release/data/test.parquet", "release/checksums.sha256"} <= names


def test_a_second_local_user_reads_every_output(shared_outputs):
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to act as a second user")
    base, outputs = shared_outputs
    files = [str(p) for ps in outputs.values() for p in ps]
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "cat", *files],
                       capture_output=True)
    assert r.returncode == 0, r.stderr.decode()[:500]
    # the control: a private file in the same place is refused to that user
    write_private_text(base / "secret", "s")
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "cat", str(base / "secret")],
                       capture_output=True, text=True)
    assert r.returncode != 0 and "Permission denied" in r.stderr


def test_a_lock_file_holds_no_option_value(tmp_path, monkeypatch):
    """Lock files are readable by the group: `annotate export --token X` must not leave X there."""
    import sys

    from ovavel.locking import folder_lock

    monkeypatch.setattr(sys, "argv", ["/v/bin/annotate", "export", "--data", str(tmp_path / "d"), "--token",
                                      "s3cret-token", "--url=http://u:pw@host"])
    with folder_lock(tmp_path / "d") as lock:
        text = lock.read_text()
    assert '"command": "annotate export"' in text
    assert "s3cret" not in text and "pw@" not in text
