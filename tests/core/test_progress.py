"""The long commands' progress bar: on stderr, off with --no-progress, lines printed above it."""

from __future__ import annotations

import io
import sys

import click

from ovavel.app.cli import app
from ovavel.progress import progress_bar

# The commands that run long enough to want a bar (every one takes --no-progress).
LONG = {"curate download", "curate segments", "curate check", "curate merge", "annotate export", "annotate import",
        "splits export-hf", "baseline features", "baseline train", "baseline ablate", "baseline reproduce",
        "baseline llm-query", "browse"}


def commands(group=app, path=()):
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            yield from commands(cmd, (*path, name))
        else:
            yield " ".join((*path, name)), cmd


def test_every_long_command_takes_no_progress():
    flagged = {name for name, cmd in commands() if any("--no-progress" in p.opts for p in cmd.params
                                                       if isinstance(p, click.Option))}
    assert LONG <= flagged, sorted(LONG - flagged)


def test_the_bar_counts_and_lines_go_above_it(monkeypatch):
    err, out = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    said = []
    with progress_bar(3, "rows", "row", True, echo=lambda m: said.append(m) or out.write(m + "\n")) as (bar, echo):
        for k in range(3):
            echo(f"row {k} done")
            bar.update()
    assert said == ["row 0 done", "row 1 done", "row 2 done"]
    assert "rows: 100%" in err.getvalue() and "3/3" in err.getvalue()
    quiet = io.StringIO()
    monkeypatch.setattr(sys, "stderr", quiet)
    plain = said.append
    with progress_bar(3, "rows", "row", False, echo=plain) as (bar, echo):
        assert echo == plain  # no bar: lines go straight out
        bar.update(3)
    assert quiet.getvalue() == ""
