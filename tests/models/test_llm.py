"""The audio-visual LLM row: the paper's prompt, the answer parser, and `baseline llm-query` against
a loopback OpenAI-compatible server (resumable per clip), scored with `baseline eval --method llm`."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from ovavel.catalog import load_catalog
from ovavel.app.cli import app
from ovavel.formats import Label, SplitRow, write_labels, write_split
from ovavel.models.llm import ParsedAnswer, build_prompt, parse_answer
from ovavel.tables import read_csv

from ..annotation.conftest import make_data_dir

NAMES = load_catalog().names


def test_the_prompt_lists_every_candidate_in_the_papers_wording():
    prompt = build_prompt(NAMES)
    assert prompt.startswith("Instruction: For the given 10-second video, divide it into 10 one-second segments.")
    assert all(f"\u201c{n}\"" in prompt for n in NAMES) and "[\u201cairplane flyby\", " in prompt
    assert "\u201cave:\" A python list [x, x, x, x, x, x, x, x, x, x]" in prompt


@pytest.mark.parametrize("text, expected", [
    ("ave: [0, 1, 1, 1, 0, 0, 0, 0, 0, 0]\nclass: dog barking", ParsedAnswer("0111000000", "dog barking")),
    ("\u201cave:\" ['1','1','0','0','0','0','0','0','0','1']\n\u201cclass:\" Dog Barking.",
     ParsedAnswer("1100000001", "dog barking")),
    ("The answer.\nave: [1,1,1,1,1,1,1,1,1,1]\nclass: helicopter\nThanks!", ParsedAnswer("1111111111", "helicopter")),
])
def test_answers_that_parse(text, expected):
    assert parse_answer(text, NAMES) == (expected, "")


@pytest.mark.parametrize("text, reason", [
    ("I think it is a dog.", "no `ave: [...]` list in the answer"),
    ("ave: [1, 0, 1]\nclass: dog barking", "`ave:` must list ten 0/1 values, but got [1, 0, 1]"),
    ("ave: [1, 0, 2, 0, 0, 0, 0, 0, 0, 0]\nclass: dog barking", "`ave:` must list ten 0/1 values"),
    ("ave: [1, 0, 1, 0, 0, 0, 0, 0, 0, 0]", "no `class: NAME` line in the answer"),
    ("ave: [1, 0, 1, 0, 0, 0, 0, 0, 0, 0]\nclass: unicorn", "class 'unicorn' is not one of the candidates"),
])
def test_answers_that_do_not_parse_say_why(text, reason):
    parsed, why = parse_answer(text, NAMES)
    assert parsed is None and why.startswith(reason)


class FakeLLM:
    """A loopback OpenAI-compatible endpoint: answers per clip (found by the video bytes it gets)."""

    def __init__(self, answers: dict[bytes, list]):
        self.answers = answers
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                content = body["messages"][0]["content"]
                url = next(c["video_url"]["url"] for c in content if c["type"] == "video_url")
                video = base64.b64decode(url.split(",", 1)[1])
                reply = outer.answers[video].pop(0)
                if isinstance(reply, int):
                    self.send_response(reply)
                    self.end_headers()
                    return
                data = json.dumps({"choices": [{"message": {"role": "assistant", "content": reply}}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def close(self):
        self.httpd.shutdown()


def test_llm_query_is_resumable_and_scored_as_a_method(tmp_path, monkeypatch):
    clips = {"aaaaaaaaaaa_000001": "dog barking", "bbbbbbbbbbb_000002": "dog barking", "ccccccccccc_000003": "helicopter"}
    data = make_data_dir(tmp_path / "data", clips)
    data.clips_dir.mkdir()
    for i, cid in enumerate(clips):
        data.clip(cid).write_bytes(f"fake mp4 {i}".encode())
    llm = FakeLLM({b"fake mp4 0": ["ave: [0, 1, 1, 1, 0, 0, 0, 0, 0, 0]\nclass: dog barking"],
                   b"fake mp4 1": ["It is a dog."],
                   b"fake mp4 2": [500, "ave: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]\nclass: helicopter"]})
    monkeypatch.setenv("OVAVEL_TEST_KEY", "k-123")
    args = ["baseline", "llm-query", "--data", str(data.root), "--endpoint", llm.url, "--model", "VideoLLaMA2",
            "--api-key-env", "OVAVEL_TEST_KEY", "--out", str(tmp_path / "ans"), "--no-progress"]
    try:
        r = CliRunner().invoke(app, args)
        assert r.exit_code == 0, r.output
        assert "answered now: 2" in r.output and "failed: 1" in r.output
        first = llm.requests[0]
        assert first["path"] == "/v1/chat/completions" and first["auth"] == "Bearer k-123"
        assert first["body"]["model"] == "VideoLLaMA2" and first["body"]["temperature"] == 0
        assert first["body"]["messages"][0]["content"][1]["text"] == build_prompt(NAMES)
        r = CliRunner().invoke(app, args)  # only the failed clip is asked again
        assert r.exit_code == 0 and "answered now: 1" in r.output and "answered before: 2" in r.output
        assert len(llm.requests) == 4
    finally:
        llm.close()
    write_split(tmp_path / "test.csv", [SplitRow(c, k, "") for c, k in clips.items()])
    write_labels(tmp_path / "labels.csv", {c: Label(k, "0111000000") for c, k in clips.items()})
    r = CliRunner().invoke(app, ["baseline", "eval", "--method", "llm", "--run", str(tmp_path / "ans"), "--split",
                                 str(tmp_path / "test.csv"), "--labels", str(tmp_path / "labels.csv"),
                                 "--out", str(tmp_path / "res")])
    assert r.exit_code == 0, r.output
    preds = {p["clip_id"]: [p[f"seg_{k}"] for k in range(10)] for p in read_csv(tmp_path / "res" / "predictions.csv")}
    assert preds["aaaaaaaaaaa_000001"] == ["background", "dog barking", "dog barking", "dog barking"] + ["background"] * 6
    assert preds["bbbbbbbbbbb_000002"] == ["background"] * 10
    assert preds["ccccccccccc_000003"] == ["helicopter"] * 2 + ["background"] * 8
    assert read_csv(tmp_path / "ans" / "parse_rejects.csv") == [
        {"clip_id": "bbbbbbbbbbb_000002", "reason": "no `ave: [...]` list in the answer"}]
