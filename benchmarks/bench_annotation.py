"""Benchmark annotation rounds against a local Label Studio: export a round of N tasks (the size
of OV-AVEBench by default) in batches, post one answer per task (8 threads, with the
annotator's own session), import the round back. Prints one JSON line with tasks per second each way.
Not part of CI (it starts its own server and takes minutes at full size).

    python benchmarks/bench_annotation.py --tasks 24800
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ovavel.annotation.config import result_for
from ovavel.annotation.ls_client import LabelStudioClient
from ovavel.annotation.rounds import ExportOptions, export_round, import_round
from ovavel.annotation.scripted import ensure_accounts
from ovavel.annotation.server import start_server, stop_server, token_path
from ovavel.annotation.state import AnnotationState
from ovavel.catalog import load_catalog
from ovavel.curation.synthetic import make_test_video
from ovavel.layout import DataDir
from ovavel.tables import write_csv


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=24800)
    ap.add_argument("--threads", type=int, default=8)
    args = ap.parse_args()
    names = load_catalog().names
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data = DataDir.at(root)
        write_csv(data.clips_csv, [{"clip_id": f"clip{i:07d}", "class": names[i % len(names)], "status": "ok",
                                    "usable": "1"} for i in range(args.tasks)], ["clip_id", "class", "status", "usable"])
        # The export checks that a clip of each project plays: one real video, linked under every name.
        data.clips_dir.mkdir()
        make_test_video(data.clip("clip0000000"), duration=10.0, size=(160, 120))
        for i in range(1, args.tasks):
            os.link(data.clip("clip0000000"), data.clip(f"clip{i:07d}"))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        t0 = time.perf_counter()
        state = start_server(root, port=port, timeout=600, echo=lambda *_: None)
        t_start = time.perf_counter() - t0
        try:
            client = LabelStudioClient(state.url, token_path(data.annotation_dir).read_text().strip())
            users = ensure_accounts(client, ["bench@ovavel.test"])
            t0 = time.perf_counter()
            export_round(data, "1", ExportOptions(annotators=["bench@ovavel.test"]), client, echo=lambda *_: None)
            t_export = time.perf_counter() - t0
            project = AnnotationState(root).round("1").batches["bench@ovavel.test"].project_id
            task_ids = [t.id for t in client.sdk.tasks.list(project=project, fields="all", page_size=1000)]
            t0 = time.perf_counter()
            person = users["bench@ovavel.test"]  # the annotator's own session, as their page posts
            with ThreadPoolExecutor(args.threads) as pool:
                list(pool.map(lambda tid: person.post_answer(tid, result_for("0011110000")), task_ids))
            t_post = time.perf_counter() - t0
            t0 = time.perf_counter()
            summary = import_round(data, "1", client)
            t_import = time.perf_counter() - t0
            assert summary.rows == args.tasks, summary
        finally:
            stop_server(root)
    print(json.dumps({"benchmark": "annotation rounds", "tasks": args.tasks, "server_start_s": round(t_start, 1),
                      "export_tasks_per_s": round(args.tasks / t_export, 1),
                      "post_answers_per_s": round(args.tasks / t_post, 1), "post_threads": args.threads,
                      "import_tasks_per_s": round(args.tasks / t_import, 1)}))


if __name__ == "__main__":
    main()
