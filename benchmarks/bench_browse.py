"""Benchmark the results browser: site generation for 5,820 clips (the size of the official test
split) with three methods, thumbnails and hard-linked media, and the page's time to first render
in headless Chromium (the overview and the clip list) as a ratio to an empty page loaded in the
same run. Prints one JSON line.

    python benchmarks/bench_browse.py
    python benchmarks/bench_browse.py --clips 1000 --no-browser
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from ovavel.browse.site import build_site
from ovavel.catalog import load_catalog
from ovavel.curation.normalise import NormaliseOptions, normalise_clip
from ovavel.curation.segments import extract_segments
from ovavel.testing.synthetic_media import make_test_video
from ovavel.formats import Label, write_labels
from ovavel.layout import DataDir
from ovavel.tables import write_csv


def make_inputs(root: Path, clips: int, methods: int) -> tuple[DataDir, Path, list[Path]]:
    rng = np.random.default_rng(0)
    cat = load_catalog()
    data = DataDir.at(root / "data")
    data.clips_dir.mkdir(parents=True)
    make_test_video(root / "src.mp4", duration=12, size=(640, 360))
    normalise_clip(root / "src.mp4", root / "clip.mp4", 1.0, NormaliseOptions())
    extract_segments(root / "clip.mp4", root / "seg")
    ids = [f"v{i:010d}_000000" for i in range(clips)]
    labels = {}
    for i, cid in enumerate(ids):
        seg = data.segments(cid)
        seg.mkdir(parents=True)
        for f in (root / "seg").iterdir():
            os.link(f, seg / f.name)
        os.link(root / "clip.mp4", data.clip(cid))
        s = int(rng.integers(0, 8))
        labels[cid] = Label(cat.names[i % len(cat.names)], "".join("1" if s <= k < s + 3 else "0" for k in range(10)))
    write_labels(root / "labels.csv", labels)
    results = []
    for m in range(methods):
        path = root / "results" / f"method_{m}"
        path.mkdir(parents=True)
        rows = []
        for cid, lab in labels.items():
            pick = rng.random(10)
            segs = [lab.cls if (b == "1") == (p > 0.2) else "background" for b, p in zip(lab.labels, pick)]
            rows.append({"clip_id": cid, **{f"seg_{k}": segs[k] for k in range(10)}})
        write_csv(path / "predictions.csv", rows, ["clip_id"] + [f"seg_{k}" for k in range(10)])
        results.append(path)
    return data, root / "labels.csv", results


def first_render(site: Path, empty: Path, repeats: int) -> dict:
    from playwright.sync_api import sync_playwright

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    out = {"empty_s": [], "overview_s": [], "clip_list_s": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--headless", "--no-sandbox", "--disable-gpu"])
        for _ in range(repeats):
            for key, url, selector in (("empty_s", empty.as_uri(), "#ready"),
                                       ("overview_s", (site / "index.html").as_uri(), "#metrics"),
                                       ("clip_list_s", (site / "index.html").as_uri() + "#/clips", "#list .row")):
                page = browser.new_page()
                t0 = time.perf_counter()
                page.goto(url)
                page.wait_for_selector(selector)
                out[key].append(time.perf_counter() - t0)
                page.close()
        browser.close()
    med = {k: statistics.median(v) for k, v in out.items()}
    return {**{k: round(v, 3) for k, v in med.items()},
            "overview_ratio_to_empty": round(med["overview_s"] / med["empty_s"], 1),
            "clip_list_ratio_to_empty": round(med["clip_list_s"] / med["empty_s"], 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=5820)
    ap.add_argument("--methods", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data, labels, results = make_inputs(root, args.clips, args.methods)
        t0 = time.perf_counter()
        s = build_site(data.root, labels, results, root / "site", load_catalog(), progress=False)
        build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        build_site(data.root, labels, results, root / "site", load_catalog(), progress=False)  # media in place
        rebuild_s = time.perf_counter() - t0
        figures = {"benchmark": "ovavel browse", "clips": s.clips, "methods": len(s.methods),
                   "build_s": round(build_s, 2), "rebuild_s": round(rebuild_s, 2),
                   "clips_per_s": round(s.clips / build_s, 1),
                   "data_js_mb": round((root / "site" / "data.js").stat().st_size / 1e6, 2)}
        if not args.no_browser:
            empty = root / "empty.html"
            empty.write_text("<!doctype html><html><body><p id='ready'>empty</p></body></html>")
            figures.update(first_render(root / "site", empty, args.repeats))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
