"""How often bf16 autocast changes a decision against fp32 (the released code's precision): the
same ImageBind (tiny on CPU here; --huge on a GPU, random weights unless --checkpoint) encodes the
same segments twice, and the benchmark counts the segments whose audio argmax, visual argmax or
training-free decision (over the 67 names + "other") differ, plus the largest embedding change
and the time of each pass. Prints one JSON line.

    python benchmarks/bench_precision.py --clips 16
    python benchmarks/bench_precision.py --clips 64 --huge --device cuda --checkpoint imagebind_huge.pth
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

from ovavel.catalog import load_catalog
from ovavel.models.encoders import FeatureOptions, build_encoder
from ovavel.models.features import candidate_texts
from ovavel.models.training_free import cosine, decide


def encode(opts: FeatureOptions, audio: torch.Tensor, images: torch.Tensor, texts: list[str], batch: int):
    encoder = build_encoder(opts)
    t_emb = encoder.texts(texts)["joint"]
    if encoder.device == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    outs = [encoder.segments(audio[i:i + batch], images[i:i + batch]) for i in range(0, len(audio), batch)]
    if encoder.device == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    return np.concatenate([a for a, _ in outs]), np.concatenate([v for _, v in outs]), t_emb, seconds, encoder.device


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=16)
    ap.add_argument("--huge", action="store_true")
    ap.add_argument("--checkpoint")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--batch-size", type=int, default=4)
    args = ap.parse_args()
    gen = torch.Generator().manual_seed(0)
    # Inputs shaped as the official preprocessing makes them (normalised fbank, CLIP-normalised images).
    audio = torch.randn(args.clips, 10, 1, 128, 204, generator=gen)
    images = torch.randn(args.clips, 10, 3, 224, 224, generator=gen)
    catalog = load_catalog()
    texts = candidate_texts(catalog)[:len(catalog.names) + 1]  # the 67 names + "other"
    encoder = "imagebind-huge" if args.huge else "imagebind-tiny"
    random_init = args.checkpoint is None
    runs = {}
    for precision in ("fp32", "bf16"):
        opts = FeatureOptions(encoder, args.checkpoint, random_init, args.device, precision=precision)
        runs[precision] = encode(opts, audio, images, texts, args.batch_size)
    (a32, v32, _, s32, device), (a16, v16, _, s16, _) = runs["fp32"], runs["bf16"]
    n = len(catalog.names)
    sims = {p: (cosine(r[0], r[2]), cosine(r[1], r[2])) for p, r in runs.items()}
    dec = {p: decide(sa, sv, n, "paper") for p, (sa, sv) in sims.items()}
    segments = 10 * args.clips
    print(json.dumps({
        "benchmark": "fp32 vs bf16 features", "encoder": encoder, "random_weights": random_init, "device": device,
        "segments": segments,
        "audio_argmax_changed": round(float((sims["fp32"][0].argmax(-1) != sims["bf16"][0].argmax(-1)).mean()), 4),
        "visual_argmax_changed": round(float((sims["fp32"][1].argmax(-1) != sims["bf16"][1].argmax(-1)).mean()), 4),
        "decision_changed": round(float((dec["fp32"] != dec["bf16"]).mean()), 4),
        "max_abs_embedding_change": round(float(max(np.abs(a32 - a16).max(), np.abs(v32 - v16).max())), 4),
        "fp32_s": round(s32, 3), "bf16_s": round(s16, 3), "bf16_speedup": round(s32 / s16, 2)}))


if __name__ == "__main__":
    main()
