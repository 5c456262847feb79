"""`baseline ablate`: train and test each setting of a grid over seeds; mean and spread per setting.
`train=PATH1,PATH2` in the grid swaps training splits (the smaller training sets of `splits`)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np

from ovavel.catalog import load_catalog
from ovavel.errors import OvavelError
from ovavel.formats import read_labels
from ovavel.metrics.core import METRIC_KEYS
from ovavel.models.feature_store import FeatureStore
from ovavel.models.features import resolve_device
from ovavel.models.head import HeadConfig
from ovavel.models.train import TrainSettings, evaluate_rows, load_head, predict_rows, split_rows, train
from ovavel.models.training_free import candidates
from ovavel.tables import atomic_write_text, write_csv

HEAD_KEYS = {"head": str, "share_temporal": lambda v: v.lower() in ("1", "true", "yes"), "temporal": str,
             "layers": int, "cross_modal": lambda v: v.lower() in ("1", "true", "yes"), "fusion": str,
             "attention": str, "residual_dropout": float}
OTHER_KEYS = {"background_text": str, "train": str}


def parse_grid(text: str) -> list[dict]:
    axes = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        key, _, values = part.partition("=")
        key = key.strip().replace("-", "_")
        if key not in HEAD_KEYS and key not in OTHER_KEYS:
            raise OvavelError(f"--grid: unknown key {key!r}; expected one of {sorted(HEAD_KEYS) + sorted(OTHER_KEYS)}")
        cast = HEAD_KEYS.get(key) or OTHER_KEYS[key]
        axes.append([(key, cast(v.strip())) for v in values.split(",") if v.strip()])
    if not axes:
        raise OvavelError("--grid: expected key=v1,v2;key2=... , e.g. 'fusion=sqrt,prob-avg'")
    return [dict(combo) for combo in itertools.product(*axes)]


def run_grid(settings: list[dict], seeds: list[int], features: str, train_split: str, val_split: str, test_split: str,
             labels_path: str, classes: str | None, epochs: int, lr: float, device: str, out: str, echo=print) -> str:
    feats = FeatureStore(features).load()
    labels = read_labels(labels_path)
    catalog = load_catalog(classes)
    test = feats.select([r.clip_id for r in split_rows(test_split)], test_split)
    rows = []
    for setting in settings:
        name = ",".join(f"{k}={v}" for k, v in setting.items())
        figures = []
        for seed in seeds:
            head = HeadConfig(**{k: v for k, v in setting.items() if k in HEAD_KEYS})
            bg = setting.get("background_text", "other")
            run_dir = Path(out) / "runs" / f"{name.replace('/', '_')}_seed{seed}"
            s = TrainSettings(epochs=epochs, lr=lr, seed=seed, device=device, background_text=bg, head=head)
            train(feats, split_rows(setting.get("train", train_split)), split_rows(val_split, seen_only=True), labels,
                  catalog, run_dir, s, force=True, progress=False, echo=lambda *_: None)
            model, _ = load_head(run_dir, resolve_device(device))
            texts = candidates(catalog.names, bg)
            emb = feats.text_emb[[feats.text_index(t) for t in texts]]
            pred = predict_rows(model, test.audio, test.visual, emb, len(catalog.names), bg, resolve_device(device))
            figures.append(evaluate_rows(pred, test.clip_ids, labels, catalog.names))
            echo(f"{name} seed {seed}: test avg {100 * figures[-1]['avg']:.1f}")
        row = {"setting": name}
        for k in METRIC_KEYS:
            values = np.array([f[k] for f in figures])
            row[f"{k}_mean"] = round(float(values.mean()), 4)
            row[f"{k}_std"] = round(float(values.std()), 4)
        rows.append(row)
    cols = ["setting"] + [f"{k}_{s}" for k in METRIC_KEYS for s in ("mean", "std")]
    write_csv(Path(out) / "ablation.csv", rows, cols)
    lines = ["| setting | Acc | Seg | Eve | Avg |", "|---|---:|---:|---:|---:|"]
    for r in rows:
        cells = [f"{100 * r[f'{k}_mean']:.1f} ± {100 * r[f'{k}_std']:.1f}" for k in METRIC_KEYS]
        lines.append(f"| {r['setting']} | " + " | ".join(cells) + " |")
    table = "\n".join(lines) + f"\n\nseeds: {seeds}; test split: {test_split}; {epochs} epochs, lr {lr}\n"
    atomic_write_text(Path(out) / "ablation.md", table)
    atomic_write_text(Path(out) / "grid.json", json.dumps({"settings": settings, "seeds": seeds}, indent=2))
    return table
