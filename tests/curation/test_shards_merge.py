"""A sharded download (`--shard i/N`) and `curate merge` give the same data folder as one run."""

from __future__ import annotations

from click.testing import CliRunner

from ovavel.app.cli import app
from ovavel.curation.ledger import Ledger
from ovavel.curation.vggsound_index import write_index
from ovavel.tables import read_csv

from .conftest import DASH, LONG, MISSING, row


def test_sharded_download_then_merge(tmp_path, server):
    rows = [row(LONG, s) for s in (0, 5, 10, 15)] + [row(DASH, 2), row(MISSING, 0)]
    index = tmp_path / "index.csv"
    write_index(index, rows)
    classes = tmp_path / "classes.txt"
    classes.write_text("dog barking\n")
    runner = CliRunner()
    shard_dirs = []
    for i in range(2):
        d = tmp_path / f"shard{i}"
        r = runner.invoke(app, ["curate", "download", "--index", str(index), "--classes", str(classes),
                                "--out", str(d), "--shard", f"{i}/2", "--url-template", server.url_template(),
                                "--no-progress"])
        assert r.exit_code == 0, r.output
        shard_dirs.append(d)
    shard_ids = [{x["clip_id"] for x in read_csv(d / "clips.csv")} for d in shard_dirs]
    assert shard_ids[0].isdisjoint(shard_ids[1]) and shard_ids[0] | shard_ids[1] == {r.clip_id for r in rows}
    r = runner.invoke(app, ["curate", "segments", "--data", str(shard_dirs[0]), "--no-progress"])
    assert r.exit_code == 0, r.output
    merged = tmp_path / "merged"
    r = runner.invoke(app, ["curate", "merge", *map(str, shard_dirs), "--data", str(merged)])
    assert r.exit_code == 0, r.output
    manifest = {x["clip_id"]: x for x in read_csv(merged / "clips.csv")}
    assert set(manifest) == {r.clip_id for r in rows}
    assert {k for k, v in manifest.items() if v["status"] == "ok"} == {r.clip_id for r in rows if r.youtube_id != MISSING}
    assert manifest[f"{MISSING}_000000"]["status"] == "unavailable"
    assert all((merged / "clips" / f"{k}.mp4").is_file() for k, v in manifest.items() if v["status"] == "ok")
    assert sorted(p.name for p in (merged / "segments").iterdir()) == sorted(
        k for k in shard_ids[0] if manifest[k]["status"] == "ok")
    assert len(Ledger(merged / "ledger.jsonl").entries()) == sum(
        len(Ledger(d / "ledger.jsonl").entries()) for d in shard_dirs)
    ledger_lines = len(Ledger(merged / "ledger.jsonl").entries())
    r = runner.invoke(app, ["curate", "merge", *map(str, shard_dirs), "--data", str(merged)])
    assert r.exit_code == 0 and len(Ledger(merged / "ledger.jsonl").entries()) == ledger_lines  # merging again adds nothing
    r = runner.invoke(app, ["curate", "status", "--data", str(merged)])
    assert r.exit_code == 0 and "unavailable" in r.output and "dog barking" in r.output
    # A rerun of the merged folder's download has nothing left to fetch.
    before = len(server.requests)
    r = runner.invoke(app, ["curate", "download", "--index", str(index), "--classes", str(classes),
                            "--out", str(merged), "--url-template", server.url_template(), "--no-progress"])
    assert r.exit_code == 0 and len(server.requests) == before
