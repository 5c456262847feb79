"""`baseline llm-query` against misbehaving loopback servers: no answer can hang the run, stop it,
or be stored as an answer when it is not one. Every server loop here is bounded in bytes and time."""

from __future__ import annotations

import base64
import json
import socketserver
import threading
import time

import pytest
from click.testing import CliRunner

from ovavel.app.cli import app
from ovavel.models.llm import query_clips
from ovavel.models.llm_client import QueryOptions, retry_after
from ovavel.tables import read_jsonl

GOOD = "ave: [0, 1, 1, 1, 0, 0, 0, 0, 0, 0]\nclass: dog barking"


def completion(content) -> bytes:
    return json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]}).encode()


def ok_response(body: bytes) -> bytes:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)) + body


class HostileLLM:
    """A raw TCP server speaking (mostly) HTTP; what it does depends on the video bytes it is sent.
    After `heal()` every clip gets a good answer."""

    def __init__(self):
        self.seen: list[str] = []
        self.healed = False
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                length = 0
                while (line := self.rfile.readline(65536)) not in (b"\r\n", b"\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                body = json.loads(self.rfile.read(length))
                url = next(c["video_url"]["url"] for c in body["messages"][0]["content"] if c["type"] == "video_url")
                kind = base64.b64decode(url.split(",", 1)[1]).decode()
                outer.seen.append(kind)
                try:
                    outer.behave("good" if outer.healed else kind, self.wfile)
                except OSError:
                    pass  # the client hung up: what it should do

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.retried = 0

    def behave(self, kind: str, w) -> None:
        if kind == "good":
            w.write(ok_response(completion(GOOD)))
        elif kind == "endless":  # an endless body, bounded here at 64 MiB
            w.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n")
            chunk = b"x" * 65536
            for _ in range(1024):
                w.write(chunk)
        elif kind == "slow":  # one byte a second, bounded at 20 bytes
            w.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
            for _ in range(20):
                w.write(b"{")
                w.flush()
                time.sleep(1)
        elif kind == "garbage":
            w.write(b"HELLO THERE\r\n\r\n")
        elif kind == "short":
            w.write(b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n" + completion(GOOD)[:30])
        elif kind == "dict":
            w.write(ok_response(completion({"ave": [1] * 10})))
        elif kind == "busy":  # 429 with Retry-After the first time, then an answer
            if self.retried == 0:
                self.retried += 1
                w.write(b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nContent-Length: 4\r\n\r\nbusy")
            else:
                w.write(ok_response(completion(GOOD)))
        elif kind == "always-busy":
            w.write(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")

    def heal(self):
        self.healed = True

    def close(self):
        self.server.shutdown()
        self.server.server_close()


KINDS = ["good", "endless", "slow", "garbage", "short", "dict", "busy", "always-busy"]
IDS = {kind: f"{kind[:4]:-<4}abcdefg_{i:06d}" for i, kind in enumerate(KINDS)}


@pytest.fixture
def videos(tmp_path):
    folder = tmp_path / "clips"
    folder.mkdir()
    out = {}
    for kind, cid in IDS.items():
        (folder / f"{cid}.mp4").write_bytes(kind.encode())
        out[cid] = folder / f"{cid}.mp4"
    return out


def test_no_server_behaviour_hangs_or_stops_the_run(videos, tmp_path):
    llm = HostileLLM()
    waits: list[float] = []
    try:
        opts = QueryOptions(llm.url, "m", timeout_s=3, max_response_bytes=1 << 20, retries=2)
        counts = query_clips(videos, ["dog barking"], tmp_path / "ans", opts, progress=False, sleep=waits.append)
        log = {r["clip_id"]: r for r in read_jsonl(tmp_path / "ans" / "answers.jsonl")}
        reason = {kind: log[IDS[kind]].get("message", "") for kind in KINDS}
        assert {k for k in KINDS if log[IDS[k]]["status"] == "ok"} == {"good", "busy"}
        assert counts == {"answered now": 2, "answered before": 0, "failed": 6}
        assert reason["endless"] == f"response larger than {1 << 20} bytes: not read further"
        assert reason["slow"] == "no complete response within 3 s (--timeout)"
        assert reason["garbage"].startswith("transport: BadStatusLine")
        assert reason["short"].startswith("transport: IncompleteRead")
        assert reason["dict"].startswith("expected the answer's content to be text, but got dict")
        assert reason["always-busy"] == "HTTP 503 after 3 tries: "
        # Retry-After: 2 was honoured; the 503s without one waited 1 s, then 2 s
        assert waits == [2.0, 1.0, 2.0]
        # a rerun asks again only the clips that failed, and keeps the answered ones
        llm.heal()
        asked_before = len(llm.seen)
        counts = query_clips(videos, ["dog barking"], tmp_path / "ans", opts, progress=False, sleep=waits.append)
        assert counts == {"answered now": 6, "answered before": 2, "failed": 0}
        assert sorted(llm.seen[asked_before:]) == sorted(k for k in KINDS if k not in ("good", "busy"))
    finally:
        llm.close()


def test_the_cli_takes_timeout_and_size_cap(tmp_path):
    from ..annotation.conftest import make_data_dir

    clips = {IDS["slow"]: "dog barking", IDS["good"]: "dog barking"}
    data = make_data_dir(tmp_path / "data", clips)
    data.clips_dir.mkdir()
    for cid in clips:
        data.clip(cid).write_bytes(next(k for k, v in IDS.items() if v == cid).encode())
    llm = HostileLLM()
    try:
        r = CliRunner().invoke(app, ["baseline", "llm-query", "--data", str(data.root), "--endpoint", llm.url,
                                     "--model", "m", "--out", str(tmp_path / "ans"), "--timeout", "2",
                                     "--max-response-mb", "1", "--no-progress"])
        assert r.exit_code == 0, r.output
        assert "answered now: 1" in r.output and "failed: 1" in r.output
        log = read_jsonl(tmp_path / "ans" / "answers.jsonl")
        assert [x["message"] for x in log if x["status"] == "error"] == ["no complete response within 2 s (--timeout)"]
    finally:
        llm.close()


def test_retry_after_forms():
    from datetime import datetime, timezone

    now = datetime(2026, 11, 29, 8, 0, 0, tzinfo=timezone.utc)
    assert retry_after("120", now) == 120.0
    assert retry_after("Sun, 29 Nov 2026 08:01:00 GMT", now) == 60.0
    assert retry_after("Sun, 29 Nov 2026 07:00:00 GMT", now) == 0.0  # in the past: at once
    assert retry_after("", now) is None and retry_after("later", now) is None


def test_an_old_answers_file_with_a_dict_answer_is_not_an_answer(tmp_path):
    from ovavel.models.llm import read_answers

    (tmp_path / "answers.jsonl").write_text(
        json.dumps({"clip_id": "abcdefghijk", "status": "ok", "answer": {"ave": 1}}) + "\n"
        + json.dumps({"clip_id": "bbcdefghijk", "status": "ok", "answer": GOOD}) + "\n")
    assert read_answers(tmp_path) == {"bbcdefghijk": GOOD}
