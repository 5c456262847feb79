"""Reruns leave exactly the new output: `splits export-hf` with another plan replaces the old shards
and its checksums cover exactly the release; `ovavel browse --media copy` never leaves a part of a
file under its final name, and a rebuild checks what it keeps."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tarfile
import time

import pytest
from click.testing import CliRunner

from ovavel.app.cli import app

from ..browse.conftest import bench_site_inputs  # noqa: F401  (fixture)
from ..curation.conftest import media_root  # noqa: F401  (fixture)
from ..splits.conftest import hf_bench  # noqa: F401  (fixture)


def export(*args):
    r = CliRunner().invoke(app, ["splits", "export-hf", "--no-progress", *map(str, args)])
    assert r.exit_code == 0, r.output
    return r


def members(out):
    names = []
    for tar in sorted(out.rglob("*.tar")):
        with tarfile.open(tar) as t:
            names += t.getnames()
    return names


def checksummed(out):
    return sorted(line.split("  ", 1)[1] for line in (out / "checksums.sha256").read_text().splitlines())


def on_disk(out):
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != "checksums.sha256")


def test_export_hf_rerun_with_another_plan_is_exactly_the_new_release(hf_bench, tmp_path):  # noqa: F811
    root, data, splits, parts, final = hf_bench
    out = tmp_path / "release"
    export("--splits", splits, "--data", data.root, "--out", out, "--media", "segments", "--shard-size", "150kB")
    small = sorted(p.name for p in (out / "segments").glob("*.tar"))
    assert len(small) > 3
    (out / "segments" / ".test-00000.tar.1a2b.part").write_bytes(b"half a shard")  # a killed run's leftover
    r = export("--splits", splits, "--data", data.root, "--out", out, "--media", "segments", "--shard-size", "1GB")
    assert sorted(p.name for p in (out / "segments").glob("*")) == ["test-00000.tar", "train-00000.tar",
                                                                     "val-00000.tar"]
    assert f"files of an earlier export removed: {len(small) - 3 + 1}" in r.output
    # every clip once: 6 clips x (10 frames + wav + json)
    names = members(out)
    assert len(names) == 6 * 12 and len(set(names)) == len(names)
    assert checksummed(out) == on_disk(out)
    # another media kind replaces the segments; no media at all leaves no shard
    export("--splits", splits, "--data", data.root, "--out", out, "--media", "clips")
    assert not list((out / "segments").glob("*.tar")) and len(list((out / "clips").glob("*.tar"))) == 3
    export("--splits", splits, "--out", out)
    assert members(out) == [] and checksummed(out) == on_disk(out)


def site_files(site):
    return {p.relative_to(site).as_posix(): p for p in (site / "media").rglob("*") if p.is_file()}


def test_browse_copy_replaces_a_partial_file_and_a_stale_thumbnail(bench_site_inputs, tmp_path):  # noqa: F811
    root, data = bench_site_inputs
    site = tmp_path / "site"
    args = ["browse", "--data", str(data.root), "--labels", str(root / "labels.csv"), "--results",
            str(root / "results" / "training_free"), "--out", str(site), "--media", "copy", "--no-progress"]
    assert CliRunner().invoke(app, args).exit_code == 0
    cid = "clip0000001_000000"
    mp4, thumb = site / "media" / f"{cid}.mp4", site / "thumbs" / f"{cid}.jpg"
    full = data.clip(cid).read_bytes()
    assert mp4.read_bytes() == full
    # what an older version left after a kill: a part under the final name, same size, other bytes
    mp4.write_bytes(b"\0" * len(full))
    thumb.write_bytes(b"not a jpeg")
    (site / "media" / f".{cid}.mp4.99.part").write_bytes(b"half")
    assert CliRunner().invoke(app, args).exit_code == 0
    assert mp4.read_bytes() == full
    assert thumb.read_bytes()[:2] == b"\xff\xd8"  # rebuilt: a JPEG again
    assert not list(site.rglob("*.part"))
    # a rebuild with nothing changed keeps every file (same inode)
    inodes = {k: p.stat().st_ino for k, p in site_files(site).items()}
    assert CliRunner().invoke(app, args).exit_code == 0
    assert {k: p.stat().st_ino for k, p in site_files(site).items()} == inodes


@pytest.mark.slow
def test_browse_copy_killed_at_any_moment_leaves_no_part_under_a_final_name(bench_site_inputs, tmp_path):  # noqa: F811
    root, data = bench_site_inputs
    # bigger clips (32 MB each) so that copying one takes a while; each run is killed the moment its
    # first media file (final or temporary name) appears, then a little later, while it copies
    import shutil

    big = tmp_path / "data"
    shutil.copytree(data.root, big)
    for mp4 in (big / "clips").glob("*.mp4"):
        with open(mp4, "ab") as f:
            f.write(os.urandom(32 << 20))
    site = tmp_path / "site"
    cmd = [sys.executable, "-m", "ovavel", "browse", "--data", str(big), "--labels", str(root / "labels.csv"),
           "--results", str(root / "results" / "training_free"), "--out", str(site), "--media", "copy",
           "--no-progress"]
    for extra in (0.0, 0.01, 0.03, 0.06):
        shutil.rmtree(site, ignore_errors=True)
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120  # bounded wait for the build to reach its media
        while p.poll() is None and time.monotonic() < deadline and not (
                (site / "media").is_dir() and any((site / "media").iterdir())):
            time.sleep(0.002)
        time.sleep(extra)
        p.send_signal(signal.SIGKILL)
        p.wait()
        for rel, path in site_files(site).items():
            if not path.name.startswith(".") and path.suffix == ".mp4":
                assert path.read_bytes() == (big / "clips" / path.name).read_bytes(), (extra, rel)
    assert subprocess.run(cmd, capture_output=True).returncode == 0
    assert not list(site.rglob("*.part"))
    for rel, path in site_files(site).items():
        if path.suffix == ".mp4":
            assert path.read_bytes() == (big / "clips" / path.name).read_bytes()
