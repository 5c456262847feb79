"""Benchmark the metrics: score the official test-set size (5,820 videos, 67 classes, random
predictions) with the vectorised core and with a plain per-video Python loop. Prints one JSON line.

    python benchmarks/bench_metrics.py --videos 5820
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from ovavel.metrics.core import event_counts, video_scores
from ovavel.metrics.reference import dataset_figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--videos", type=int, default=5820)
    ap.add_argument("--classes", type=int, default=67)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    n, c = args.videos, args.classes
    cls = rng.integers(0, c, n)
    true = np.where(rng.random((n, 10)) < 0.6, cls[:, None], c)
    # Random predictions that are right about 60% of the time, otherwise any class or background.
    pred = np.where(rng.random((n, 10)) < 0.6, true, rng.integers(0, c + 1, (n, 10)))
    event_counts.cache_clear()
    t0 = time.perf_counter()
    s = video_scores(pred, true, c)
    ours = (s.acc.mean(), s.seg_f1.mean(), s.event_f1.mean())
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = dataset_figures(pred.tolist(), true.tolist(), c + 1)
    t_loop = time.perf_counter() - t0
    assert np.allclose(ours, ref, atol=1e-12), (ours, ref)
    print(json.dumps({"benchmark": "metrics", "videos": n, "classes": c, "seconds": round(t_ours, 4),
                      "loop_seconds": round(t_loop, 3), "speedup_over_loop": round(t_loop / t_ours, 1)}))


if __name__ == "__main__":
    main()
