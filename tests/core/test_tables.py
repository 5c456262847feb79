"""Table I/O: strings stay strings, errors name file and line, writes are atomic, logs survive tears."""

from __future__ import annotations

import pytest

from ovavel.errors import InputError
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
