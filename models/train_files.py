"""Training from the files a person names: what `baseline train` does, as one library call.

    settings = training_settings("paper", method="psp", epochs=3)
    result = train_from_files("feats", "splits/train.csv", "splits/val.csv", "splits/labels.csv",
                              "runs/psp", settings)
    result["best"]["epoch"]
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Callable

from ovavel import BACKGROUND_TEXT
from ovavel.catalog import load_catalog
from ovavel.errors import OvavelError
from ovavel.feature_store import FeatureStore
from ovavel.formats import read_labels
from ovavel.models.head import HeadConfig
from ovavel.models.methods import get_method, load_methods
from ovavel.models.train import RECIPES, TrainSettings, split_rows, train

PathLike = str | os.PathLike


@dataclass(frozen=True)
class OnlineSource:
    """Where `--online-encoder` finds the training clips' segments (exactly one of `data` and
    `official_root`) and the encoder's weights (default: as the feature store records)."""
    data: PathLike | None = None
    official_root: PathLike | None = None
    checkpoint: PathLike | None = None


def training_settings(recipe: str = "paper", method: str = "fine-tuned", *, epochs: int | None = None,
                      batch_size: int | None = None, lr: float | None = None, seed: int = 123,
                      select_on: str | None = None, background_text: str = BACKGROUND_TEXT, device: str = "auto",
                      precision: str = "fp32", nan_batches: str = "raise", cross_modal: bool = False,
                      **head) -> TrainSettings:
    """A run's settings: the recipe's epochs, batch size, learning rate and selection unless given;
    `head` holds HeadConfig's switches (a comparison method brings its own head kind)."""
    chosen = get_method(method)
    if not chosen.trainable:
        trainable = sorted(m.name for m in load_methods().values() if m.trainable)
        raise OvavelError(f"--method {method} is not trained; trainable methods: {', '.join(trainable)}")
    if cross_modal:
        head["attention"] = "intra+cross"
    head.update(chosen.head)  # `--method ave` -> head "ave"
    r = RECIPES[recipe]
    return TrainSettings(recipe, epochs or r["epochs"], batch_size or r["batch_size"], lr or r["lr"], r["grad_clip"],
                         seed, select_on or r["select_on"], background_text, device, HeadConfig(**head), precision,
                         method, nan_batches)


def train_from_files(features: PathLike, train_split: PathLike, val_split: PathLike, labels: PathLike,
                     out: PathLike, settings: TrainSettings, *, test_split: PathLike | None = None,
                     catalog: PathLike | None = None, online: OnlineSource | None = None, resume: bool = False,
                     force: bool = False, progress: bool = True, echo: Callable[..., None] | None = None) -> dict:
    """Train on the seen classes of `train_split`, pick the best epoch on the videos
    `settings.select_on` names, keep the run in `out`; returns train()'s result."""
    echo = echo or _echo
    if settings.select_on.startswith("test") and not test_split:
        raise OvavelError(f"--select-on {settings.select_on} (the released recipe) needs --test test.csv")
    select = {"val-seen": lambda: split_rows(val_split, seen_only=True), "val": lambda: split_rows(val_split),
              "test-seen": lambda: split_rows(test_split, seen_only=True),
              "test": lambda: split_rows(test_split)}[settings.select_on]()
    feats = FeatureStore(features).load()
    if feats.meta.get("random_init"):
        echo("RANDOM WEIGHTS: these features carry no meaning; the run is a smoke test", err=True)
    encoder = online_encoder(feats, train_split, online, settings.device, settings.precision) if online else None
    return train(feats, split_rows(train_split), select, read_labels(labels), load_catalog(catalog), out, settings,
                 resume=resume, force=force, progress=progress, echo=echo, online=encoder)


def online_encoder(feats, train_split: PathLike, source: OnlineSource, device: str, precision: str):
    """The encoder that made the feature store (as its meta.json records), over the training clips."""
    from ovavel.models.features import FeatureOptions
    from ovavel.models.online import OnlineEncoder
    from ovavel.models.sources import from_data_dir, from_official_root

    if bool(source.data) == bool(source.official_root):
        raise OvavelError("--online-encoder needs exactly one of --data DIR and --official-root ROOT (the segments)")
    clips, _ = from_data_dir(source.data, train_split) if source.data else from_official_root(source.official_root,
                                                                                              train_split)
    meta = feats.meta
    opts = FeatureOptions(meta.get("encoder", "imagebind-huge"), source.checkpoint or meta.get("checkpoint"),
                          bool(meta.get("random_init")), device, seed=meta.get("seed") or 0, precision=precision)
    return OnlineEncoder(clips, opts)


def _echo(message: str = "", err: bool = False) -> None:
    print(message, file=sys.stderr if err else sys.stdout)
