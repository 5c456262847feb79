"""Sharded runs: `--shard i/N` picks a disjoint part of the index that any scheduler (SLURM
arrays, Kubernetes jobs) can fan out; `curate merge` joins the shard folders."""

from __future__ import annotations

import zlib

from ovavel.errors import OvavelError


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """'i/N' with 0 <= i < N (0-based, like SLURM_ARRAY_TASK_ID)."""
    if text is None:
        return None
    try:
        i, n = (int(p) for p in text.split("/"))
    except ValueError:
        raise OvavelError(f"--shard: expected i/N (for example 0/4), but got {text!r}") from None
    if n < 1 or not 0 <= i < n:
        raise OvavelError(f"--shard: expected 0 <= i < N, but got {text!r}")
    return i, n


def shard_of(clip_id: str, n: int) -> int:
    """A clip's shard: a stable hash of its id, so shards do not depend on the index order."""
    return zlib.crc32(clip_id.encode()) % n


def in_shard(clip_id: str, shard: tuple[int, int] | None) -> bool:
    return shard is None or shard_of(clip_id, shard[1]) == shard[0]

