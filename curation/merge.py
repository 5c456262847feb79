"""`curate merge`: one data folder from the folders of a sharded run (`curate download --shard i/N`)."""

from __future__ import annotations

import json
import os
import shutil

from tqdm import tqdm

from ovavel.curation.manifest import build_manifest
from ovavel.curation.vggsound_index import Reject, read_index, write_index, write_rejects
from ovavel.errors import OvavelError
from ovavel.layout import DataDir
from ovavel.tables import append_jsonl, read_csv, read_jsonl, repair_jsonl_tail


def merge_shards(shard_dirs: list, target, progress: bool = True) -> dict[str, int]:
    """Join the data folders of a sharded run into one: index rows, ledger lines, clips,
    segments and rejects; then rebuild clips.csv. A clip id in two shards with different rows
    stops the merge. Files are hard-linked where possible (same disk), else copied."""
    target = DataDir.at(target)
    sources = [DataDir.at(d) for d in shard_dirs]
    for s in sources:
        if not s.index.exists():
            raise OvavelError(f"{s.root}: not a data folder (no index.csv)")
        if s.root.resolve() == target.root.resolve():
            raise OvavelError(f"{s.root}: a shard folder cannot also be the merge target")
    target.root.mkdir(parents=True, exist_ok=True)
    rows = {r.clip_id: r for r in read_index(target.index)[0]} if target.index.exists() else {}
    rejects = []
    counts = {"index_rows": 0, "ledger_lines": 0, "clips": 0, "segments": 0}
    for s in tqdm(sources, desc="merge", unit="shard", disable=not progress, dynamic_ncols=True):
        shard_rows, shard_rejects = read_index(s.index)
        for r in shard_rows:
            if r.clip_id in rows and rows[r.clip_id] != r:
                raise OvavelError(f"clip {r.clip_id} differs between shards ({s.root})")
            rows[r.clip_id] = r
        rejects += shard_rejects
        if s.rejects.exists():
            rejects += [Reject(**{**x, "line": int(x["line"] or 0)}) for x in read_csv(s.rejects)]
        counts["ledger_lines"] += _append_new(s.ledger, target.ledger)
        for clip in sorted(s.clips_dir.glob("*.mp4")) if s.clips_dir.exists() else []:
            counts["clips"] += _link_or_copy(clip, target.clips_dir / clip.name)
        for seg in sorted(p for p in s.segments_dir.glob("*") if p.is_dir() and not p.name.startswith(".")) \
                if s.segments_dir.exists() else []:
            dest = target.segments_dir / seg.name
            if not dest.exists():
                tmp = target.segments_dir / f".{seg.name}.part"
                shutil.rmtree(tmp, ignore_errors=True)
                shutil.copytree(seg, tmp, copy_function=_link_or_copy_fn)
                os.replace(tmp, dest)
                counts["segments"] += 1
        if s.reject_list.exists():
            with open(target.reject_list, "a", encoding="utf-8") as f:
                f.write(s.reject_list.read_text(encoding="utf-8").rstrip("\n") + "\n")
        _append_new(s.root / "quality.jsonl", target.root / "quality.jsonl")
    write_index(target.index, list(rows.values()))
    counts["index_rows"] = len(rows)
    write_rejects(target.rejects, rejects)
    build_manifest(target)
    return counts


def _append_new(source, target) -> int:
    """Append the records of one JSONL log to another, skipping those it already holds (a merge
    run twice adds nothing)."""
    repair_jsonl_tail(target)
    have = {json.dumps(r, sort_keys=True) for r in read_jsonl(target)}
    added = 0
    for rec in read_jsonl(source):
        key = json.dumps(rec, sort_keys=True)
        if key not in have:
            append_jsonl(target, rec)
            have.add(key)
            added += 1
    return added


def _link_or_copy(src, dest) -> int:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        return 0
    tmp = dest.with_name(f".{dest.name}.part")
    tmp.unlink(missing_ok=True)
    try:
        os.link(src, tmp)
    except OSError:
        shutil.copy2(src, tmp)
    os.replace(tmp, dest)
    return 1


def _link_or_copy_fn(src, dest):
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)
    return dest
