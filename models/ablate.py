"""`baseline ablate`: train and test each setting of a grid over seeds; mean and spread per setting.

Grid keys: any head switch of `baseline train` (head, temporal, layers, attention, fusion, ...),
`method=NAME` (any trainable registered method: fine-tuned, ave, psp, ...), `background_text`,
and `train=PATH1,PATH2` to swap training splits (the smaller training sets of `splits`). Each
run is trained with ovavel.models.train and its test predictions come from the method's own
predict (the checked path of `baseline eval`: the run's method, text fingerprint and feature size
are verified), scored with ovavel.metrics.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np

from ovavel import BACKGROUND_TEXT
from ovavel.catalog import ClassCatalog
from ovavel.errors import OvavelError
from ovavel.formats import read_labels
from ovavel.formats import METRIC_KEYS
from ovavel.metrics.report import score_arrays
from ovavel.feature_store import FeatureStore
from ovavel.models.head import HeadConfig
from ovavel.models.methods import PredictContext, get_method
from ovavel.models.train import TrainSettings, split_rows, train
from ovavel.progress import progress_bar
from ovavel.tables import atomic_write_text, write_csv


def _flag(v: str) -> bool:
    return v.lower() in ("1", "true", "yes")


HEAD_KEYS = {"head": str, "share_temporal": _flag, "temporal": str, "layers": int, "cross_modal": _flag,
             "fusion": str, "attention": str, "residual_dropout": float, "width": int, "init": str, "variant": str}
OTHER_KEYS = {"background_text": str, "train": str, "method": str}


def parse_grid(text: str) -> list[dict]:
    axes = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        key, _, values = part.partition("=")
        key = key.strip().replace("-", "_")
        if key not in HEAD_KEYS and key not in OTHER_KEYS:
            raise OvavelError(f"--grid: unknown key {key!r}; expected one of {sorted(HEAD_KEYS) + sorted(OTHER_KEYS)}")
        cast = HEAD_KEYS.get(key) or OTHER_KEYS[key]
        try:
            axes.append([(key, cast(v.strip())) for v in values.split(",") if v.strip()])
        except ValueError:
            raise OvavelError(f"--grid: {key}={values!r} is not a list of {cast.__name__} values") from None
    if not axes:
        raise OvavelError("--grid: expected key=v1,v2;key2=... , e.g. 'fusion=sqrt,prob-avg'")
    return [dict(combo) for combo in itertools.product(*axes)]


def setting_name(setting: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in setting.items())


def run_setting(setting: dict, seed: int, feats, labels, catalog: ClassCatalog, train_split: str, val_split: str,
                test, epochs: int, lr: float, device: str, run_dir: Path) -> dict:
    """Train one setting with one seed and score its test predictions: the summary of all test videos."""
    method = get_method(setting.get("method", "fine-tuned"))
    if not method.trainable:
        raise OvavelError(f"--grid method={method.name}: not a trainable method")
    head = HeadConfig(**{**{k: v for k, v in setting.items() if k in HEAD_KEYS}, **method.head})
    s = TrainSettings(epochs=epochs, lr=lr, seed=seed, device=device, method=method.name,
                      background_text=setting.get("background_text", BACKGROUND_TEXT), head=head)
    train(feats, split_rows(setting.get("train", train_split)), split_rows(val_split, seen_only=True), labels, catalog,
          run_dir, s, force=True, progress=False, echo=lambda *_: None)
    preds = method.predict(PredictContext(test, catalog.names, run_dir=str(run_dir), device=device))
    ids = test.clip_ids
    report = score_arrays(ids, [labels[c].cls for c in ids], [labels[c].labels for c in ids], [preds[c] for c in ids],
                          catalog)
    return report.summary["total"]


def run_grid(settings: list[dict], seeds: list[int], features: str, train_split: str, val_split: str, test_split: str,
             labels_path: str, catalog: ClassCatalog, epochs: int, lr: float, device: str, out: str,
             echo=print, progress: bool = True) -> str:
    feats = FeatureStore(features).load()
    labels = read_labels(labels_path)
    test = feats.select([r.clip_id for r in split_rows(test_split)], test_split)
    rows = []
    with progress_bar(len(settings) * len(seeds), "ablate", "run", progress, echo) as (bar, echo):
        for setting in settings:
            name = setting_name(setting)
            figures = []
            for seed in seeds:
                run_dir = Path(out) / "runs" / f"{name.replace('/', '_')}_seed{seed}"
                figures.append(run_setting(setting, seed, feats, labels, catalog, train_split, val_split, test, epochs,
                                           lr, device, run_dir))
                echo(f"{name} seed {seed}: test avg {100 * figures[-1]['avg']:.1f}")
                bar.update()
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
