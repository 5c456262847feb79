"""`baseline features`: embeddings of every clip's ten seconds and of the class texts, by any
registered encoder (ovavel.models.encoders: ImageBind, CLIP & CLAP, ...).

Frozen encoders under torch.inference_mode; decoding in DataLoader workers so the accelerator is
not starved. Under torchrun each rank takes every WORLD_SIZE-th
clip, writes its own parts, and rank 0 folds them together once all are done.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import numpy as np

from ovavel import BACKGROUND, BACKGROUND_TEXT
from ovavel.catalog import ClassCatalog
from ovavel.models.encoders import (AUDIO, JOINT, VISUAL, FeatureOptions, FrozenEncoder, build_encoder,  # noqa: F401
                                   resolve_device)
from ovavel.feature_store import FeatureStore
from ovavel.models.sources import ClipInput
from ovavel.tables import write_csv



@dataclass
class FeatureSummary:
    extracted: int
    kept: int
    missing: list[str]
    decode_s: float
    encode_s: float
    device: str
    dtype: str
    failed: list[tuple[str, str]] = field(default_factory=list)  # (clip id, reason): damaged segments


def candidate_texts(catalog: ClassCatalog, extra: list[str] = ()) -> list[str]:
    """Every catalog name, the background texts "other" and "background", and any extra names."""
    texts = list(catalog.names) + [BACKGROUND_TEXT, BACKGROUND]
    return texts + [t for t in extra if t not in texts]


class ClipDataset:
    """The clips' model inputs, made by the encoder's own preprocessing (`FrozenEncoder.inputs`)."""

    def __init__(self, clips: list[ClipInput], inputs=None):
        from ovavel.models.encoders.imagebind import imagebind_inputs

        self.clips = clips
        self.inputs = inputs or imagebind_inputs

    def __len__(self) -> int:
        return len(self.clips)

    def __getitem__(self, i: int):
        """(clip id, audio, images, "") or, for a clip whose segments do not read, (id, None, None, why):
        one damaged clip never stops an extraction."""
        c = self.clips[i]
        try:
            return (c.clip_id, *self.inputs(c.audio, c.images), "")
        except Exception as e:  # soundfile, PIL and shape errors alike
            return c.clip_id, None, None, f"{type(e).__name__}: {str(e)[:200]}"


def _collate(batch):
    """(ids, audio [B, ...], images [B, ...], failures [(id, why)]) of the clips that read."""
    import torch

    good = [b for b in batch if not b[3]]
    failures = [(b[0], b[3]) for b in batch if b[3]]
    if not good:
        return [], None, None, failures
    return [b[0] for b in good], torch.stack([b[1] for b in good]), torch.stack([b[2] for b in good]), failures


def store_meta(opts: FeatureOptions, encoder: FrozenEncoder, dims: dict[str, int]) -> dict:
    """meta.json of a store: the encoder, its space, the embedding sizes and where the weights came from."""
    meta = {"encoder": opts.encoder, "space": encoder.space, "random_init": opts.random_init, "dim": dims[AUDIO],
            "checkpoint_sha256": None, "seed": opts.seed if opts.random_init else None, "precision": opts.precision}
    if dims[VISUAL] != dims[AUDIO]:
        meta["visual_dim"] = dims[VISUAL]
    meta.update(encoder.meta())
    if opts.random_init:
        meta["warning"] = "RANDOM WEIGHTS: these features carry no meaning"
    return meta


def extract_features(clips: list[ClipInput], out: str | os.PathLike, catalog: ClassCatalog,
                     opts: FeatureOptions = FeatureOptions(), missing: list[str] = (), progress: bool = True,
                     part_size: int = 64) -> FeatureSummary:
    import torch
    import torch.distributed as dist
    from torch.utils.data import DataLoader
    from tqdm import tqdm

    rank, world = int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))
    distributed = world > 1
    encoder = build_encoder(opts)
    if distributed and not dist.is_initialized():
        dist.init_process_group("nccl" if encoder.device == "cuda" else "gloo")
        if encoder.device == "cuda":
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
    store = FeatureStore(out)
    texts = candidate_texts(catalog, opts.extra_texts)
    if rank == 0:
        tables = encoder.texts(texts)
        dims = {AUDIO: tables.get(AUDIO, tables.get(JOINT)).shape[1], VISUAL: tables.get(VISUAL, tables.get(JOINT)).shape[1]}
        store.init(store_meta(opts, encoder, dims), texts, tables)
    if distributed:
        dist.barrier()
    done = store.done_ids()
    todo = [c for c in clips if c.clip_id not in done][rank::world]
    loader = DataLoader(ClipDataset(todo, encoder.inputs), batch_size=opts.batch_size, num_workers=opts.num_workers,
                        collate_fn=_collate, pin_memory=encoder.device == "cuda",
                        persistent_workers=False)
    bar = tqdm(total=len(todo), desc=f"features{f' rank {rank}' if distributed else ''}", unit="clip",
               disable=not progress or rank != 0, dynamic_ncols=True)
    buf_ids, buf_a, buf_v = [], [], []
    decode_s = encode_s = 0.0
    t = time.perf_counter()
    failed: list[tuple[str, str]] = []
    for ids, audio, images, failures in loader:
        t_loaded = time.perf_counter()
        decode_s += t_loaded - t
        failed += failures
        bar.update(len(failures))
        if not ids:
            t = time.perf_counter()
            continue
        a, v = encoder.segments(audio, images)
        t = time.perf_counter()
        encode_s += t - t_loaded
        buf_ids += ids
        buf_a.append(a)
        buf_v.append(v)
        if len(buf_ids) >= part_size:
            store.write_part(rank, buf_ids, np.concatenate(buf_a), np.concatenate(buf_v))
            buf_ids, buf_a, buf_v = [], [], []
        bar.update(len(ids))
        t = time.perf_counter()
    if buf_ids:
        store.write_part(rank, buf_ids, np.concatenate(buf_a), np.concatenate(buf_v))
    bar.close()
    if failed:  # the reasons, per rank; a rerun tries these clips again
        write_csv(store.root / f"failed-r{rank}.csv", [{"clip_id": c, "reason": why} for c, why in failed],
                  ["clip_id", "reason"])
    if distributed:
        dist.barrier()
    if rank == 0:
        store.compact()
    if distributed:
        dist.barrier()
        dist.destroy_process_group()
    return FeatureSummary(len(todo) - len(failed), len(done), list(missing), decode_s, encode_s, encoder.device,
                          "bfloat16" if opts.precision == "bf16" else "float32", failed)
