"""`baseline eval` / `baseline predict`: predictions.csv for a split, scored with ovavel.metrics."""

from __future__ import annotations

import os
from pathlib import Path

from ovavel.catalog import ClassCatalog
from ovavel.formats import read_split, write_predictions
from ovavel.metrics.report import Report, ScoreSettings, score_files, write_report
from ovavel.feature_store import Features

RANDOM_BANNER = ("**RANDOM WEIGHTS** — these features come from an encoder with random weights "
                 "(imagebind-tiny or --random-init): the numbers below mean nothing.")


def split_features(features: Features, split: str | os.PathLike | None) -> Features:
    if split is None:
        return features
    return features.select([r.clip_id for r in read_split(split)], str(split))


def write_and_score(predictions: dict[str, list[str]], out: str | os.PathLike, labels: str | os.PathLike,
                    catalog: ClassCatalog, catalog_path: str | None, split: str | os.PathLike | None,
                    features: Features, title: str, settings: ScoreSettings = ScoreSettings()) -> Report:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_predictions(out / "predictions.csv", predictions)
    report = score_files(out / "predictions.csv", labels, catalog, split, settings)
    notes = [RANDOM_BANNER] if features.meta.get("random_init") else []
    notes.append(f"encoder: {features.meta.get('encoder')}; classes: {catalog_path or 'bundled 67'}")
    write_report(report, out, title=title, notes=notes)
    return report
