"""The encoder registry: every frozen model that turns a clip's ten seconds and the candidate
texts into embeddings is one module in this package that registers an `EncoderSpec`.

An encoder gives audio [N, 10, D_a] and visual [N, 10, D_v] embeddings of the clips and text
embeddings [T, D] of the candidate names, with its own preprocessing. Where audio and visual live
in one space with the texts (ImageBind), there is one text table, "joint"; where they come from
two models (CLIP for frames, CLAP for audio), each has its own text encoder and the store keeps
one text table per space, "audio" and "visual" (README: the feature store).

`baseline features --encoder NAME` lists the registered names; a new encoder is one new module
calling `register_encoder(EncoderSpec(...))` (no edit to the CLI).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal

import numpy as np

from ovavel import registry
from ovavel.errors import OvavelError

Space = Literal["joint", "separate"]
JOINT = "joint"
AUDIO, VISUAL = "audio", "visual"


@dataclass(frozen=True)  # default arguments are instances of it: never changed in place
class FeatureOptions:
    encoder: str = "imagebind-huge"
    checkpoint: str | None = None  # ImageBind-Huge weights
    random_init: bool = False
    device: str = "auto"
    batch_size: int = 8  # clips per forward pass (x10 segments)
    num_workers: int = 2
    seed: int = 0
    extra_texts: list[str] = field(default_factory=list)
    precision: Literal["fp32", "bf16"] = "fp32"  # fp32 (as the released code runs) | bf16 autocast
    clip_model: str | None = None  # clip-clap: a Hugging Face folder or hub name of a CLIP model
    clap_model: str | None = None  # clip-clap: the same for CLAP


def resolve_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise OvavelError("--device cuda: no CUDA device is available")
    if device not in ("cpu", "cuda"):
        raise OvavelError(f"--device: expected auto, cpu or cuda, but got {device!r}")
    return device


class FrozenEncoder:
    """What `baseline features`, `--online-encoder` and `ovavel predict` use of an encoder.

    `inputs` turns one clip into model inputs (audio, visual), each with the ten seconds first; it
    runs in DataLoader workers, so it must pickle (a module-level function or a small object).
    """

    name: str
    space: Space
    device: str
    inputs: Callable  # (audio path, image paths) -> (audio tensor [S, ...], visual tensor [S, ...])

    def segments(self, audio, visual) -> tuple[np.ndarray, np.ndarray]:
        """Batched inputs [B, S, ...] -> audio [B, S, D_a] and visual [B, S, D_v] embeddings."""
        raise NotImplementedError

    def texts(self, names: list[str]) -> dict[str, np.ndarray]:
        """{"joint": [T, D]} or {"audio": [T, D_a], "visual": [T, D_v]}."""
        raise NotImplementedError

    def meta(self) -> dict:
        """What the store records of the weights (paths, sha256) besides name and dims."""
        return {}

    def train_mode(self, on: bool) -> None:
        """Stochastic layers on or off (`--online-encoder`); the weights stay frozen."""
        raise NotImplementedError


@dataclass(frozen=True)
class EncoderSpec:
    name: str  # what users type: `--encoder NAME`
    space: Space
    summary: str
    build: Callable[[FeatureOptions], FrozenEncoder]
    random_only: bool = False  # tiny test versions: random weights only


_REGISTRY: dict[str, EncoderSpec] = {}


def register_encoder(spec: EncoderSpec) -> EncoderSpec:
    return registry.add(_REGISTRY, spec.name, spec, "encoders")


def load_encoders() -> dict[str, EncoderSpec]:
    registry.import_all(__name__, __path__)
    return dict(_REGISTRY)


def encoder_names() -> list[str]:
    return sorted(load_encoders())


def get_encoder(name: str) -> EncoderSpec:
    return registry.lookup(load_encoders(), name, "--encoder")


def build_encoder(opts: FeatureOptions) -> FrozenEncoder:
    spec = get_encoder(opts.encoder)
    if spec.random_only and not opts.random_init:
        raise OvavelError(f"{spec.name} exists only with random weights: pass --random-init")
    return spec.build(opts)
