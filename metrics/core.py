"""Vectorised OV-AVEL metrics over integer-coded segment arrays.

A video is ten segments. Predictions and ground truth are int arrays [N, 10] of row indices: a
class index in 0..C-1, or the background index C. Ground truth of a labelled video: its class
where the label is 1, background where it is 0. A prediction may also hold C + 1, "unassigned":
a second the released training-free rule puts in no row (it counts in no F1 row, and as
background for accuracy, as the released evaluation scores it).

Per video, each row (every class plus background) is a 0/1 vector over the ten segments, in the
prediction and in the ground truth; the rows *active* in a video are those with a 1 in either.
- accuracy: the fraction of segments whose predicted row equals the true row (background counts).
- segment F1 of a row: 2TP / (2TP + FP + FN) over its segments.
- event F1 of a row: events are maximal runs of 1s; a predicted event is a TP when its IoU (in
  segments) with some ground-truth event of the row is >= 0.5, else an FP; a ground-truth event
  with no such match is an FN; F = 2TP / (2TP + FP + FN).
- a video's F1 is the mean over its active rows; a dataset figure is the mean over videos (or,
  with the `official-batched` protocol, the mean of batch means).

Each (video, active row) pair is reduced to two 10-bit masks, so segment counts are popcounts
and event counts are looked up once per distinct mask pair (few of the 2^20 occur).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

SEGMENTS = 10
_WEIGHTS = (1 << np.arange(SEGMENTS)).astype(np.int64)
_POPCOUNT = np.array([bin(i).count("1") for i in range(1 << SEGMENTS)], dtype=np.int64)


def runs(mask: int, length: int = SEGMENTS) -> list[tuple[int, int]]:
    """Maximal runs of set bits of `mask` as half-open (start, end) segment intervals."""
    out, start = [], None
    for s in range(length + 1):
        on = s < length and (mask >> s) & 1
        if on and start is None:
            start = s
        elif not on and start is not None:
            out.append((start, s))
            start = None
    return out


def iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = (a[1] - a[0]) + (b[1] - b[0]) - inter
    return inter / union if union else 0.0


EVENT_IOU = ("released", "paper")  # IoU >= 0.5 (the released evaluation) or > 0.5 (the paper's "exceed")


@lru_cache(maxsize=1 << 16)
def event_counts(pred_mask: int, true_mask: int, threshold: float = 0.5, strict: bool = False) -> tuple[int, int, int]:
    """(TP, FP, FN) of events for one row: a match is IoU >= threshold (the released code), or
    IoU > threshold with `strict` (the paper's text: "exceed 0.5").

    >>> event_counts(0b0000000111, 0b0000111111), event_counts(0b0000000111, 0b0000111111, strict=True)
    ((1, 0, 0), (0, 1, 1))
    """
    pred, true = runs(pred_mask), runs(true_mask)

    def match(p, t) -> bool:
        return iou(p, t) > threshold if strict else iou(p, t) >= threshold

    tp = sum(any(match(p, t) for t in true) for p in pred)
    matched_true = sum(any(match(p, t) for p in pred) for t in true)
    return tp, len(pred) - tp, len(true) - matched_true


def _f1(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
    denom = 2 * tp + fp + fn
    return np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)


@dataclass(frozen=True)
class VideoScores:
    """Per-video figures, each an array [N] of fractions in [0, 1]."""

    acc: np.ndarray
    seg_f1: np.ndarray
    event_f1: np.ndarray


def check_arrays(pred: np.ndarray, target: np.ndarray, background: int) -> tuple[np.ndarray, np.ndarray]:
    pred, target = np.asarray(pred), np.asarray(target)
    if pred.shape != target.shape or pred.ndim != 2 or pred.shape[1] != SEGMENTS:
        raise ValueError(f"Expected `pred` and `target` of shape [N, {SEGMENTS}], but got {pred.shape} and {target.shape}")
    for name, a, top in (("pred", pred, background + 1), ("target", target, background)):
        if a.size and (a.min() < 0 or a.max() > top):
            raise ValueError(f"Expected `{name}` values in 0..{top} (background = {background}"
                             + (f", unassigned = {top}" if top > background else "") + f"), "
                             f"but got values in {a.min()}..{a.max()}")
    return pred.astype(np.int64), target.astype(np.int64)


def video_scores(pred: np.ndarray, target: np.ndarray, background: int, *, background_row: bool = True,
                 iou_threshold: float = 0.5, event_iou: str = "released") -> VideoScores:
    """Accuracy, segment F1 and event F1 of every video.

    background_row=False leaves the background row out of the F1 means (the AVVP foreground-only
    variant); a video with no active foreground row in prediction or ground truth then scores 1
    (nothing to find, nothing found). Accuracy always counts background as a class.
    """
    pred, target = check_arrays(pred, target, background)
    n = pred.shape[0]
    unassigned = background + 1
    acc = (np.where(pred == unassigned, background, pred) == target).mean(axis=1) if n else np.zeros(0)
    # Active (video, row) pairs: every row that occurs in the prediction or the ground truth
    # (an unassigned second is in no row).
    width = background + 2
    keys = np.unique(np.concatenate([(np.arange(n)[:, None] * width + pred).ravel(),
                                     (np.arange(n)[:, None] * width + target).ravel()]))
    video, row = keys // width, keys % width
    keep = row != unassigned if background_row else row < background
    video, row = video[keep], row[keep]
    pmask = ((pred[video] == row[:, None]) * _WEIGHTS).sum(axis=1)
    tmask = ((target[video] == row[:, None]) * _WEIGHTS).sum(axis=1)
    seg = _f1(_POPCOUNT[pmask & tmask], _POPCOUNT[pmask & ~tmask & 1023], _POPCOUNT[~pmask & tmask & 1023])
    pair = pmask * 1024 + tmask
    uniq, inverse = np.unique(pair, return_inverse=True)
    if event_iou not in EVENT_IOU:
        raise ValueError(f"Expected `event_iou` in {EVENT_IOU}, but got {event_iou!r}")
    strict = event_iou == "paper"
    table = np.array([event_counts(int(u) >> 10, int(u) & 1023, iou_threshold, strict) for u in uniq],
                     dtype=np.int64).reshape(-1, 3)
    counts = table[inverse]
    eve = _f1(counts[:, 0], counts[:, 1], counts[:, 2])
    active = np.bincount(video, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        seg_v = np.where(active > 0, np.bincount(video, weights=seg, minlength=n) / np.maximum(active, 1), 1.0)
        eve_v = np.where(active > 0, np.bincount(video, weights=eve, minlength=n) / np.maximum(active, 1), 1.0)
    return VideoScores(acc.astype(float), seg_v, eve_v)


def dataset_mean(values: np.ndarray, protocol: str = "mean", batch_size: int = 32) -> float:
    """Mean over videos, or with protocol "official-batched" the released script's mean of
    per-batch means (batches in the given order; a partial last batch weighs as much as a full one)."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return float("nan")
    if protocol == "mean":
        return float(values.mean())
    if protocol == "official-batched":
        if batch_size < 1:
            raise ValueError(f"Expected `batch_size` >= 1, but got {batch_size}")
        return float(np.mean([values[i:i + batch_size].mean() for i in range(0, values.size, batch_size)]))
    raise ValueError(f"Expected `protocol` to be 'mean' or 'official-batched', but got {protocol!r}")


def summarise(scores: VideoScores, index: np.ndarray | None = None, protocol: str = "mean",
              batch_size: int = 32) -> dict[str, float]:
    """{acc, seg_f1, event_f1, avg, videos} over the videos selected by `index` (all if None).

    Accuracy is pooled over all segments under either protocol: every video has ten, so that is
    the plain mean over videos (the released AverageMeter weights each batch by bs * 10). Only
    the F1 figures are means of batch means under `official-batched`."""
    sel = slice(None) if index is None else index
    acc = dataset_mean(scores.acc[sel])
    seg = dataset_mean(scores.seg_f1[sel], protocol, batch_size)
    eve = dataset_mean(scores.event_f1[sel], protocol, batch_size)
    return {"acc": acc, "seg_f1": seg, "event_f1": eve, "avg": (acc + seg + eve) / 3,
            "videos": int(scores.acc[sel].size)}


# -- functional API: one figure each, same core ----------------------------------------------------
def accuracy(pred, target, background: int) -> float:
    """Segment accuracy pooled over all segments of all videos (background is a class).

    >>> accuracy([[0] * 10, [1] * 10], [[0] * 5 + [2] * 5, [1] * 10], background=2)
    0.75
    """
    return dataset_mean(video_scores(pred, target, background).acc)


def segment_f1(pred, target, background: int, *, background_row: bool = True) -> float:
    """Mean over videos of the segment-level F1 (mean over active rows). Here class 0 has
    TP 2, FP 2, FN 0 (F = 4/6) and background TP 6, FP 0, FN 2 (F = 12/14):

    >>> round(segment_f1([[0, 0, 0, 0, 2, 2, 2, 2, 2, 2]], [[0, 0, 2, 2, 2, 2, 2, 2, 2, 2]], background=2), 6)
    0.761905
    """
    return dataset_mean(video_scores(pred, target, background, background_row=background_row).seg_f1)


def event_f1(pred, target, background: int, *, background_row: bool = True) -> float:
    """Mean over videos of the event-level F1 (IoU >= 0.5 in segments, mean over active rows).
    Class 0: predicted [0, 5) vs true [0, 2) has IoU 2/5 < 0.5, no match (F = 0); background:
    [5, 10) vs [2, 10) has IoU 5/8, a match (F = 1):

    >>> event_f1([[0, 0, 0, 0, 0, 2, 2, 2, 2, 2]], [[0, 0, 2, 2, 2, 2, 2, 2, 2, 2]], background=2)
    0.5
    """
    return dataset_mean(video_scores(pred, target, background, background_row=background_row).event_f1)
