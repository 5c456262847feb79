"""`baseline reproduce --table T`: every row of one of the paper's tables that the toolkit can run,
with the settings the released scripts used, next to the published figure.

The published figures (ovavel/data/published_tables.csv) are facts from the paper (Tables 2-6,
A7-A10, in percent). Each row names a registered method (ovavel.models.methods) and its
settings: a background text, a head configuration, a training subset. Rows are run on the test
split of `--splits DIR` (train.csv, val.csv, test.csv, labels.csv): trainable methods train one
run per seed (mean over seeds) and predict through the method, as `baseline eval` does;
`clip-clap` reads the store of `--clip-clap-features`, `llm` the answers of `--llm-answers`, and
their rows are listed as not run without them. Every finished row is kept in OUT/rows/, so a
killed run redoes only the rows without a result.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ovavel import BACKGROUND_TEXT
from ovavel.catalog import ClassCatalog
from ovavel.errors import OvavelError
from ovavel.formats import SplitRow, read_labels, read_split
from ovavel.formats import METRIC_KEYS
from ovavel.metrics.published import METRICS, SUBSETS, published
from ovavel.metrics.report import ScoreSettings, score_arrays
from ovavel.feature_store import FeatureStore, Features
from ovavel.models.comparison import NAMES as COMPARISON_HEADS
from ovavel.models.head import HeadConfig
from ovavel.models.methods import Method, PredictContext, get_method
from ovavel.models.train import RECIPES, TrainSettings, train
from ovavel.progress import progress_bar
from ovavel.tables import atomic_write_text, write_csv

TABLES = ("2", "3", "4", "5", "6", "A7", "A8", "A9", "A10")


@dataclass(frozen=True)
class Row:
    name: str  # as in published_tables.csv
    method: str  # a registered method
    background_text: str = BACKGROUND_TEXT
    head: dict = field(default_factory=dict)  # HeadConfig fields of a trained row
    train_ratio: float | None = None  # Table 6: ceil(r x train) per class


def _tf(name: str, bg: str = BACKGROUND_TEXT, method: str = "training-free") -> Row:
    return Row(name, method, bg)


def _ft(name: str, bg: str = BACKGROUND_TEXT, ratio: float | None = None, method: str = "fine-tuned", **head) -> Row:
    return Row(name, method, bg, head, ratio)


ROWS: dict[str, list[Row]] = {
    "2": [Row("video-llama2", "llm"), _tf("clip-clap", method="clip-clap"), _tf("training-free"),
          _ft("cmra", method="cmra"), _ft("ave", method="ave"), _ft("psp", method="psp"),
          _ft("mm-pyramid", method="mm-pyramid"), _ft("fine-tuned")],
    "3": [_ft("with other"), _ft("without other", bg="none")],
    "4": [_ft("prob-avg", fusion="prob-avg"), _ft("fea-avg", fusion="fea-avg"), _ft("sqrt")],
    "5": [_ft("temporal layer"), _ft("linear layer", temporal="linear")],
    "6": [_ft("100%"), _ft("75%", ratio=0.75), _ft("50%", ratio=0.5), _ft("25%", ratio=0.25)],
    "A7": [_ft("1 layer"), _ft("2 layers", layers=2), _ft("3 layers", layers=3)],
    "A8": [_tf("training-free with other"), _tf("training-free with background", "background"),
           _ft("fine-tuned with other"), _ft("fine-tuned with background", bg="background")],
    "A9": [_ft("intra only"), _ft("cross only", attention="cross"), _ft("intra + cross", attention="intra+cross")],
    "A10": [_tf("imagebind (joint)"), _tf("clip & clap (separate)", method="clip-clap")],
}


RELEASED_SEED = 123  # SEED=123 in run_baseline_v0.sh and run_baseline_v1_train_fully.sh
# The evaluation batch sizes of the released scripts (the batched protocol's F1 is a mean of batch
# means, so they matter): run_baseline_v0.sh uses 4 ("to ensure all test data are evaluated"),
# run_baseline_v1_train_fully.sh TEST_BS=32.
TRAINING_FREE_BATCH, TRAINED_BATCH = 4, 32


@dataclass(frozen=True)  # default arguments are instances of it: never changed in place
class ReproduceSettings:
    seeds: tuple[int, ...] = (RELEASED_SEED,)
    epochs: int | None = None  # None: the recipe's
    recipe: str = "released"
    device: str = "auto"
    protocol: str = "official-batched"
    batch_size: int | None = None  # None: the released scripts' (4 training-free, 32 trained)
    clip_clap_features: str | None = None  # a store of --encoder clip-clap, for the clip-clap rows
    llm_answers: str | None = None  # a `baseline llm-query` folder, for the llm row
    width: int | None = None  # --variant source cmra / mm-pyramid inner width (None: the authors')
    variant: str = "released"  # comparison heads: the authors' compiled modules, or "source"
    init: str = "released"  # temporal layers start as copies of one block (released) or "independent"
    nan_batches: str = "skip"  # as the released training script
    official_meta: str | None = None  # ovave_dataset_meta.csv beside its trainratio files (Table 6)
    without_other: str = "paper"  # Table 3 "without other": per-second agreement, or "released-v0"
    online: object | None = None  # an OnlineEncoder over the training clips (--online-encoder)


def missing_input(row: Row, s: ReproduceSettings) -> str:
    """Why a row cannot run with these settings ("" when it can)."""
    if row.method == "clip-clap" and not s.clip_clap_features:
        return "needs --clip-clap-features (a store made with `baseline features --encoder clip-clap`)"
    if row.method == "llm" and not s.llm_answers:
        return ("a 7B audio-visual LLM does not run here: serve one, run `baseline llm-query`, then pass its folder as "
                "--llm-answers")
    return ""


def row_slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name).strip("_")


def reproduce_table(table: str, features: str | os.PathLike, splits: str | os.PathLike, out: str | os.PathLike,
                    catalog: ClassCatalog, s: ReproduceSettings = ReproduceSettings(), echo=print,
                    progress: bool = True) -> Path:
    if table not in ROWS:
        raise OvavelError(f"--table: expected one of {', '.join(TABLES)}, but got {table!r}")
    splits, out = Path(splits), Path(out)
    for name in ("train.csv", "val.csv", "test.csv", "labels.csv"):
        if not (splits / name).exists():
            raise OvavelError(f"--splits {splits}: no {name} (a folder made by `splits make` or `splits import-official`)")
    feats = FeatureStore(features).load()
    labels = read_labels(splits / "labels.csv")
    test_rows = read_split(splits / "test.csv")
    test = feats.select([r.clip_id for r in test_rows], "the test split")
    (out / "rows").mkdir(parents=True, exist_ok=True)
    results: dict[str, dict] = {}
    rows = [row for row in ROWS[table] if not missing_input(row, s)]
    with progress_bar(len(rows), f"Table {table}", "row", progress, echo) as (bar, echo):
        for row in rows:
            done = out / "rows" / f"{row_slug(row.name)}.json"
            if done.exists():
                results[row.name] = json.loads(done.read_text())["summary"]
                echo(f"{row.name}: kept from an earlier run ({done})")
            else:
                results[row.name] = _row_summary(row, feats, test, test_rows, labels, catalog, splits, out, s, echo)
                atomic_write_text(done, json.dumps({"row": row.name, "summary": results[row.name]}, indent=2) + "\n")
                echo(f"{row.name}: total avg {100 * results[row.name]['total']['avg']:.1f}")
            bar.update()
    return write_table(table, results, out, feats, s, splits)


def _row_summary(row, feats: Features, test: Features, test_rows: list[SplitRow], labels, catalog: ClassCatalog,
                 splits: Path, out: Path, s: ReproduceSettings, echo) -> dict:
    method = get_method(row.method)
    if method.trainable:
        return _trained(row, method, feats, test, test_rows, labels, catalog, splits, out, s, echo)
    ctx = PredictContext(_inputs_of(method, test, test_rows, s), catalog.names, row.background_text, "released",
                         s.llm_answers, s.device)
    return _score(method.predict(ctx), test_rows, labels, catalog, s, s.batch_size or TRAINING_FREE_BATCH)


def _inputs_of(method: Method, test: Features, test_rows: list[SplitRow], s: ReproduceSettings) -> Features:
    """The test clips as the method reads them: the main store, the clip-clap store, or ids only."""
    ids = [r.clip_id for r in test_rows]
    if not method.needs_features:
        empty = np.zeros((len(ids), 10, 0), np.float32)
        return Features(ids, empty, empty, [], np.zeros((0, 0), np.float32), {})
    if method.encoder == "separate":
        return FeatureStore(s.clip_clap_features).load().select(ids, "the test split (--clip-clap-features)")
    return test


def _score(preds: dict[str, list[str]], rows: list[SplitRow], labels, catalog: ClassCatalog,
           s: ReproduceSettings, batch_size: int) -> dict:
    ids = [r.clip_id for r in rows]
    report = score_arrays(ids, [labels[c].cls for c in ids], [labels[c].labels for c in ids], [preds[c] for c in ids],
                          catalog, ScoreSettings(protocol=s.protocol, batch_size=batch_size))
    return {k: {m: report.summary[k][m] for m in (*METRIC_KEYS, "videos")} for k in SUBSETS}


def _trained(row: Row, method: Method, feats: Features, test: Features, test_rows, labels, catalog,
             splits: Path, out: Path, s: ReproduceSettings, echo) -> dict:
    recipe = RECIPES[s.recipe]
    train_rows = read_split(splits / "train.csv")
    if row.train_ratio is not None:
        official = official_ratio_ids(splits, s.official_meta, row.train_ratio)
        if official is None:
            train_rows = _subsample(train_rows, labels, row.train_ratio)
        else:
            by_id = {r.clip_id: r for r in train_rows}
            absent = [c for c in official if c not in by_id]
            if absent:
                raise OvavelError(f"{len(absent)} training video(s) of the official {row.train_ratio:g} ratio file are "
                                  f"not in {splits / 'train.csv'}, first {absent[0]!r}")
            train_rows = [by_id[c] for c in official]
    select_from = splits / ("test.csv" if s.recipe == "released" else "val.csv")
    select_rows = [r for r in read_split(select_from) if r.split_type == "seen"]
    head = HeadConfig(**{**row.head, **method.head, "init": s.init, "variant": s.variant, "width": s.width})
    summaries = []
    for seed in s.seeds:
        settings = TrainSettings(recipe=s.recipe, epochs=s.epochs or recipe["epochs"], batch_size=recipe["batch_size"],
                                 lr=recipe["lr"], grad_clip=recipe["grad_clip"], seed=seed,
                                 select_on=recipe["select_on"], background_text=row.background_text, device=s.device,
                                 head=head, method=method.name, nan_batches=s.nan_batches)
        run_dir = out / "runs" / f"{row_slug(row.name)}_seed{seed}"
        train(feats, train_rows, select_rows, labels, catalog, run_dir, settings, force=True, progress=False,
              echo=lambda *_: None, online=s.online)
        decision = s.without_other if row.background_text == "none" else "paper"
        preds = method.predict(PredictContext(test, catalog.names, run_dir=str(run_dir), device=s.device,
                                              postprocess=decision))
        summaries.append(_score(preds, test_rows, labels, catalog, s, s.batch_size or TRAINED_BATCH))
        echo(f"{row.name} seed {seed}: total avg {100 * summaries[-1]['total']['avg']:.1f}")
    return {k: {m: float(np.mean([x[k][m] for x in summaries])) if m != "videos" else summaries[0][k][m]
                for m in (*METRIC_KEYS, "videos")} for k in SUBSETS}


def official_source_meta(splits: Path, override: str | None) -> Path | None:
    """The official meta file a split folder was imported from (its split_report.json records it),
    or `override` (--official-meta); None for a benchmark built here."""
    if override:
        return Path(override)
    report = splits / "split_report.json"
    if not report.exists():
        return None
    meta = (json.loads(report.read_text()).get("source") or {}).get("meta")
    return Path(meta) if meta else None


def official_ratio_ids(splits: Path, override: str | None, ratio: float) -> list[str] | None:
    """The training videos of the official `ovave_trainratio{r}_meta.csv` beside the meta file the
    splits were imported from, in its order; None where the splits have no official source."""
    from ovavel.curation.official import read_meta
    from ovavel.splits.official_import import ratio_meta_path

    meta = official_source_meta(splits, override)
    if meta is None:
        return None
    if not meta.is_file():
        raise OvavelError(f"{splits} was imported from {meta}, which is gone: pass --official-meta PATH "
                          "(ovave_dataset_meta.csv beside its trainratio files)")
    return [r.youtube_id for r in read_meta(ratio_meta_path(meta, ratio)) if r.split == "train"]


def _subsample(rows: list[SplitRow], labels, ratio: float) -> list[SplitRow]:
    """ceil(ratio x videos) of each class's training videos, stratified by event length (the rule
    of `splits make --train-ratio`, seed 0)."""
    from ovavel.splits.video_split import subsample

    by_class: dict[str, list[str]] = {}
    for r in rows:
        by_class.setdefault(r.cls, []).append(r.clip_id)
    keep: set[str] = set()
    for ids in by_class.values():
        keep.update(subsample(ids, [labels[c].labels.count("1") for c in ids], ratio, 0))
    return [r for r in rows if r.clip_id in keep]


def write_table(table: str, results: dict[str, dict], out: Path, feats: Features, s: ReproduceSettings,
                splits_dir: Path) -> Path:
    """OUT/table_{T}.md (the paper's layout, ours and published side by side) and OUT/table_{T}.csv
    (row, subset, metric, ours, published, diff; percent)."""
    pub = published(table)
    csv_rows, lines = [], []
    subsets = [x for x in SUBSETS if any((r.name, x) in pub for r in ROWS[table])]
    head = "| row | " + " | ".join(f"{x} {m}" for x in subsets for m, _ in METRICS) + " |"
    lines += [f"### Table {table}: ours / published (difference), percent", "", head,
              "|---|" + "---:|" * (len(subsets) * len(METRICS))]
    for row in ROWS[table]:
        ours = results.get(row.name)
        cells = []
        for x in subsets:
            for m, key in METRICS:
                p = pub.get((row.name, x), {}).get(m)
                o = None if ours is None else 100 * ours[x][key]
                if o is not None and o != o:  # no videos of that subset
                    o = None
                d = None if o is None or p is None else o - p
                csv_rows.append({"row": row.name, "subset": x, "metric": m, "ours": _fmt(o), "published": _fmt(p),
                                 "diff": _fmt(d)})
                cells.append("–" if p is None and o is None else
                             f"{_fmt(o) or '–'} / {_fmt(p) or '–'}" + (f" ({d:+.1f})" if d is not None else ""))
        lines.append(f"| {row.name} | " + " | ".join(cells) + " |")
    notes = [""]
    missing = [(r, missing_input(r, s)) for r in ROWS[table] if missing_input(r, s)]
    if missing:
        notes.append("Not run here: " + "; ".join(f"{r.name} ({why})" for r, why in missing) + ".")
    if s.width and s.variant == "source":
        notes.append(f"cmra / mm-pyramid at inner width {s.width} (--width), not the authors' sizes.")
    if any(r.method in COMPARISON_HEADS for r in ROWS[table]):
        notes.append("Comparison heads: " + ("the OV-AVEL authors' compiled modules (--variant released)."
                                             if s.variant == "released" else
                                             "adaptations of the original repositories (--variant source), not the "
                                             "modules that produced the published rows."))
    if any(r.train_ratio for r in ROWS[table]):
        meta = official_source_meta(splits_dir, s.official_meta)
        notes.append("Smaller training sets: " + (f"the official ratio files beside {meta}." if meta else
                                                  "drawn here (ceil(r x videos) per class, `splits make "
                                                  "--train-ratio`'s rule): the splits have no official source."))
    if any(r.background_text == "none" and r.method != "training-free" for r in ROWS[table]):
        notes.append("Without other: " + ("the released v0 decision (one class per video: the audio argmax at the "
                                          "first second where audio and visual agree)." if s.without_other ==
                                          "released-v0" else "a second is an event where the audio and visual argmax "
                                          "agree (--without-other paper)."))
    if s.epochs:
        notes.append(f"Epochs overridden with --epochs {s.epochs} (a quick look, not the recipe's).")
    seeds = (f"seed {s.seeds[0]}" + (" (the released scripts')" if s.seeds == (RELEASED_SEED,) else "")
             if len(s.seeds) == 1 else f"seeds {list(s.seeds)} (mean)")
    batches = (f" (batch {s.batch_size})" if s.batch_size else
               f" (batch {TRAINING_FREE_BATCH} for the rows without training, {TRAINED_BATCH} for the trained ones, as "
               "the released scripts)") if s.protocol == "official-batched" else ""
    notes.append(f"Settings: recipe {s.recipe}; {seeds}; init {s.init}; NaN batches {s.nan_batches}; protocol "
                 f"{s.protocol}{batches}; training-free rows (training-free, clip-clap) use the released "
                 "post-processing (strategy v01).")
    if feats.meta.get("random_init"):
        notes.insert(1, "**RANDOM WEIGHTS**: these features come from an encoder with random weights; "
                        "the numbers mean nothing.")
    write_csv(out / f"table_{table}.csv", csv_rows, ["row", "subset", "metric", "ours", "published", "diff"])
    md = out / f"table_{table}.md"
    atomic_write_text(md, "\n".join(lines + notes) + "\n")
    return md


def _fmt(value: float | None) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.1f}"
