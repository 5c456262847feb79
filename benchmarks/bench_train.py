"""Benchmark the fine-tuning of every trainable method: epochs on features the size of the official
training set (13,182 clips x 10 seconds, D = 1024, random), seconds per epoch per method, and
each as a ratio to `fine-tuned` measured in the same run. Prints one JSON line.

    python benchmarks/bench_train.py --device cpu --epochs 1
    python benchmarks/bench_train.py --device cuda --precision bf16 --epochs 2
    python benchmarks/bench_train.py --methods fine-tuned,psp --clips 2000 --epochs 1
    python benchmarks/bench_train.py --variant source --methods fine-tuned,cmra --epochs 1
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time

import numpy as np

from ovavel.catalog import load_catalog
from ovavel.formats import Label, SplitRow
from ovavel.feature_store import Features
from ovavel.models.head import HeadConfig
from ovavel.models.methods import get_method, load_methods
from ovavel.models.train import TrainSettings, train


def main() -> None:
    trainable = [m.name for m in load_methods().values() if m.trainable]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=13182)
    ap.add_argument("--val-clips", type=int, default=1651)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--dim", type=int, default=1024)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    ap.add_argument("--methods", default=",".join(["fine-tuned"] + sorted(set(trainable) - {"fine-tuned"})))
    ap.add_argument("--variant", choices=["released", "source"], default="released",
                    help="The comparison heads' variant (released: the authors' compiled modules).")
    args = ap.parse_args()
    cat = load_catalog()
    seen = cat.by_split("seen")
    rng = np.random.default_rng(0)
    n = args.clips + args.val_clips
    ids = [f"bench{i:06d}" for i in range(n)]  # clip ids of the YouTube form (ovavel.names)
    labels = {c: Label(seen[i % len(seen)], "".join(rng.choice(["0", "1"], 10))) for i, c in enumerate(ids)}
    texts = cat.names + ["other", "background"]
    feats = Features(ids, rng.normal(size=(n, 10, args.dim)).astype(np.float32),
                     rng.normal(size=(n, 10, args.dim)).astype(np.float32), texts,
                     rng.normal(size=(len(texts), args.dim)).astype(np.float32), {"random_init": True})
    rows = [SplitRow(c, labels[c].cls, "seen") for c in ids]
    figures = {}
    for name in args.methods.split(","):
        method = get_method(name)
        settings = TrainSettings(epochs=args.epochs, device=args.device, precision=args.precision, method=name,
                                 head=HeadConfig(**{**method.head, "variant": args.variant}))
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            result = train(feats, rows[:args.clips], rows[args.clips:], labels, cat, tmp, settings, progress=False,
                           echo=lambda *_: None)
            total = time.perf_counter() - t0
        # Epoch seconds include scoring the selection clips, as a real run's do.
        figures[name] = {"parameters": result["parameters"],
                         "seconds_per_epoch": round(float(np.mean([e["seconds"] for e in result["log"]])), 2),
                         "total_s": round(total, 1)}
    base = figures.get("fine-tuned", next(iter(figures.values())))["seconds_per_epoch"]
    print(json.dumps({"benchmark": "baseline train", "clips": args.clips, "dim": args.dim, "epochs": args.epochs,
                      "variant": args.variant,
                      "device": args.device, "precision": args.precision, "methods": figures,
                      "epoch_time_ratio_to_fine_tuned": {k: round(v["seconds_per_epoch"] / base, 2)
                                                         for k, v in figures.items()}}))


if __name__ == "__main__":
    main()
