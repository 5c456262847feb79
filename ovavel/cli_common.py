"""Shared pieces of the command-line interface: error handling, examples in --help, summaries."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from pathlib import Path

import click

from ovavel.errors import OvavelError
from ovavel.extras import message_for
from ovavel.locking import folder_lock


def example(*lines: str) -> str:
    """An epilog for --help that shows example invocations (kept unwrapped by click's \\b)."""
    return "\b\nExamples:\n" + "\n".join(f"  {ln}" for ln in lines)


class Group(click.Group):
    """A click group whose commands turn OvavelError into a one-line message and exit code 1,
    and KeyboardInterrupt into a hint that a rerun resumes."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except OvavelError as e:
            raise click.ClickException(str(e)) from None
        except ModuleNotFoundError as e:
            message = message_for(e, ctx.command_path + (f" {ctx.invoked_subcommand}" if ctx.invoked_subcommand else ""))
            if message is None:
                raise
            raise click.ClickException(message) from None
        except KeyboardInterrupt:
            click.echo("\ninterrupted: finished work is kept; rerun the same command to resume", err=True)
            sys.exit(130)


class Renamed(click.Option):
    """An option under its new name whose old spellings (`aliases`) still work as before, and are
    left out of --help: scripts written with the old names keep running."""

    def __init__(self, *args, aliases: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.aliases = [a for a in aliases if a not in self.opts]
        self.opts = self.opts + self.aliases

    def get_help_record(self, ctx):
        opts = self.opts
        self.opts = [o for o in opts if o not in self.aliases]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = opts


def catalog_option(help: str = "Class catalog (default: bundled 67).", exists: bool = True):
    """--catalog CSV (old spelling --classes), bound to the parameter `classes`."""
    return click.option("--catalog", "classes", cls=Renamed, aliases=("--classes",),
                        type=click.Path(dir_okay=False, exists=exists), help=help)


no_progress = click.option("--no-progress", is_flag=True, help="No progress bar (for logs and scripts).")
"""--no-progress, the same on every long command."""


def format_table(header: list[str], rows: list[list[object]]) -> str:
    """A plain-text table with aligned columns (for summaries printed at the end of a command)."""
    cells = [[str(c) for c in header]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
             for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def echo_summary(title: str, text: str) -> None:
    click.echo(f"\n{title}\n{text}", err=False)


def parse_csv_list(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def pass_errors(fn):
    """For standalone entry points: OvavelError -> ClickException."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except OvavelError as e:
            raise click.ClickException(str(e)) from None
        except ModuleNotFoundError as e:
            message = message_for(e, click.get_current_context().command_path)
            if message is None:
                raise
            raise click.ClickException(message) from None
    return wrapper


def locks_folders(*params: str, sub: str = ""):
    """Decorator (innermost, right above the function): the command holds the exclusive lock of
    the folder(s) its parameters `params` name (joined with `sub`) while it runs, so there is one
    writer per folder; adds --wait. Under torchrun only rank 0 takes it (the other ranks are its
    helpers)."""
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, wait: bool = False, **kwargs):
            folders = []
            for p in params:
                value = kwargs.get(p)
                values = [value] if isinstance(value, (str, os.PathLike)) else list(value or [])
                folders += [Path(v) / sub if sub else Path(v) for v in values]
            with contextlib.ExitStack() as stack:
                if os.environ.get("RANK", "0") == "0":
                    for folder in sorted({f.resolve() for f in folders}):  # one order: no deadlock with --wait
                        stack.enter_context(folder_lock(folder, wait, echo=click.echo))
                return fn(*args, **kwargs)
        return click.option("--wait", is_flag=True, help="If another command is writing the same folder, wait for "
                                                          "it instead of stopping.")(wrapper)
    return decorate
