"""Benchmark `curate segments`: clips per second, against the decode floor and the naive way.

decode floor: one `ffmpeg -i clip -f null -` per clip (decoding alone, the least any extractor pays);
naive: one ffmpeg call per frame (input seek to k + 0.5 s) plus one for the audio.
All three run over the same clips with the same number of parallel workers. Prints one JSON line.

    python benchmarks/bench_segments.py --clips 16 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ovavel.curation.ffmpeg_tools import run_args, safe_path
from ovavel.curation.normalise import NormaliseOptions, normalise_clip
from ovavel.curation.segments import SegmentOptions, extract_segments
from ovavel.testing.synthetic_media import make_test_video


def make_clips(root: Path, n: int, size: tuple[int, int]) -> list[Path]:
    src = root / "source.mp4"
    make_test_video(src, duration=10 + n, size=size)
    clips = []
    for i in range(n):  # distinct normalised clips, as `curate download` leaves them
        clip = root / f"clip{i:03d}.mp4"
        normalise_clip(src, clip, offset=float(i), opts=NormaliseOptions())
        clips.append(clip)
    return clips


def decode_floor(clip: Path, out: Path) -> None:
    run_args(["ffmpeg", "-nostdin", "-v", "error", "-threads", "1", "-i", safe_path(clip), "-f", "null", "-"])


def naive(clip: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for k in range(10):
        run_args(["ffmpeg", "-nostdin", "-v", "error", "-y", "-threads", "1", "-ss", f"{k + 0.5}", "-i", safe_path(clip),
                  "-frames:v", "1", "-q:v", "2", safe_path(out / f"frame_{k}.jpg")])
    run_args(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", safe_path(clip), "-af", "pan=mono|c0=c0",
              "-ar", "16000", "-t", "10", safe_path(out / "audio.wav")])


def ours(clip: Path, out: Path) -> None:
    # As `curate segments` runs it: the frame rate comes from clips.csv (recorded at download).
    extract_segments(clip, out, SegmentOptions(threads=1), frame_rate="25/1")


def timed(fn, clips: list[Path], root: Path, workers: int) -> float:
    t0 = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda c: fn(c, root / fn.__name__ / c.stem), clips))
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=16)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--height", type=int, default=360)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        clips = make_clips(root, args.clips, (args.width, args.height))
        timed(decode_floor, clips[:2], root / "warm", args.workers)  # warm the page cache
        t_floor = timed(decode_floor, clips, root, args.workers)
        t_ours = timed(ours, clips, root, args.workers)
        t_naive = timed(naive, clips, root, args.workers)
    print(json.dumps({
        "benchmark": "curate segments", "clips": args.clips, "workers": args.workers,
        "size": f"{args.width}x{args.height}", "clips_per_s": round(args.clips / t_ours, 2),
        "decode_floor_clips_per_s": round(args.clips / t_floor, 2),
        "naive_clips_per_s": round(args.clips / t_naive, 2),
        "ratio_to_decode_floor": round(t_ours / t_floor, 3),
        "speedup_over_naive": round(t_naive / t_ours, 2),
    }))


if __name__ == "__main__":
    main()
