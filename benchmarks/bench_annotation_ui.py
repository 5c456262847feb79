"""Benchmark the two labelling views as a person uses them: a headless Chromium logs in as an
annotator and labels the same clips in the `seconds` view (keys 0-9) and in the `timeline` view
(a span dragged per event), submitting each with Ctrl+Enter. Prints one JSON line: per clip, the
key presses (and drags) and the seconds of scripted browser time in each view, and the ratio
seconds/timeline. Scripted time is a floor for a person's: it leaves out watching and listening.
Starts its own Label Studio (about a minute the first time).

    python benchmarks/bench_annotation_ui.py --clips 6
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import socket
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from ovavel.testing.browser_annotator import AnnotatorPage
from ovavel.annotation.config import label_runs, labeling_config
from ovavel.annotation.ls_client import LabelStudioClient
from ovavel.annotation.rounds import project_description
from ovavel.annotation.server import media_root, start_server, stop_server, token_path
from ovavel.annotation.users import add_users
from ovavel.testing.synthetic_media import make_test_video

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ANNOTATOR = "bench@lab.test"


def label_clips(browser, url: str, password: str, project: int, tasks: list[tuple[int, str]], ui: str) -> dict:
    page = AnnotatorPage(browser, url, width=1280, height=800)  # a laptop's window, both views
    page.login(ANNOTATOR, password)
    seconds = 0.0
    for task_id, labels in tasks:
        page.open_task(project, task_id)  # loading is the server's time, not the person's
        t0 = time.perf_counter()
        if ui == "seconds":
            page.press_seconds([k for k, bit in enumerate(labels) if bit == "1"])
        else:
            for a, b in label_runs(labels):
                page.drag_span(a + 0.05, b - 0.05)
        page.submit()
        seconds += time.perf_counter() - t0
    keys = page.keys
    page.close()
    return {"keys_per_clip": round(keys / len(tasks), 2), "seconds_per_clip": round(seconds / len(tasks), 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=6)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    # Planted answers shaped like real ones: one event of 2-8 seconds somewhere in the clip.
    truth = []
    for _ in range(args.clips):
        length = rng.randint(2, 8)
        start = rng.randint(0, 10 - length)
        truth.append("0" * start + "1" * length + "0" * (10 - start - length))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "clips").mkdir()
        make_test_video(root / "clips" / "c0.mp4", duration=10.0, size=(320, 240))
        for i in range(1, args.clips):
            shutil.copy(root / "clips" / "c0.mp4", root / "clips" / f"c{i}.mp4")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        state = start_server(root, port=port, timeout=600, echo=lambda *_: None)
        try:
            client = LabelStudioClient(state.url, token_path(root / "annotation").read_text().strip())
            password = add_users(root, [ANNOTATOR])[0].password
            result = {"benchmark": "annotation views in a browser", "clips": args.clips}
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
                for ui in ("seconds", "timeline"):
                    project = client.create_project(f"bench {ui}", labeling_config(ui=ui),
                                                    project_description("1", ANNOTATOR))  # the guard lets them in
                    client.ensure_local_storage(project, str(media_root(root) / "clips"))
                    client.import_tasks(project, [{"data": {"video": f"/data/local-files/?d=clips/c{i}.mp4",
                                                            "clip_id": f"c{i}", "class": "dog barking",
                                                            "position": f"{i + 1} of {args.clips}"}}
                                                  for i in range(args.clips)])
                    ids = {t.data["clip_id"]: t.id for t in client.sdk.tasks.list(project=project, fields="all")}
                    result[ui] = label_clips(browser, state.url, password, project,
                                             [(ids[f"c{i}"], truth[i]) for i in range(args.clips)], ui)
                browser.close()
        finally:
            stop_server(root)
    result["seconds_over_timeline_time"] = round(result["seconds"]["seconds_per_clip"]
                                                 / result["timeline"]["seconds_per_clip"], 3)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
