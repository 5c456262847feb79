"""annotate server: status without a server, refusal of a busy port (before anything is installed)."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner

from ovavel.annotation.server import start_server
from ovavel.app.cli import app
from ovavel.errors import OvavelError


def test_status_and_stop_without_a_server(tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["annotate", "server", "status", "--data", str(tmp_path)])
    assert r.exit_code == 0 and r.output.strip() == "not running"
    r = runner.invoke(app, ["annotate", "server", "stop", "--data", str(tmp_path)])
    assert r.exit_code == 0 and "no server recorded" in r.output


def test_busy_port_is_refused_not_moved(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(OvavelError, match=rf"port {port} on 127.0.0.1 is busy.*move to {port + 1}"):
            start_server(tmp_path, port=port, venv=tmp_path / "never-installed")
    assert not (tmp_path / "never-installed").exists()


def test_no_server_no_url_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.delenv("OVAVEL_LS_URL", raising=False)
    (tmp_path / "clips.csv").write_text("clip_id,class,status,usable\n")
    r = CliRunner().invoke(app, ["annotate", "export", "--data", str(tmp_path), "--round", "1", "--annotators", "a@x"])
    assert r.exit_code == 1 and "annotate server start --data" in r.output


def test_a_non_loopback_host_warns_about_plain_http(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = CliRunner().invoke(app, ["annotate", "server", "start", "--data", str(tmp_path), "--port", str(port),
                                     "--host", "0.0.0.0"])
    assert r.exit_code == 1
    assert "warning: serving 0.0.0.0:" in r.output and "plain HTTP" in r.output and "SSH tunnel" in r.output
    assert f"port {port} on 0.0.0.0 is busy" in r.output


def test_review_prefill_in_either_view():
    from ovavel.annotation.config import labels_from_result
    from ovavel.annotation.rounds import build_tasks

    for ui in ("seconds", "timeline"):
        tasks = build_tasks(["c1"], {"c1": "dog barking"}, {}, {"c1": "0011100001"}, "2", "/v/{clip_id}.mp4",
                            "round1", ui)
        result = tasks[0]["predictions"][0]["result"]
        assert labels_from_result(result, ui, 5) == ("0011100001", "")  # a new round's timeline: 5 steps a second
        assert tasks[0]["data"]["video"] == "/v/c1.mp4" and tasks[0]["data"]["position"] == "1 of 1"
