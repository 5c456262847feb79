"""Benchmark the start of a rerun of `curate download` over a data folder whose clips are all
finished: a real `curate download` process (`python -m ovavel`) over N finished clips and one
new one, timed from its start to its first request for the new clip, against the floor of one
`os.stat` per clip, measured in the same run. The clips are small files with real ledger entries
(size, modification time, sha256), as a download leaves them. Prints one JSON line.

    python benchmarks/bench_resume.py --clips 63526
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ovavel.curation.ledger import LedgerEntry
from ovavel.testing.synthetic_media import make_test_video
from ovavel.curation.vggsound_index import IndexRow, write_index
from ovavel.testing.media_server import MediaServer

CLASS = "dog barking"


def index_row(youtube_id: str) -> IndexRow:
    return IndexRow(f"{youtube_id}_000000", youtube_id, 0, CLASS, CLASS, "animal", "train")


def finished_folder(root: Path, clips: int) -> list[IndexRow]:
    """DIR/clips/ with `clips` finished clips (256-byte files) and their ledger entries."""
    data = root / "data"
    (data / "clips").mkdir(parents=True)
    rows = [index_row(f"v{i:010d}") for i in range(clips)]
    with open(data / "ledger.jsonl", "w", encoding="utf-8") as ledger:
        for i, r in enumerate(rows):
            path = data / "clips" / f"{r.clip_id}.mp4"
            body = i.to_bytes(8, "little") * 32
            path.write_bytes(body)
            entry = LedgerEntry(r.clip_id, "ok", size=len(body), mtime_ns=path.stat().st_mtime_ns,
                                sha256=hashlib.sha256(body).hexdigest(), duration=10.0, source="section",
                                youtube_id=r.youtube_id, start_s=0, cls=CLASS)
            ledger.write(json.dumps(entry.as_record()) + "\n")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=63526)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rows = finished_folder(root, args.clips)
        new = index_row("zzzzzzzzzzz")
        write_index(root / "index.csv", rows + [new])
        (root / "classes.txt").write_text(CLASS + "\n")
        media = root / "media"
        media.mkdir()
        make_test_video(media / f"{new.youtube_id}.mp4", duration=12.0, size=(160, 120))
        t0 = time.perf_counter()
        for r in rows:
            os.stat(root / "data" / "clips" / f"{r.clip_id}.mp4")
        floor = time.perf_counter() - t0
        with MediaServer(media) as srv:
            cmd = [sys.executable, "-m", "ovavel", "curate", "download", "--index", str(root / "index.csv"),
                   "--classes", str(root / "classes.txt"), "--out", str(root / "data"), "--url-template",
                   srv.url_template(), "--workers", "1", "--no-progress"]
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            while not srv.requests and proc.poll() is None:
                time.sleep(0.002)
            first = time.perf_counter() - t0
            output = proc.communicate()[0]
        if proc.returncode != 0 or not srv.requests:
            raise SystemExit(f"curate download failed ({proc.returncode}):\n{output[-2000:]}")
        if "ok (kept)" not in output:
            raise SystemExit(f"the finished clips were not kept:\n{output[-2000:]}")
    print(json.dumps({"benchmark": "resume start-up", "clips": args.clips, "seconds": round(first, 2),
                      "floor_seconds": round(floor, 3), "ratio_to_floor": round(first / floor, 1)}))


if __name__ == "__main__":
    main()
