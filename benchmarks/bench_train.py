"""Benchmark the fine-tuning: 5 epochs on features the size of the official training set
(13,182 clips x 10 seconds, D = 1024, random), seconds per epoch. Prints one JSON line.

    python benchmarks/bench_train.py --device cpu
    python benchmarks/bench_train.py --device cuda --precision bf16
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time

import numpy as np

from ovavel.catalog import load_catalog
from ovavel.formats import Label, SplitRow
from ovavel.models.feature_store import Features
from ovavel.models.train import TrainSettings, train


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=13182)
    ap.add_argument("--val-clips", type=int, default=1651)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--dim", type=int, default=1024)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    args = ap.parse_args()
    cat = load_catalog()
    seen = cat.by_split("seen")
    rng = np.random.default_rng(0)
    n = args.clips + args.val_clips
    ids = [f"c{i:06d}" for i in range(n)]
    labels = {c: Label(seen[i % len(seen)], "".join(rng.choice(["0", "1"], 10))) for i, c in enumerate(ids)}
    texts = cat.names + ["other", "background"]
    feats = Features(ids, rng.normal(size=(n, 10, args.dim)).astype(np.float32),
                     rng.normal(size=(n, 10, args.dim)).astype(np.float32), texts,
                     rng.normal(size=(len(texts), args.dim)).astype(np.float32), {"random_init": True})
    rows = [SplitRow(c, labels[c].cls, "seen") for c in ids]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        result = train(feats, rows[:args.clips], rows[args.clips:], labels, cat, tmp,
                       TrainSettings(epochs=args.epochs, device=args.device, precision=args.precision), progress=False, echo=lambda *_: None)
        total = time.perf_counter() - t0
    per_epoch = [e["seconds"] for e in result["log"]]
    print(json.dumps({"benchmark": "baseline train", "clips": args.clips, "dim": args.dim, "epochs": args.epochs,
                      "device": args.device, "precision": args.precision, "parameters": result["parameters"],
                      "seconds_per_epoch": round(float(np.mean(per_epoch)), 2), "total_s": round(total, 1)}))


if __name__ == "__main__":
    main()
