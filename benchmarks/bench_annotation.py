"""Benchmark a Label Studio round at the size of OV-AVEBench against the real server: export a
round of N tasks over A annotators' projects (pre-filled with a model's predictions, as
`annotate export --predictions` does), give every task an answer, import the round back. Prints
one JSON line: seconds and tasks/s each way, the server's peak memory and the SQLite size.

Answers: `--posted` of them are submitted one by one with the annotator's own session (8 threads;
the rate is reported), the rest in bulk by Label Studio's own "predictions to annotations" action
run by the lead. The import's trust rule rejects the lead's bulk answers (they are not the
annotator's), which costs it the same reading and checking as accepting them; the line says how
many rows were imported and rejected. Not part of CI (it starts its own server; minutes at full
size).

    python benchmarks/bench_annotation.py --tasks 24800 --annotators 8
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ovavel import BACKGROUND
from ovavel.annotation.config import result_for
from ovavel.annotation.ls_client import LabelStudioClient
from ovavel.annotation.rounds import ExportOptions, export_round, import_round
from ovavel.testing.scripted_annotators import ensure_accounts
from ovavel.annotation.server import server_dir, start_server, stop_server, token_path
from ovavel.annotation.state import AnnotationState
from ovavel.catalog import load_catalog
from ovavel.testing.synthetic_media import make_test_video
from ovavel.errors import OvavelError
from ovavel.formats import PREDICTION_COLUMNS
from ovavel.layout import DataDir
from ovavel.tables import write_csv


class PeakMemory:
    """The largest resident set of a process and its children, sampled every 0.2 s."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _rss(self) -> int:
        total = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = open(f"/proc/{entry}/stat").read().split()
                if int(entry) == self.pid or int(stat[4]) == self.pid:  # the server or its session's children
                    total += int(stat[23]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, IndexError, ValueError):
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(0.2)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def post(session, task_id: int, tries: int = 5) -> int:
    """Submit one answer; SQLite answers 500 ("database is locked") under concurrent writers: retry."""
    for k in range(tries):
        try:
            return session.post_answer(task_id, result_for("0011110000"))
        except OvavelError:
            if k == tries - 1:
                raise
            time.sleep(0.5 * (k + 1))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=24800)
    ap.add_argument("--annotators", type=int, default=8)
    ap.add_argument("--posted", type=int, default=400, help="answers submitted one by one (the rest in bulk)")
    ap.add_argument("--threads", type=int, default=8)
    args = ap.parse_args()
    names = load_catalog().names
    people = [f"bench{k}@ovavel.test" for k in range(args.annotators)]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data = DataDir.at(root)
        clips = [f"clip{i:07d}" for i in range(args.tasks)]
        write_csv(data.clips_csv, [{"clip_id": c, "class": names[i % len(names)], "status": "ok", "usable": "1"}
                                   for i, c in enumerate(clips)], ["clip_id", "class", "status", "usable"])
        preds = root / "predictions.csv"
        write_csv(preds, [{"clip_id": c, **{f"seg_{k}": names[i % len(names)] if 2 <= k < 6 else BACKGROUND
                                            for k in range(10)}} for i, c in enumerate(clips)], PREDICTION_COLUMNS)
        # The export checks that a clip of each project plays: one real video, linked under every name.
        data.clips_dir.mkdir()
        make_test_video(data.clip(clips[0]), duration=10.0, size=(160, 120))
        for c in clips[1:]:
            os.link(data.clip(clips[0]), data.clip(c))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        t0 = time.perf_counter()
        state = start_server(root, port=port, timeout=600, echo=lambda *_: None)
        t_start = time.perf_counter() - t0
        memory = PeakMemory(state.pid)
        try:
            token = token_path(data.annotation_dir).read_text().strip()
            client = LabelStudioClient(state.url, token)
            sessions = ensure_accounts(client, people)
            t0 = time.perf_counter()
            export_round(data, "1", ExportOptions(annotators=people, predictions=str(preds)), client,
                         echo=lambda *_: None)
            t_export = time.perf_counter() - t0
            log(f"export: {t_export:.1f} s")
            rnd = AnnotationState(root).round("1")
            tasks = [(a, t.id) for a, b in rnd.batches.items()
                     for t in client.sdk.tasks.list(project=b.project_id, fields="all", page_size=1000)]
            posted = tasks[:args.posted]
            t0 = time.perf_counter()
            with ThreadPoolExecutor(args.threads) as pool:
                list(pool.map(lambda at: post(sessions[at[0]], at[1]), posted))
            t_post = time.perf_counter() - t0
            log(f"posted {len(posted)} answers: {t_post:.1f} s")
            done = {tid for _, tid in posted}
            t0 = time.perf_counter()
            for annotator, b in rnd.batches.items():  # the rest in bulk: Label Studio's own action, by the lead
                rest = [tid for a, tid in tasks if a == annotator and tid not in done]
                request = urllib.request.Request(
                    f"{state.url}/api/dm/actions?id=predictions_to_annotations&project={b.project_id}",
                    data=json.dumps({"selectedItems": {"all": False, "included": rest}}).encode(),
                    headers={"Authorization": f"Token {token}", "Content-Type": "application/json"}, method="POST")
                urllib.request.urlopen(request, timeout=600).read()
            t_bulk = time.perf_counter() - t0
            log(f"bulk answers: {t_bulk:.1f} s")
            t0 = time.perf_counter()
            summary = import_round(data, "1", client)
            t_import = time.perf_counter() - t0
            assert summary.rows + summary.rejected == args.tasks, summary
        finally:
            peak = memory.stop()
            stop_server(root)
            sqlite = (server_dir(root) / "label_studio.sqlite3").stat().st_size if server_dir(root).exists() else 0
    print(json.dumps({"benchmark": "annotation rounds", "tasks": args.tasks, "annotators": args.annotators,
                      "server_start_s": round(t_start, 1), "export_s": round(t_export, 1),
                      "export_tasks_per_s": round(args.tasks / t_export, 1),
                      "post_answers_per_s": round(len(posted) / t_post, 1), "post_threads": args.threads,
                      "bulk_answers_s": round(t_bulk, 1), "import_s": round(t_import, 1),
                      "import_tasks_per_s": round(args.tasks / t_import, 1), "imported_rows": summary.rows,
                      "rejected": summary.rejected, "server_peak_rss_mb": round(peak / 2 ** 20),
                      "sqlite_mb": round(sqlite / 2 ** 20, 1)}))


if __name__ == "__main__":
    main()
