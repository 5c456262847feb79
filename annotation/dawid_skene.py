"""Dawid-Skene for binary segment labels: each annotator gets a 2x2 confusion matrix, learnt by EM
over every segment they labelled; a segment's label is the most probable true value.

A few dozen lines of numpy instead of crowd-kit, whose dependencies (transformers, pyarrow) would
dwarf the annotation stage.
"""

from __future__ import annotations

import numpy as np


def dawid_skene(votes: list[tuple[str, str, int]], iterations: int = 50, smoothing: float = 0.01) -> dict[str, float]:
    """votes: (item, annotator, 0/1). Returns {item: P(true label = 1)}."""
    items = sorted({v[0] for v in votes})
    workers = sorted({v[1] for v in votes})
    item_pos = {k: i for i, k in enumerate(items)}
    worker_pos = {k: i for i, k in enumerate(workers)}
    ii = np.array([item_pos[v[0]] for v in votes])
    ww = np.array([worker_pos[v[1]] for v in votes])
    ll = np.array([v[2] for v in votes])
    n_items, n_workers = len(items), len(workers)
    # Start from the share of 1-votes per item.
    p1 = np.bincount(ii, weights=ll, minlength=n_items) / np.maximum(np.bincount(ii, minlength=n_items), 1)
    for _ in range(iterations):
        post = np.stack([1 - p1, p1], axis=1)  # [items, true]
        prior = post.mean(axis=0)
        conf = np.full((n_workers, 2, 2), smoothing)  # [worker, true, observed]
        for t in (0, 1):
            for o in (0, 1):
                sel = ll == o
                np.add.at(conf[:, t, o], ww[sel], post[ii[sel], t])
        conf /= conf.sum(axis=2, keepdims=True)
        log_post = np.tile(np.log(np.maximum(prior, 1e-12)), (n_items, 1))
        for t in (0, 1):
            np.add.at(log_post[:, t], ii, np.log(conf[ww, t, ll]))
        log_post -= log_post.max(axis=1, keepdims=True)
        post = np.exp(log_post)
        p1 = post[:, 1] / post.sum(axis=1)
    return dict(zip(items, p1.tolist()))

