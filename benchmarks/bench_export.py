"""Benchmark `splits export-hf --media segments`: clips per second written into WebDataset shards
(with the parquet tables, card and checksums), against a plain copy of the same segment files
measured in the same run (the ratio; best of --repeats alternating runs each, as the disk cache
and other work on the machine make single runs noisy). Prints one JSON line.

    python benchmarks/bench_export.py --clips 500
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from ovavel.catalog import load_catalog
from ovavel.curation.normalise import NormaliseOptions, normalise_clip
from ovavel.curation.segments import extract_segments
from ovavel.testing.synthetic_media import make_test_video
from ovavel.formats import Label, SplitRow, write_labels, write_split
from ovavel.layout import DataDir
from ovavel.splits.hf_export import export_hf


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=500)
    ap.add_argument("--shard-size", type=int, default=10 ** 9)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    cat = load_catalog()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_test_video(root / "src.mp4", duration=12, size=(640, 360))
        normalise_clip(root / "src.mp4", root / "clip.mp4", 1.0, NormaliseOptions())
        extract_segments(root / "clip.mp4", root / "seg")
        data = DataDir.at(root / "data")
        labels, rows = {}, []
        for i in range(args.clips):
            cid = f"v{i:010d}_000000"
            seg = data.segments(cid)
            seg.mkdir(parents=True)
            for f in (root / "seg").iterdir():
                shutil.copyfile(f, seg / f.name)  # real files (not links): both paths read every byte
            c = cat.get(cat.names[i % len(cat.names)])
            s = int(rng.integers(0, 8))
            labels[cid] = Label(c.name, "".join("1" if s <= k < s + 3 else "0" for k in range(10)))
            rows.append(SplitRow(cid, c.name, c.split))
        splits = root / "splits"
        splits.mkdir()
        write_split(splits / "test.csv", rows)
        write_labels(splits / "labels.csv", labels)
        copies, exports = [], []
        for rep in range(args.repeats):  # alternate, keep the best of each: the disk cache and neighbours are noisy
            os.sync()
            t0 = time.perf_counter()
            shutil.copytree(data.segments_dir, root / f"plain-copy-{rep}")
            copies.append(time.perf_counter() - t0)
            os.sync()
            t0 = time.perf_counter()
            s = export_hf(splits, root / f"release-{rep}", data.root, media="segments", shard_size=args.shard_size,
                          progress=False)
            exports.append(time.perf_counter() - t0)
            size = sum(p.stat().st_size for p in (root / f"release-{rep}" / "segments").glob("*.tar"))
            shutil.rmtree(root / f"plain-copy-{rep}")
            shutil.rmtree(root / f"release-{rep}")
        copy_s, export_s = min(copies), min(exports)
    print(json.dumps({"benchmark": "splits export-hf --media segments", "clips": args.clips,
                      "shards": s.shards.get("segments", 0), "shard_mb": round(size / 1e6, 1),
                      "export_s": round(export_s, 2), "export_clips_per_s": round(args.clips / export_s, 1),
                      "plain_copy_s": round(copy_s, 2), "plain_copy_clips_per_s": round(args.clips / copy_s, 1),
                      "export_time_ratio_to_copy": round(export_s / copy_s, 2)}))


if __name__ == "__main__":
    main()
