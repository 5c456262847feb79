"""Importing and building ImageBind (the real model code from imagebind-unofficial).

Packaging traps (DEPENDENCIES.md): `import imagebind` imports pytorchvideo, which wants the
module torchvision.transforms.functional_tensor that newer torchvision renamed; the alias below
is set before the first import. ImageBind-Huge weights come from a path, or are downloaded once
into a cache on machines with internet (size checked, sha256 recorded and verified later).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import urllib.request
import warnings
from pathlib import Path

from ovavel.errors import OvavelError
from ovavel.tables import sha256_file  # noqa: F401  (imported from here by the encoders)

HUGE_URL = "https://dl.fbaipublicfiles.com/imagebind/imagebind_huge.pth"
HUGE_MIN_BYTES = 4_000_000_000  # the checkpoint is about 4.5 GB
ENCODERS = ("imagebind-huge", "imagebind-tiny")

TINY = dict(video_frames=2, kernel_size=(2, 14, 14), audio_kernel_size=16, audio_stride=10, out_embed_dim=32,
            vision_embed_dim=32, vision_num_blocks=1, vision_num_heads=2, audio_embed_dim=32, audio_num_blocks=1,
            audio_num_heads=2, audio_num_mel_bins=128, audio_target_len=204, audio_drop_path=0.0,
            text_embed_dim=32, text_num_blocks=1, text_num_heads=2, depth_embed_dim=32, depth_num_blocks=1,
            depth_num_heads=2, depth_drop_path=0.0, thermal_embed_dim=32, thermal_num_blocks=1,
            thermal_num_heads=2, thermal_drop_path=0.0, imu_embed_dim=32, imu_num_blocks=1, imu_num_heads=2,
            imu_drop_path=0.0)
HUGE = dict(vision_embed_dim=1280, vision_num_blocks=32, vision_num_heads=16, text_embed_dim=1024,
            text_num_blocks=24, text_num_heads=16, out_embed_dim=1024, audio_drop_path=0.1, imu_drop_path=0.7)


def import_imagebind():
    """(imagebind_model module, imagebind.data module), with the torchvision alias in place."""
    try:
        import torchvision.transforms._functional_tensor as functional_tensor
    except ImportError:
        raise OvavelError("torchvision is not installed: pip install 'ovavel[models]'") from None
    sys.modules.setdefault("torchvision.transforms.functional_tensor", functional_tensor)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            from imagebind import data as ib_data
            from imagebind.models import imagebind_model
        except ImportError as e:
            raise OvavelError(f"ImageBind is not importable ({e}): pip install 'ovavel[models]'") from None
    return imagebind_model, ib_data


def build_model(encoder: str, checkpoint: str | None = None, random_init: bool = False):
    """An ImageBindModel in eval mode. imagebind-tiny: the same architecture with tiny dimensions
    (random weights only); imagebind-huge: weights from `checkpoint` or the cache."""
    if encoder not in ENCODERS:
        raise OvavelError(f"--encoder: expected one of {ENCODERS}, but got {encoder!r}")
    imagebind_model, _ = import_imagebind()
    import torch

    if encoder == "imagebind-tiny":
        if not random_init:
            raise OvavelError("imagebind-tiny exists only with random weights: pass --random-init")
        model = imagebind_model.ImageBindModel(**TINY)
    else:
        model = imagebind_model.ImageBindModel(**HUGE)
        if not random_init:
            path = resolve_checkpoint(checkpoint)
            state = torch.load(path, map_location="cpu", weights_only=True)
            model.load_state_dict(state)
    return model.eval()


def resolve_checkpoint(checkpoint: str | None) -> Path:
    """--checkpoint, $OVAVEL_IMAGEBIND_CHECKPOINT, or the cached download (made once)."""
    path = checkpoint or os.environ.get("OVAVEL_IMAGEBIND_CHECKPOINT")
    if path:
        p = Path(path)
        if not p.is_file():
            raise OvavelError(f"ImageBind checkpoint not found: {p}")
        return p
    cache = Path(os.environ.get("OVAVEL_CACHE", Path.home() / ".cache" / "ovavel")) / "imagebind_huge.pth"
    record = cache.with_suffix(".sha256.json")
    if cache.is_file() and record.is_file():
        expected = json.loads(record.read_text())
        if cache.stat().st_size == expected["size"] and sha256_file(cache) == expected["sha256"]:
            return cache
        raise OvavelError(f"the cached checkpoint {cache} does not match the sha256 recorded at download; "
                          "delete it to download again")
    return download_checkpoint(cache, record)


def download_checkpoint(target: Path, record: Path, url: str = HUGE_URL) -> Path:
    from tqdm import tqdm

    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f".{target.name}.part")
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=60) as resp, open(part, "wb") as out:
            total = int(resp.headers.get("Content-Length") or 0)
            with tqdm(total=total, unit="B", unit_scale=True, desc="ImageBind-Huge") as bar:
                while chunk := resp.read(1 << 20):
                    out.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
    except OSError as e:
        part.unlink(missing_ok=True)
        raise OvavelError(f"could not download ImageBind-Huge from {url} ({e}). Download it elsewhere and pass "
                          "--checkpoint PATH (or set OVAVEL_IMAGEBIND_CHECKPOINT)") from None
    size = part.stat().st_size
    if size < HUGE_MIN_BYTES:
        part.unlink(missing_ok=True)
        raise OvavelError(f"the download from {url} is {size} bytes, expected about 4.5 GB; try again")
    os.replace(part, target)
    record.write_text(json.dumps({"url": url, "size": size, "sha256": digest.hexdigest()}) + "\n")
    return target
