"""A plain per-video loop that follows the metric definitions word for word (one-hot matrices,
events found by walking each row). Slow; kept to cross-check the vectorised code in
`ovavel.metrics.core` (tests) and as the baseline of benchmarks/bench_metrics.py."""

from __future__ import annotations


def _events(row: list[int]) -> list[tuple[int, int]]:
    events, start = [], None
    for s, v in enumerate(row + [0]):
        if v and start is None:
            start = s
        if not v and start is not None:
            events.append((start, s))
            start = None
    return events


def _iou(a, b) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return inter / ((a[1] - a[0]) + (b[1] - b[0]) - inter)


def video_figures(pred: list[int], true: list[int], num_rows: int, background_row: bool = True,
                  threshold: float = 0.5) -> tuple[float, float, float]:
    """(accuracy, segment F1, event F1) of one video; rows 0..num_rows-1, the last is background.
    A predicted value num_rows is "unassigned": in no row, and background for accuracy."""
    acc = sum((num_rows - 1 if p == num_rows else p) == t for p, t in zip(pred, true)) / len(true)
    p_onehot = [[1 if p == r else 0 for p in pred] for r in range(num_rows)]
    t_onehot = [[1 if t == r else 0 for t in true] for r in range(num_rows)]
    rows = [r for r in range(num_rows) if any(p_onehot[r]) or any(t_onehot[r])]
    if not background_row:
        rows = [r for r in rows if r != num_rows - 1]
    if not rows:
        return acc, 1.0, 1.0
    seg, eve = [], []
    for r in rows:
        p, t = p_onehot[r], t_onehot[r]
        tp = sum(a and b for a, b in zip(p, t))
        fp = sum(a and not b for a, b in zip(p, t))
        fn = sum(b and not a for a, b in zip(p, t))
        seg.append(2 * tp / (2 * tp + fp + fn))
        pe, te = _events(p), _events(t)
        etp = sum(1 for a in pe if any(_iou(a, b) >= threshold for b in te))
        efp = len(pe) - etp
        efn = sum(1 for b in te if not any(_iou(a, b) >= threshold for a in pe))
        eve.append(2 * etp / (2 * etp + efp + efn))
    return acc, sum(seg) / len(seg), sum(eve) / len(eve)


def dataset_figures(pred, true, num_rows: int, background_row: bool = True) -> tuple[float, float, float]:
    """Means over videos of (accuracy, segment F1, event F1)."""
    per_video = [video_figures(list(p), list(t), num_rows, background_row) for p, t in zip(pred, true)]
    n = len(per_video)
    return tuple(sum(v[i] for v in per_video) / n for i in range(3))
