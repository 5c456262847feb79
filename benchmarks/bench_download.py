"""Benchmark `curate download` against the loopback media server with a delay injected per
request (standing in for network latency), with 1 worker and with N. Prints one JSON line.

    python benchmarks/bench_download.py --clips 8 --workers 4 --delay 0.2
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from ovavel.curation.download import DownloadOptions, download_clips
from ovavel.testing.synthetic_media import make_test_video
from ovavel.curation.vggsound_index import IndexRow, write_index
from ovavel.layout import DataDir
from ovavel.testing.media_server import MediaServer


def run(rows, root: Path, srv: MediaServer, workers: int) -> float:
    data = DataDir.at(root)
    data.root.mkdir(parents=True)
    write_index(data.index, rows)
    summary = download_clips(rows, data, DownloadOptions(url_template=srv.url_template(), workers=workers),
                             progress=False)
    assert summary.counts == {"ok": len(rows)}, summary.counts
    return summary.elapsed_s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=8)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--delay", type=float, default=0.2, help="seconds added to every HTTP request")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        media = root / "media"
        media.mkdir()
        make_test_video(media / "benchVideo1.mp4", duration=10 + 2 * args.clips, size=(640, 360), gop=50)
        rows = [IndexRow(f"benchVideo1_{2 * i:06d}", "benchVideo1", 2 * i, "dog barking", "dog barking",
                         "animal", "train") for i in range(args.clips)]
        with MediaServer(media, delay_s=args.delay) as srv:
            t1 = run(rows, root / "one", srv, 1)
            tn = run(rows, root / "many", srv, args.workers)
    print(json.dumps({
        "benchmark": "curate download", "clips": args.clips, "delay_s": args.delay,
        "clips_per_s_1_worker": round(args.clips / t1, 2),
        f"clips_per_s_{args.workers}_workers": round(args.clips / tn, 2),
        "speedup": round(t1 / tn, 2),
    }))


if __name__ == "__main__":
    main()
