"""One meaning per flag name: the new names in --help, the old spellings hidden but still parsed to
the same value (scripts and notes out there use them)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from ovavel.app.cli import app

RENAMES = [  # (command path, new name, old name, a value)
    (["metrics"], "--catalog", "--classes", "c.csv"),
    (["metrics"], "--predictions", "--pred", "p.csv"),
    (["browse"], "--catalog", "--classes", "c.csv"),
    (["splits", "make"], "--catalog", "--classes", "c.csv"),
    (["baseline", "eval"], "--catalog", "--classes", "c.csv"),
    (["baseline", "train"], "--catalog", "--classes", "c.csv"),
    (["baseline", "features"], "--catalog", "--classes", "c.csv"),
    (["baseline", "features"], "--workers", "--num-workers", "3"),
    (["predict"], "--names", "--classes", "dog barking,car horn"),
    (["predict"], "--run", "--head", "runs/x"),
    (["demo"], "--url", "--ls-url", "http://127.0.0.1:9"),
    (["demo"], "--token", "--ls-token", "t"),
    (["labels", "correct"], "--labels-version", "--version", "fixed-2026"),
    (["annotate", "corrections"], "--labels-version", "--version", "fixed-2026"),
]


def command(path: list[str]) -> click.Command:
    cmd = app
    for name in path:
        cmd = cmd.commands[name]
    return cmd


@pytest.mark.parametrize("path,new,old,value", RENAMES)
def test_new_name_in_help_old_name_hidden_and_still_parsed(path, new, old, value):
    cmd = command(path)
    help_text = CliRunner().invoke(app, [*path, "--help"]).output
    assert new in help_text and f"{old} " not in help_text.replace(f"{new} ", "")
    param = next(p for p in cmd.params if new in p.opts)
    assert old in param.opts  # the parser takes it
    for name in (new, old):
        parsed = click.Context(cmd).command.make_parser(click.Context(cmd)).parse_args([name, value])[0]
        assert parsed[param.name] == value, name
