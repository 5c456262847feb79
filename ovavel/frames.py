"""Tables for notebooks: `ovavel.load(DIR)` returns a benchmark's files as pandas DataFrames.

    import ovavel
    b = ovavel.load("data/ovave", splits="splits/v1", results=["results/training_free"])
    b.labels.head()            # clip_id, class, labels ("0011100000"), provenance, seg_0 .. seg_9 (0/1)
    b.splits.groupby(["split", "split_type"]).size()
    b.per_video["training-free"].merge(b.labels, on="clip_id")

Like the CLI, this module sits above the stages (it reads every stage's files). Types are explicit: clip ids, YouTube ids, label and provenance strings stay strings
("0010000000" never becomes a number), seg_k are small integers, figures floats. Every table a
folder lacks is an empty DataFrame with its columns, so code written for a full benchmark runs on
a partial one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ovavel.formats import CLIP_COLUMNS, METRIC_KEYS, SEG_COLUMNS, VIDEO_METRIC_KEYS
from ovavel.layout import SplitDir
from ovavel.errors import OvavelError

NUMERIC = {"start_s": "Int64", "duration": "Float64", "size": "Int64", "max_volume_db": "Float64",
           "mean_volume_db": "Float64", "frozen_s": "Float64",
           "lead_time": "Float64", **{k: "Float64" for k in METRIC_KEYS}}
SPLIT_NAMES = ("train", "val", "test")


@dataclass
class Benchmark:
    clips: "object"  # DataFrame: DIR/clips.csv, the manifest
    data_dir: Path | None = None
    rounds: dict = field(default_factory=dict)  # round name -> DataFrame of DIR/annotation/labels_round{name}.csv
    labels: "object" = None  # DataFrame: the final labels, one column per second too
    splits: "object" = None  # DataFrame: clip_id, class, split_type, split (train / val / test)
    classes: "object" = None  # DataFrame: the class catalog
    predictions: dict = field(default_factory=dict)  # method -> DataFrame (clip_id, seg_0 .. seg_9)
    per_video: dict = field(default_factory=dict)  # method -> DataFrame (clip_id, class, split_type, acc, ...)

    @cached_property
    def ledger(self):
        """DataFrame of DIR/ledger.jsonl, one row per event (read on first use: it can be long)."""
        return ledger_frame(self.data_dir / "ledger.jsonl" if self.data_dir else None)


def read_table(path: str | os.PathLike | None, columns: list[str] | None = None):
    """A CSV as a DataFrame of strings (empty cells stay ""), known numeric columns typed; a file
    that is not there (or None) gives an empty table with `columns`."""
    import pandas as pd

    if path is None or not Path(path).exists():
        return pd.DataFrame({c: pd.Series(dtype="string") for c in columns or []})
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig").astype("string")
    for col, dtype in NUMERIC.items():
        if col in df.columns:
            df[col] = pd.to_numeric(df[col].replace("", None), errors="coerce").astype(dtype)
    return df


def labels_frame(path: str | os.PathLike | None):
    """labels.csv with the ten seconds as columns seg_0 .. seg_9 (int8) beside the string."""
    df = read_table(path, ["clip_id", "class", "labels"])
    for k, col in enumerate(SEG_COLUMNS):
        df[col] = df["labels"].str.slice(k, k + 1).astype("int8") if len(df) else df["labels"].astype("int8")
    return df


def splits_frame(split_dir: str | os.PathLike | None):
    import pandas as pd

    parts = []
    folder = SplitDir.at(split_dir) if split_dir else None
    for name in folder.present() if folder else []:
        df = read_table(folder.split(name))
        df["split"] = pd.Series([name] * len(df), dtype="string", index=df.index)
        parts.append(df)
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in ("clip_id", "class", "split_type", "split")})
    return pd.concat(parts, ignore_index=True)


def ledger_frame(path: Path | None):
    import pandas as pd

    from ovavel.tables import read_jsonl

    rows = read_jsonl(path) if path is not None and path.exists() else []
    return pd.DataFrame(rows).astype("string") if rows else pd.DataFrame({"clip_id": pd.Series(dtype="string")})


def labels_path(data_dir: Path | None, splits: Path | None, labels_version: str | None) -> Path | None:
    if labels_version:
        if data_dir is None:
            raise OvavelError("labels_version needs the data folder")
        from ovavel.layout import DataDir

        return DataDir.at(data_dir).labels_version(labels_version)
    for candidate in ([SplitDir.at(splits).labels] if splits else []) + (
            [data_dir / "annotation" / "labels.csv"] if data_dir else []):
        if candidate.exists():
            return candidate
    return None


def load(data_dir: str | os.PathLike | None = None, splits: str | os.PathLike | None = None,
         results: list[str | os.PathLike] = (), labels_version: str | None = None) -> Benchmark:
    """The tables of a data folder (clips, ledger, annotation rounds, final labels), a split folder
    and result folders (predictions, per-video figures), as DataFrames."""

    from ovavel.catalog import bundled_catalog_path

    data = Path(data_dir) if data_dir else None
    split_dir = Path(splits) if splits else None
    if data is not None and not data.is_dir():
        raise OvavelError(f"{data} is not a folder")
    rounds = {}
    if data is not None and (data / "annotation").is_dir():
        for path in sorted((data / "annotation").glob("labels_round*.csv")):
            rounds[path.stem[len("labels_round"):]] = read_table(path)
    lab = labels_path(data, split_dir, labels_version)
    catalog = SplitDir.at(split_dir).catalog_path() if split_dir else bundled_catalog_path()
    b = Benchmark(clips=read_table(data / "clips.csv" if data else None, CLIP_COLUMNS), data_dir=data,
                  rounds=rounds, labels=labels_frame(lab),
                  splits=splits_frame(split_dir), classes=read_table(catalog))
    for r in results:
        path = Path(r)
        name = path.name.replace("_", "-")
        b.predictions[name] = read_table(path / "predictions.csv", ["clip_id"] + SEG_COLUMNS)
        b.per_video[name] = read_table(path / "per_video.csv", ["clip_id", "class", "split_type",
                                                                  *VIDEO_METRIC_KEYS])
    return b
