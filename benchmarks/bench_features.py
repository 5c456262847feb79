"""Benchmark feature extraction per encoder: segments per second, split into decode and encode
time, each encoder over the same clips in one run (ratios to the first encoder). CPU default:
the tiny test versions of every registered family; on a GPU, the full-sized architectures (random
weights are fine for timing) with batch size and dtype. `null` (first by default) is everything
but the model: ImageBind's decoding and preprocessing of every segment (ten JPEG frames to 224 px
tensors, the wav to its fbank), on one core, reported as segments/s per core: what each core of a
GPU node must reach to keep the model fed. Prints one JSON line.

    python benchmarks/bench_features.py --clips 16
    python benchmarks/bench_features.py --clips 256 --encoders imagebind-huge,clip-clap --device cuda \\
        --batch-size 16 --num-workers 8
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from ovavel.catalog import load_catalog
from ovavel.curation.normalise import NormaliseOptions, normalise_clip
from ovavel.curation.segments import extract_segments
from ovavel.testing.synthetic_media import make_test_video
from ovavel.models.encoders import FeatureOptions
from ovavel.models.features import extract_features
from ovavel.models.sources import ClipInput


def null_encoder(clips: list) -> dict:
    """Decode and preprocess every clip as the extraction's DataLoader workers do, in this process
    (one core), with no model: ImageBind's inputs (imagebind_inputs)."""
    import torch

    from ovavel.models.features import ClipDataset

    torch.set_num_threads(1)
    dataset = ClipDataset(clips)
    dataset[0]  # warm up (imports, the fbank's mel banks), as a worker has by its second clip
    t0 = time.perf_counter()
    for i in range(len(dataset)):
        _, audio, images, why = dataset[i]
        assert not why, why
    seconds = time.perf_counter() - t0
    rate = 10 * len(clips) / seconds
    return {"device": "cpu", "cores": 1, "segments_per_s": round(rate, 1), "segments_per_s_per_core": round(rate, 1),
            "decode_s": round(seconds, 2), "encode_s": 0.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=16)
    ap.add_argument("--encoders", default="null,imagebind-tiny,clip-clap-tiny",
                    help="Comma-separated registered names, and null (decode + preprocessing only, one core).")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--num-workers", type=int, default=2)
    ap.add_argument("--precision", default="fp32", choices=["fp32", "bf16"])
    args = ap.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_test_video(root / "src.mp4", duration=20, size=(640, 360))
        normalise_clip(root / "src.mp4", root / "clip.mp4", 3.0, NormaliseOptions())
        extract_segments(root / "clip.mp4", root / "seg")
        seg = root / "seg"
        clips = [ClipInput(f"clip{i:07d}", seg / "audio.wav", tuple(seg / f"frame_{k}.jpg" for k in range(10)))
                 for i in range(args.clips)]
        for name in args.encoders.split(","):
            if name == "null":
                results[name] = null_encoder(clips)
                continue
            opts = FeatureOptions(name, None, True, args.device, args.batch_size, args.num_workers,
                                  precision=args.precision)
            t0 = time.perf_counter()
            s = extract_features(clips, root / f"feats-{name}", load_catalog(), opts, progress=False)
            total = time.perf_counter() - t0
            loop = s.decode_s + s.encode_s
            results[name] = {"device": s.device, "dtype": s.dtype, "segments_per_s": round(10 * args.clips / loop, 1),
                             "decode_s": round(s.decode_s, 2), "encode_s": round(s.encode_s, 2),
                             "waited_for_data": round(s.decode_s / loop, 3),
                             "total_s_with_model_and_texts": round(total, 2)}
    first = next(v for k, v in results.items() if k != "null")["segments_per_s"] if len(results) > 1 or \
        "null" not in results else results["null"]["segments_per_s"]
    print(json.dumps({"benchmark": "baseline features", "clips": args.clips, "batch_size": args.batch_size,
                      "num_workers": args.num_workers, "encoders": results,
                      "speed_ratio_to_first": {k: round(v["segments_per_s"] / first, 3) for k, v in results.items()}}))


if __name__ == "__main__":
    main()
