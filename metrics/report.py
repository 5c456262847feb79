"""Scoring files and writing the report: report.json, report.md, per_class.csv/png, per_video.csv."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from ovavel import BACKGROUND, SEGMENTS_PER_CLIP, UNASSIGNED
from ovavel.catalog import ClassCatalog
from ovavel.errors import InputError, OvavelError
from ovavel.formats import METRIC_KEYS, VIDEO_METRIC_KEYS, read_labels, read_predictions, read_split
from ovavel.metrics.core import VideoScores, summarise, video_scores
from ovavel.tables import atomic_write, atomic_write_text, write_csv, write_json

PROTOCOLS = ("mean", "official-batched")
GROUPS = ("seen", "unseen", "total")


@dataclass(frozen=True)  # default arguments are instances of it: never changed in place
class ScoreSettings:
    protocol: Literal["mean", "official-batched"] = "mean"
    batch_size: int = 32
    background_row: bool = True
    missing: Literal["error", "background"] = "error"  # background: clips without a prediction are all background
    event_iou: Literal["released", "paper"] = "released"  # an event matches at IoU >= 0.5, or > 0.5 (paper)


@dataclass
class Report:
    clip_ids: list[str]
    classes: list[str]  # ground-truth class per clip
    split_types: list[str]  # seen / unseen per clip (from the catalog)
    scores: VideoScores
    settings: ScoreSettings
    summary: dict[str, dict] = field(default_factory=dict)
    per_class: list[dict] = field(default_factory=list)
    filled: int = 0  # clips without a prediction, scored as all background (--missing background)


def encode(names: list[list[str]], index: dict[str, int]) -> np.ndarray:
    return np.array([[index[s] for s in segs] for segs in names], dtype=np.int64).reshape(-1, SEGMENTS_PER_CLIP)


def score_arrays(clip_ids: list[str], true_classes: list[str], labels: list[str], predictions: list[list[str]],
                 catalog: ClassCatalog, settings: ScoreSettings = ScoreSettings()) -> Report:
    """Score predictions (names per segment) against labels; the functional core on named data."""
    if settings.protocol not in PROTOCOLS:
        raise OvavelError(f"--protocol: expected one of {PROTOCOLS}, but got {settings.protocol!r}")
    index = {name: i for i, name in enumerate(catalog.names)}
    index[BACKGROUND] = len(catalog)
    index[UNASSIGNED] = len(catalog) + 1
    truth = [[c if b == "1" else BACKGROUND for b in lab] for c, lab in zip(true_classes, labels)]
    scores = video_scores(encode(predictions, index), encode(truth, index), background=len(catalog),
                          background_row=settings.background_row, event_iou=settings.event_iou)
    split_types = [catalog.get(c).split or "" for c in true_classes]
    report = Report(clip_ids, true_classes, split_types, scores, settings)
    report.summary = group_summaries(report, settings.protocol, settings.batch_size)
    cls_arr = np.array(true_classes)
    for c in catalog.names:
        sel = np.flatnonzero(cls_arr == c)
        if sel.size:
            report.per_class.append({"class": c, "split": catalog.get(c).split,
                                     **summarise(scores, sel)})
    return report


def group_summaries(report: Report, protocol: str, batch_size: int) -> dict[str, dict]:
    """{seen, unseen, total: summary} of a report's per-video scores under a protocol (so another
    protocol's figures need no second reading of the files)."""
    types = np.array(report.split_types)
    return {group: summarise(report.scores, None if group == "total" else np.flatnonzero(types == group),
                             protocol=protocol, batch_size=batch_size) for group in GROUPS}


def copy_predictions(predictions: str | os.PathLike, into: Path, final: Path) -> None:
    """The scored predictions file as into/predictions.csv, unless it is final/predictions.csv itself."""
    target = final / "predictions.csv"
    if target.exists() and target.samefile(predictions):
        return
    with open(predictions, "rb") as source:
        atomic_write(into / "predictions.csv", lambda f: shutil.copyfileobj(source, f))


def score_files(pred_path: str | os.PathLike, labels_path: str | os.PathLike, catalog: ClassCatalog,
                split_path: str | os.PathLike | None = None, settings: ScoreSettings = ScoreSettings()) -> Report:
    """Score predictions.csv against labels.csv, over the clips of the split file (in its order)
    or of the labels file (in its order)."""
    names = set(catalog.names)
    labels = read_labels(labels_path, names)
    preds = read_predictions(pred_path, names)
    if split_path is not None:
        split = read_split(split_path)
        for r in split:
            if r.clip_id not in labels:
                raise InputError(f"clip {r.clip_id!r} has no labels in {labels_path}", path=split_path)
            if r.cls and r.cls != labels[r.clip_id].cls:
                raise InputError(f"clip {r.clip_id!r}: class {r.cls!r} here, {labels[r.clip_id].cls!r} in "
                                 f"{labels_path}", path=split_path)
        ids = [r.clip_id for r in split]
    else:
        ids = list(labels)
    wanted = set(ids)
    unknown = [c for c in preds if c not in wanted]
    if unknown:
        where = split_path or labels_path
        raise InputError(f"prediction for unknown clip {unknown[0]!r} (not in {where})"
                         + (f" and {len(unknown) - 1} more" if len(unknown) > 1 else ""), path=pred_path)
    missing = [c for c in ids if c not in preds]
    if missing and settings.missing != "background":
        covering = None if split_path is not None else split_covering(Path(labels_path).parent, set(preds), len(ids),
                                                                      {Path(pred_path), Path(labels_path)})
        hint = (f"pass --split {covering[0]} (its {covering[1]:,} clips hold every prediction)" if covering else
                "pass --split with the split file of the clips you predicted (e.g. test.csv)"
                if split_path is None else "predict every clip of the split")
        raise InputError(f"no prediction for {len(missing):,} of the {len(ids):,} clip(s) scored, first "
                         f"{missing[0]!r}: {hint}; only if a missing clip should count as all background, "
                         "pass --missing background", path=pred_path)
    predictions = [preds.get(c, [BACKGROUND] * SEGMENTS_PER_CLIP) for c in ids]
    report = score_arrays(ids, [labels[c].cls for c in ids], [labels[c].labels for c in ids], predictions,
                          catalog, settings)
    report.filled = len(missing)
    return report


def split_covering(folder: Path, predicted: set[str], scored: int, skip: set[Path]) -> tuple[Path, int] | None:
    """The smallest split file in `folder` (beside labels.csv) that holds every predicted clip and
    fewer clips than the `scored` ones (not the labels or predictions file themselves)."""
    best = None
    skip = {p.resolve() for p in skip}
    for path in sorted(folder.glob("*.csv")):
        if path.resolve() in skip:
            continue
        try:
            ids = {r.clip_id for r in read_split(path)}
        except (OvavelError, OSError, ValueError, KeyError):
            continue
        if predicted <= ids and len(ids) < scored and (best is None or len(ids) < best[1]):
            best = (path, len(ids))
    return best


def markdown_table(summary: dict[str, dict], title: str = "") -> str:
    """The paper's table: rows seen/unseen/total, columns Acc, Seg, Eve, Avg, in percent."""
    lines = ([f"### {title}", ""] if title else []) + [
        "| | Acc | Seg | Eve | Avg | videos |", "|---|---:|---:|---:|---:|---:|"]
    for group in ("seen", "unseen", "total"):
        s = summary[group]
        cells = [pct(s[k]) for k in METRIC_KEYS]
        lines.append(f"| {group} | " + " | ".join(cells) + f" | {s['videos']} |")
    return "\n".join(lines) + "\n"


def pct(value: float) -> str:
    return "–" if value != value else f"{100 * value:.1f}"  # NaN: no videos in that group


def write_report(report: Report, out_dir: str | os.PathLike, title: str = "OV-AVEL metrics",
                 notes: list[str] = (), predictions: str | os.PathLike | None = None) -> Path:
    """report.json, report.md, per_class.csv/png, per_video.csv (and a copy of the scored
    `predictions` file, so `ovavel browse --results` takes the folder): all of them or none. They
    are written into a dot-named folder inside `out_dir` and moved into place once all exist, so a
    failure (a full disk) leaves the previous report as it was."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".report.", suffix=".part", dir=out))
    try:
        _write_report_files(report, tmp, title, notes)
        if predictions is not None:
            copy_predictions(predictions, tmp, out)
        for f in sorted(tmp.iterdir()):
            os.replace(f, out / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _write_report_files(report: Report, out: Path, title: str, notes: list[str]) -> None:
    write_json(out / "report.json", {g: _json_safe(report.summary[g]) for g in GROUPS})
    s = report.settings
    settings = (f"protocol: {s.protocol}" + (f" (batch size {s.batch_size})" if s.protocol == "official-batched" else "")
                + f"; background row: {'yes' if s.background_row else 'no (foreground only)'}"
                + f"; missing predictions: {s.missing}"
                + f"; event match: IoU {'>= 0.5 (released)' if s.event_iou == 'released' else '> 0.5 (paper)'}")
    body = markdown_table(report.summary, title) + "\n" + settings + "\n"
    body += "".join(f"\n{n}\n" for n in notes)
    atomic_write_text(out / "report.md", body)
    cols = ["class", "split", "videos", *METRIC_KEYS]
    write_csv(out / "per_class.csv", [_rounded(r) for r in report.per_class], cols)
    sc = report.scores
    write_csv(out / "per_video.csv", [
        {"clip_id": c, "class": k, "split_type": t, "acc": f"{a:.4f}", "seg_f1": f"{s_:.4f}", "event_f1": f"{e:.4f}"}
        for c, k, t, a, s_, e in zip(report.clip_ids, report.classes, report.split_types, sc.acc, sc.seg_f1, sc.event_f1)
    ], ["clip_id", "class", "split_type", *VIDEO_METRIC_KEYS])
    if report.per_class:
        plot_per_class(report.per_class, out / "per_class.png")


def plot_per_class(rows: list[dict], path: Path) -> None:
    """Horizontal bars of each class's Avg, best first, seen and unseen in two colours."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = sorted(rows, key=lambda r: r["avg"])
    colours = {"seen": "#4c72b0", "unseen": "#dd8452"}
    fig, ax = plt.subplots(figsize=(7, max(2.5, 0.22 * len(rows) + 1)))
    ax.barh([r["class"] for r in rows], [100 * r["avg"] for r in rows],
            color=[colours.get(r["split"], "#888888") for r in rows])
    ax.set_xlabel("Avg of Acc, Seg F1, Event F1 (%)")
    ax.set_xlim(0, 100)
    ax.tick_params(axis="y", labelsize=7)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in colours.values()]
    ax.legend(handles, list(colours), loc="lower right", fontsize=8)
    ax.set_title("Per-class scores")
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.part")
    fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)
    os.replace(tmp, path)


def _rounded(row: dict) -> dict:
    return {k: (f"{v:.4f}" if isinstance(v, float) else v) for k, v in row.items()}


def _json_safe(summary: dict) -> dict:
    return {k: (None if isinstance(v, float) and v != v else v) for k, v in summary.items()}
