"""`baseline train`: the temporal head on cached features of the seen classes.

Texts in training: the seen classes of the split plus the background text; a segment's target is
its class where labelled 1, the background text where 0 (an all-zero clip is background
everywhere). Each epoch is scored on the selection set with all candidate classes, and the best
epoch is kept. The run folder holds settings.json, log.jsonl (loss, selection metrics, seconds
per epoch), best.pt and last.pt; `--resume` continues a stopped run, anything else refuses to
overwrite one. Reading a run and predicting with it: models/run.py.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np

from ovavel import SEGMENTS_PER_CLIP
from ovavel.catalog import ClassCatalog
from ovavel.errors import OvavelError
from ovavel.formats import Label, SplitRow, read_split
from ovavel.metrics import summarise, video_scores
from ovavel.formats import METRIC_KEYS
from ovavel.feature_store import Features
from ovavel.models.head import HeadConfig, build_head, count_parameters, load_head_config
from ovavel.models.run import Run, predict_rows, text_fingerprint
from ovavel.models.run import load_head, predict_with_run  # noqa: F401  (importable from here as before)
from ovavel.models.training_free import candidates
from ovavel.tables import append_jsonl, atomic_write_text

RECIPES = {"paper": dict(epochs=5, batch_size=32, lr=5e-5, grad_clip=0.8, select_on="val-seen"),
           # run_baseline_v1_train_fully.sh: the best epoch on the seen-class videos of test
           # (test_data_type='close'), by the mean of the three figures (validate_epoch).
           "released": dict(epochs=10, batch_size=32, lr=5e-5, grad_clip=0.8, select_on="test-seen")}


@dataclass(frozen=True)  # default arguments are instances of it: never changed in place
class TrainSettings:
    recipe: Literal["paper", "released"] = "paper"
    epochs: int = 5
    batch_size: int = 32
    lr: float = 5e-5
    grad_clip: float = 0.8
    seed: int = 123
    select_on: Literal["val-seen", "val", "test-seen", "test"] = "val-seen"
    background_text: Literal["other", "background", "none"] = "other"
    device: Literal["auto", "cpu", "cuda"] = "auto"
    head: HeadConfig = field(default_factory=HeadConfig)
    precision: Literal["fp32", "bf16"] = "fp32"  # fp32 as the released code
    method: str = "fine-tuned"  # the registered method (ovavel.models.methods) this run trains
    # A batch whose scores hold a NaN: "raise" stops the run (the default: on cached features a NaN
    # means a diverging run or broken features, and skipping would hide it); "skip" leaves the batch
    # out without a step, as fine_tune_baseline_v1_train_fully.py does, counted in the epoch's log.
    nan_batches: Literal["raise", "skip"] = "raise"


def targets(ids: list[str], labels: dict[str, Label], text_names: list[str], background_text: str) -> np.ndarray:
    """[N, 10] target indices into text_names; -100 (ignored) for background without a text."""
    pos = {n: i for i, n in enumerate(text_names)}
    bg = pos.get(background_text, -100)
    out = np.full((len(ids), SEGMENTS_PER_CLIP), bg, dtype=np.int64)
    for i, c in enumerate(ids):
        lab = labels[c]
        for k, b in enumerate(lab.labels):
            if b == "1":
                out[i, k] = pos[lab.cls]
    return out


def evaluate_rows(rows: np.ndarray, ids: list[str], labels: dict[str, Label], class_names: list[str]) -> dict:
    idx = {n: i for i, n in enumerate(class_names)}
    n = len(class_names)
    truth = np.array([[idx[labels[c].cls] if b == "1" else n for b in labels[c].labels] for c in ids])
    truth = truth.reshape(-1, SEGMENTS_PER_CLIP)
    return summarise(video_scores(rows, truth, n))


@dataclass(frozen=True)
class TrainInputs:
    """What the epochs read: the training and selection clips, targets, and text embeddings."""

    train: Features
    select: Features
    targets: np.ndarray  # [N, 10] indices into train_texts (-100: ignored)
    train_texts: list[str]
    all_texts: list[str]
    train_emb: np.ndarray
    all_emb: np.ndarray


def train(features: Features, train_rows: list[SplitRow], select_rows: list[SplitRow], labels: dict[str, Label],
          catalog: ClassCatalog, out: str | os.PathLike, s: TrainSettings = TrainSettings(), resume: bool = False,
          force: bool = False, progress: bool = True, echo=print, online=None) -> dict:
    """Train the head on the seen classes, choosing the best epoch on `select_rows`; `online` (an
    OnlineEncoder) re-encodes each training batch instead of reading the cached features."""
    import torch

    from ovavel.models.features import resolve_device

    run = Run(out)
    check_inputs(train_rows, select_rows, labels, s.select_on)
    if (run.root / "settings.json").exists() and not (resume or force):
        raise OvavelError(f"{run.root} already holds a run; pass --resume to continue it or --force to start over")
    if resume and (run.root / "settings.json").exists():
        saved = load_head_config(run.settings()["head"])
        if (saved.head, saved.variant) != (s.head.head, s.head.variant):
            raise OvavelError(f"{run.root} was trained with head {saved.head} ({saved.variant}); resume it with the "
                              "same --method and --variant")
    if s.select_on.startswith("test"):
        echo(f"warning: --select-on {s.select_on} picks the best epoch on the test split (the released script uses "
             "its seen-class videos); its test numbers are then optimistic")
    device = resolve_device(s.device)
    inputs = prepare_inputs(features, train_rows, select_rows, labels, catalog, s)
    s = replace(s, head=replace(s.head, dim=features.audio.shape[-1]))  # never touch the caller's settings
    if online is not None:
        online.check(inputs.train.clip_ids)
    torch.manual_seed(s.seed)
    head = build_head(s.head).to(device)
    optimiser = torch.optim.Adam(head.parameters(), lr=s.lr)
    start_epoch, best = restore(run, head, optimiser, device) if resume else (None, None)
    if start_epoch is None:
        start_epoch, best = 0, {"epoch": None, "avg": -math.inf}
        run.root.mkdir(parents=True, exist_ok=True)
        (run.root / "log.jsonl").unlink(missing_ok=True)
    settings = {**asdict(s), "head": s.head.as_dict(), "train_texts": inputs.train_texts,
                "all_texts": inputs.all_texts, "text_fingerprint": text_fingerprint(inputs.all_texts, inputs.all_emb),
                "parameters": count_parameters(head), "train_clips": len(inputs.train.clip_ids),
                "select_clips": len(inputs.select.clip_ids), "online_encoder": online is not None,
                "random_features": bool(features.meta.get("random_init"))}
    atomic_write_text(run.root / "settings.json", json.dumps(settings, indent=2) + "\n")
    # which videos this run learnt from, one id a line, in the order given
    atomic_write_text(run.root / "train_clips.txt", "".join(c + "\n" for c in inputs.train.clip_ids))
    echo(f"head: {s.head.head}, {count_parameters(head):,} trainable parameters; {len(inputs.train.clip_ids)} "
         f"training clips, {len(inputs.train_texts)} training texts; device {device}")
    gen = torch.Generator().manual_seed(s.seed)
    for _ in range(start_epoch):
        torch.randperm(len(inputs.targets), generator=gen)  # keep the shuffles of a resumed run identical
    for epoch in range(start_epoch, s.epochs):
        t0 = time.perf_counter()
        loss, skipped = train_epoch(head, optimiser, inputs, s, device, gen, epoch, online, progress)
        metrics = select_metrics(head, inputs, labels, catalog, s, device)
        entry = {"epoch": epoch + 1, "loss": loss, "select_on": s.select_on, **{k: metrics[k] for k in METRIC_KEYS},
                 "seconds": round(time.perf_counter() - t0, 3), "nan_batches_skipped": skipped}
        append_jsonl(run.root / "log.jsonl", entry)
        improved = metrics["avg"] > best["avg"]
        if improved:
            best = {"epoch": epoch + 1, "avg": metrics["avg"]}
            _save(run.root / "best.pt", head, optimiser, epoch, best, settings)
        _save(run.root / "last.pt", head, optimiser, epoch, best, settings)
        shown_loss = "nan (every batch skipped)" if loss is None else f"{loss:.4f}"
        echo(f"epoch {epoch + 1}: loss {shown_loss}, {s.select_on} avg {100 * metrics['avg']:.1f}"
             f"{' (best)' if improved else ''}, {entry['seconds']:.1f} s"
             + (f"; {skipped} batch(es) with NaN scores skipped" if skipped else ""))
    return {"best": best, "parameters": count_parameters(head), "log": run.log()}


def prepare_inputs(features: Features, train_rows: list[SplitRow], select_rows: list[SplitRow],
                   labels: dict[str, Label], catalog: ClassCatalog, s: TrainSettings) -> TrainInputs:
    """Training texts are the seen classes of the training split (plus the background text);
    selection and evaluation use every catalog class."""
    features.require_joint("a trained head")
    unseen_in_train = sorted({r.cls for r in train_rows if catalog.get(r.cls).split == "unseen"})
    if unseen_in_train:
        raise OvavelError(f"the training split holds unseen class {unseen_in_train[0]!r}")
    seen = [c for c in catalog.names if c in {r.cls for r in train_rows}]
    train_texts = candidates(seen, s.background_text)
    all_texts = candidates(catalog.names, s.background_text)
    tr = features.select([r.clip_id for r in train_rows], "the training split")
    return TrainInputs(tr, features.select([r.clip_id for r in select_rows], "the selection split"),
                       targets(tr.clip_ids, labels, train_texts, s.background_text), train_texts, all_texts,
                       features.text_emb[[features.text_index(t) for t in train_texts]],
                       features.text_emb[[features.text_index(t) for t in all_texts]])


def restore(run: Run, head, optimiser, device: str) -> tuple[int | None, dict | None]:
    """(first epoch to run, best so far) from the run's last.pt, or (None, None) without one."""
    import torch

    if not (run.root / "last.pt").exists():
        return None, None
    ckpt = torch.load(run.root / "last.pt", map_location=device, weights_only=False)
    head.load_state_dict(ckpt["head"])
    optimiser.load_state_dict(ckpt["optimiser"])
    torch.set_rng_state(ckpt["rng"])
    start_epoch = ckpt["epoch"] + 1
    # A kill after an epoch's log line but before its checkpoint: that epoch is redone, so its
    # line goes. One line per epoch, always.
    kept = [e for e in run.log() if e.get("epoch", 0) <= start_epoch]
    atomic_write_text(run.root / "log.jsonl", "".join(json.dumps(e) + "\n" for e in kept))
    return start_epoch, ckpt["best"]


def train_epoch(head, optimiser, inputs: TrainInputs, s: TrainSettings, device: str, gen, epoch: int, online,
                progress: bool) -> tuple[float | None, int]:
    """One pass over the shuffled training clips: (the mean loss, batches skipped for NaN scores)."""
    import torch
    from tqdm import tqdm

    head.train()
    a_all, v_all = torch.from_numpy(inputs.train.audio), torch.from_numpy(inputs.train.visual)
    y_all, t_train = torch.from_numpy(inputs.targets), torch.from_numpy(inputs.train_emb).to(device)
    order = torch.randperm(len(y_all), generator=gen)
    losses, skipped = [], 0
    bar = tqdm(range(0, len(order), s.batch_size), desc=f"epoch {epoch + 1}/{s.epochs}", unit="batch",
               disable=not progress, dynamic_ncols=True, leave=False)
    for b, i in enumerate(bar):
        idx = order[i:i + s.batch_size]
        if online is None:
            a, v = a_all[idx].to(device), v_all[idx].to(device)
        else:  # the frozen encoder in training mode, as the released script (models/online.py)
            a_np, v_np = online([inputs.train.clip_ids[j] for j in idx.tolist()])
            a, v = torch.from_numpy(a_np).to(device), torch.from_numpy(v_np).to(device)
        yy = y_all[idx].to(device)
        with torch.autocast(device, dtype=torch.bfloat16, enabled=s.precision == "bf16"):
            scores = head.scores(a, v, t_train)
        if s.nan_batches == "skip" and torch.isnan(scores).any():
            skipped += 1  # the released script: `if torch.sum(pred_logits.isnan()) > 0: continue`
            continue
        loss = torch.nn.functional.cross_entropy(scores.float().flatten(0, 1), yy.flatten(), ignore_index=-100)
        if not torch.isfinite(loss):
            raise OvavelError(f"the loss became {loss.item()} at epoch {epoch + 1}, batch {b + 1}; "
                              "lower --lr or check the features (--nan-batches skip leaves such batches out, "
                              "as the released script)")
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(head.parameters(), s.grad_clip)
        optimiser.step()
        losses.append(loss.item())
        bar.set_postfix(loss=f"{np.mean(losses):.4f}", refresh=False)
    return (float(np.mean(losses)) if losses else None), skipped


def select_metrics(head, inputs: TrainInputs, labels: dict[str, Label], catalog: ClassCatalog, s: TrainSettings,
                   device: str) -> dict:
    """The figures that choose the best epoch, on the selection clips with every catalog class."""
    rows = predict_rows(head, inputs.select.audio, inputs.select.visual, inputs.all_emb, len(catalog.names),
                        s.background_text, device)
    return evaluate_rows(rows, inputs.select.clip_ids, labels, catalog.names)


def _save(path: Path, head, optimiser, epoch: int, best: dict, settings: dict) -> None:
    import torch

    tmp = path.with_name(f".{path.name}.part")
    try:
        torch.save({"head": head.state_dict(), "optimiser": optimiser.state_dict(), "epoch": epoch, "best": best,
                    "settings": settings, "rng": torch.get_rng_state()}, tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk or a kill leaves no half-written checkpoint behind
        raise


def check_inputs(train_rows: list[SplitRow], select_rows: list[SplitRow], labels: dict[str, Label],
                 select_on: str) -> None:
    """Stop before anything is written when there is nothing to train on or to choose with."""
    if not train_rows:
        raise OvavelError("the training split holds no clips: nothing to train on (check --train)")
    if not select_rows:
        raise OvavelError(f"the videos that choose the best epoch ({select_on}) are none: check --val / --test "
                          "and --select-on (val-seen needs seen-class videos in val)")
    missing = list(dict.fromkeys(r.clip_id for r in train_rows + select_rows if r.clip_id not in labels))
    if missing:
        raise OvavelError(f"{len(missing)} clip(s) of the training or selection split have no labels, first "
                          f"{missing[0]!r}: pass the labels.csv the splits were made from")


def split_rows(path: str | os.PathLike, seen_only: bool = False) -> list[SplitRow]:
    rows = read_split(path)
    return [r for r in rows if r.split_type == "seen"] if seen_only else rows

