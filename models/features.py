"""`baseline features`: ImageBind embeddings of every clip's ten seconds and of the class texts.

Frozen encoders under torch.inference_mode (fp32 as the released code; bf16 autocast with --precision bf16); decoding in DataLoader
workers so the accelerator is not starved. Under torchrun each rank takes every WORLD_SIZE-th
clip, writes its own parts, and rank 0 folds them together once all are done.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import numpy as np

from ovavel import BACKGROUND, SEGMENTS_PER_CLIP
from ovavel.catalog import ClassCatalog
from ovavel.errors import OvavelError
from ovavel.models.feature_store import FeatureStore
from ovavel.models.imagebind_loader import build_model, import_imagebind, resolve_checkpoint, sha256_file
from ovavel.models.preprocess import audio_segments, image_segments
from ovavel.models.sources import ClipInput
from ovavel.tables import write_csv

BACKGROUND_TEXT = "other"


@dataclass(frozen=True)  # default arguments are instances of it: never changed in place
class FeatureOptions:
    encoder: str = "imagebind-huge"
    checkpoint: str | None = None
    random_init: bool = False
    device: str = "auto"
    batch_size: int = 8  # clips per forward pass (x10 segments)
    num_workers: int = 2
    seed: int = 0
    extra_texts: list[str] = field(default_factory=list)
    precision: str = "fp32"  # fp32 (as the released code runs) | bf16 (autocast: faster on a GPU)


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


def resolve_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise OvavelError("--device cuda: no CUDA device is available")
    if device not in ("cpu", "cuda"):
        raise OvavelError(f"--device: expected auto, cpu or cuda, but got {device!r}")
    return device


def candidate_texts(catalog: ClassCatalog, extra: list[str] = ()) -> list[str]:
    """Every catalog name, the background texts "other" and "background", and any extra names."""
    texts = list(catalog.names) + [BACKGROUND_TEXT, BACKGROUND]
    return texts + [t for t in extra if t not in texts]


class Encoder:
    """Frozen ImageBind: embeddings as ImageBind's postprocessors give them."""

    def __init__(self, opts: FeatureOptions):
        import torch

        self.device = resolve_device(opts.device)
        torch.manual_seed(opts.seed)
        self.model = build_model(opts.encoder, opts.checkpoint, opts.random_init).to(self.device)
        self.modality = import_imagebind()[0].ModalityType
        self.autocast = opts.precision == "bf16"

    def _run(self, inputs: dict) -> dict:
        import torch

        with torch.inference_mode(), torch.autocast(self.device, dtype=torch.bfloat16, enabled=self.autocast):
            out = self.model(inputs)
        return {k: v.float().cpu().numpy() for k, v in out.items()}

    def texts(self, names: list[str]) -> np.ndarray:
        _, ib_data = import_imagebind()
        tokens = ib_data.load_and_transform_text(names, self.device)
        return self._run({self.modality.TEXT: tokens})[self.modality.TEXT]

    def segments(self, audio, images) -> tuple[np.ndarray, np.ndarray]:
        """audio [B, 10, 1, 128, 204], images [B, 10, 3, 224, 224] -> two [B, 10, D] arrays."""
        b = audio.shape[0]
        out = self._run({self.modality.AUDIO: audio.flatten(0, 1).to(self.device),
                         self.modality.VISION: images.flatten(0, 1).to(self.device)})
        return (out[self.modality.AUDIO].reshape(b, SEGMENTS_PER_CLIP, -1),
                out[self.modality.VISION].reshape(b, SEGMENTS_PER_CLIP, -1))


class ClipDataset:
    def __init__(self, clips: list[ClipInput]):
        self.clips = clips

    def __len__(self) -> int:
        return len(self.clips)

    def __getitem__(self, i: int):
        """(clip id, audio, images, "") or, for a clip whose segments do not read, (id, None, None, why):
        one damaged clip never stops an extraction."""
        c = self.clips[i]
        try:
            return c.clip_id, audio_segments(c.audio), image_segments(list(c.images)), ""
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


def store_meta(opts: FeatureOptions, dim: int) -> dict:
    meta = {"encoder": opts.encoder, "random_init": opts.random_init, "dim": dim, "checkpoint_sha256": None,
            "seed": opts.seed if opts.random_init else None, "precision": opts.precision}
    if not opts.random_init and opts.encoder == "imagebind-huge":
        path = resolve_checkpoint(opts.checkpoint)
        meta["checkpoint"] = str(path)
        meta["checkpoint_sha256"] = sha256_file(path)
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
    encoder = Encoder(opts)
    if distributed and not dist.is_initialized():
        dist.init_process_group("nccl" if encoder.device == "cuda" else "gloo")
        if encoder.device == "cuda":
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
    store = FeatureStore(out)
    texts = candidate_texts(catalog, opts.extra_texts)
    if rank == 0:
        emb = encoder.texts(texts)
        store.init(store_meta(opts, emb.shape[1]), texts, emb)
    if distributed:
        dist.barrier()
    done = store.done_ids()
    todo = [c for c in clips if c.clip_id not in done][rank::world]
    loader = DataLoader(ClipDataset(todo), batch_size=opts.batch_size, num_workers=opts.num_workers,
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
                          "bfloat16" if encoder.autocast else "float32", failed)
