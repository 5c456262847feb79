"""Table I/O: strings stay strings, errors name file and line, writes are atomic, logs survive tears."""

from __future__ import annotations

import urllib.request

import pytest

from ovavel.errors import InputError
from ovavel.testing.media_server import MediaServer
from ovavel.tables import append_jsonl, read_csv, read_jsonl, repair_jsonl_tail, write_csv


def test_values_stay_strings(tmp_path):
    path = tmp_path / "labels.csv"
    write_csv(path, [{"clip_id": "-abc", "labels": "0111000000"}], ["clip_id", "labels"])
    assert read_csv(path, ["clip_id", "labels"]) == [{"clip_id": "-abc", "labels": "0111000000"}]
    assert [p.name for p in tmp_path.iterdir()] == ["labels.csv"]  # no temporary left


def test_missing_column_and_ragged_row_name_file_and_line(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n3\n")
    with pytest.raises(InputError, match=r"t.csv, line 3: expected 2 fields, but got 1"):
        read_csv(path)
    with pytest.raises(InputError, match=r"line 1: missing column\(s\) c"):
        read_csv(path, ["a", "c"])
    with pytest.raises(InputError, match="file not found"):
        read_csv(tmp_path / "nope.csv")


def test_jsonl_torn_tail_is_skipped_and_repaired(tmp_path):
    path = tmp_path / "ledger.jsonl"
    append_jsonl(path, {"a": 1})
    with open(path, "a") as f:
        f.write('{"a": 2, "b"')  # a run killed mid-write
    assert read_jsonl(path) == [{"a": 1}]
    assert repair_jsonl_tail(path)
    append_jsonl(path, {"a": 3})
    assert read_jsonl(path) == [{"a": 1}, {"a": 3}]
    path.write_text('{"a": 1}\nnot json\n{"a": 2}\n')
    with pytest.raises(InputError, match="line 2: malformed JSON"):
        read_jsonl(path)


def test_media_server_ranges_and_errors(tmp_path):
    (tmp_path / "f.bin").write_bytes(bytes(range(256)))
    with MediaServer(tmp_path, errors={"g.bin": [429]}) as srv:
        req = urllib.request.Request(f"{srv.url}/f.bin", headers={"Range": "bytes=10-19"})
        with urllib.request.urlopen(req) as resp:
            assert resp.status == 206 and resp.read() == bytes(range(10, 20))
            assert resp.headers["Content-Range"] == "bytes 10-19/256"
        req = urllib.request.Request(f"{srv.url}/f.bin", headers={"Range": "bytes=-6"})
        with urllib.request.urlopen(req) as resp:
            assert resp.read() == bytes(range(250, 256))
        with pytest.raises(urllib.error.HTTPError, match="429"):
            urllib.request.urlopen(f"{srv.url}/g.bin")
        with pytest.raises(urllib.error.HTTPError, match="404"):
            urllib.request.urlopen(f"{srv.url}/g.bin")  # the 429 was used up; no such file
        with pytest.raises(urllib.error.HTTPError, match="404"):
            urllib.request.urlopen(f"{srv.url}/../etc/passwd")
    assert [r.status for r in srv.requests] == [206, 206, 429, 404, 404]
