"""WebDataset shards of a Hugging Face export: samples (a clip's frames, wav and json; its mp4; its
features), shards planned to a size limit, written with their sha256, and a rerun's bookkeeping
(shards.json: a shard whose clips and bytes are unchanged is kept; stale ones are removed)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ovavel import SEGMENTS_PER_CLIP
from ovavel.errors import OvavelError
from ovavel.layout import AUDIO_FILE, DataDir, frame_file
from ovavel.names import check_clip_id
from ovavel.tables import atomic_write, atomic_write_text, sha256_file

if TYPE_CHECKING:
    from ovavel.splits.hf_export import ExportSummary


def parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?\s*", str(text).lower())
    if not m:
        raise OvavelError(f"--shard-size: expected a size such as 1GB, 500MB or 1000000, but got {text!r}")
    unit = (m.group(2) or "b").rstrip("b").replace("i", "")
    return int(float(m.group(1)) * 1000 ** " kmgt".index(unit or " ")) if unit else int(float(m.group(1)))


@dataclass
class Sample:
    clip_id: str
    files: list[tuple[str, Path | bytes]]  # (member name, source file or bytes)

    def size(self) -> int:
        return sum(len(s) if isinstance(s, bytes) else s.stat().st_size for _, s in self.files) + 1024 * len(self.files)


def media_sample(kind: str, cid: str, meta: dict, data: DataDir | None, official: dict | None) -> Sample | None:
    """The files of one clip's WebDataset sample, or None when its media are missing. Member names
    are `{clip id}.{what}`: a clip id has no dot or slash (ovavel.names), so the WebDataset key is
    the whole id and no member can land outside the folder a tar is extracted into."""
    check_clip_id(cid)
    info = json.dumps(meta, sort_keys=True).encode()
    if kind == "clips":
        mp4 = data.clip(cid) if data else None
        return Sample(cid, [(f"{cid}.mp4", mp4), (f"{cid}.json", info)]) if mp4 and mp4.exists() else None
    if official is not None:
        clip = official.get(cid)
        if clip is None:
            return None
        frames, audio = list(clip.images), clip.audio
    else:
        seg = data.segments(cid)
        frames, audio = [seg / frame_file(k) for k in range(SEGMENTS_PER_CLIP)], seg / AUDIO_FILE
    if not audio.exists() or not all(f.exists() for f in frames) or len(frames) != SEGMENTS_PER_CLIP:
        return None
    files = [(f"{cid}.frame_{k}{f.suffix.lower()}", f) for k, f in enumerate(frames)]
    return Sample(cid, files + [(f"{cid}.wav", audio), (f"{cid}.json", info)])


def plan_shards(samples: list[Sample], limit: int) -> list[list[Sample]]:
    shards, current, size = [], [], 0
    for s in samples:
        n = s.size()
        if current and size + n > limit:
            shards.append(current)
            current, size = [], 0
        current.append(s)
        size += n
    return shards + ([current] if current else [])


class _HashingFile:
    """A file that hashes what is written to it (the shard's sha256 without reading it back)."""

    def __init__(self, f):
        self.f, self.h = f, hashlib.sha256()

    def write(self, b):
        self.h.update(b)
        return self.f.write(b)

    def tell(self):
        return self.f.tell()


def write_shard(samples: list[Sample], path: Path) -> str:
    """Write one tar shard (atomically); its sha256."""
    digest = []

    def write(raw) -> None:
        out = _HashingFile(raw)
        with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
            for s in samples:
                for name, src in s.files:
                    ti = tarfile.TarInfo(name)
                    ti.mtime, ti.mode = 0, 0o644  # reproducible: no dates, no owners
                    if isinstance(src, bytes):
                        ti.size = len(src)
                        tar.addfile(ti, io.BytesIO(src))
                    else:
                        ti.size = src.stat().st_size
                        with open(src, "rb") as f:
                            tar.addfile(ti, f)
        digest.append(out.h.hexdigest())

    atomic_write(path, write)
    return digest[0]


SHARD_KINDS = ("segments", "clips", "features")


def remove_stale(out: Path, record: dict, planned: set[str]) -> int:
    """Shards of an earlier export that this one's plan does not hold (another --shard-size, media
    or split), and `.part` files of a killed run: removed, so the release and its checksums are
    exactly this export. Returns how many files went."""
    gone = 0
    for kind in SHARD_KINDS:
        for p in sorted((out / kind).glob("*.tar")) + sorted((out / kind).glob(".*.part")):
            if p.relative_to(out).as_posix() not in planned:
                p.unlink()
                gone += 1
        if kind == "features" and not any(r.startswith("features/") for r in planned):
            for p in [*(out / kind).glob("texts*.npy"), out / kind / "texts.json"]:
                if p.exists():
                    p.unlink()
                    gone += 1
    for p in list(out.glob(".*.part")) + list(out.glob("data/.*.part")):
        p.unlink()
        gone += 1
    for rel in [r for r in record if r not in planned]:
        del record[rel]
    return gone


def write_shards(kind: str, splits: dict, out: Path, limit: int, sample_of, record: dict, progress: bool,
                 summary: ExportSummary, planned: set[str]) -> None:
    from tqdm import tqdm

    for name, df in splits.items():
        samples = []
        for cid in df["clip_id"]:
            s = sample_of(cid)
            if s is None:
                summary.missing_media.append(cid)
            else:
                samples.append(s)
        for k, shard in enumerate(tqdm(plan_shards(samples, limit), desc=f"{kind} {name}", unit="shard",
                                       disable=not progress, dynamic_ncols=True)):
            rel = f"{kind}/{name}-{k:05d}.tar"
            planned.add(rel)
            ids = [s.clip_id for s in shard]
            old = record.get(rel)
            if old and old["clips"] == ids and (out / rel).exists() and sha256_file(out / rel) == old["sha256"]:
                summary.shards_kept += 1
                continue
            record[rel] = {"clips": ids, "sha256": write_shard(shard, out / rel)}
            atomic_write_text(out / "shards.json", json.dumps(record, indent=1) + "\n")  # progress survives a kill
            summary.shards[kind] = summary.shards.get(kind, 0) + 1


def feature_sample(store, index: dict, cid: str) -> Sample | None:
    import numpy as np

    i = index.get(check_clip_id(cid))
    if i is None:
        return None

    def npy(a) -> bytes:
        buf = io.BytesIO()
        np.save(buf, a)
        return buf.getvalue()

    return Sample(cid, [(f"{cid}.audio.npy", npy(store.audio[i])), (f"{cid}.visual.npy", npy(store.visual[i]))])
