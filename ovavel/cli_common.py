"""Shared pieces of the command-line interface: error handling, examples in --help, summaries."""

from __future__ import annotations

import functools
import sys

import click

from ovavel.errors import OvavelError


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
        except KeyboardInterrupt:
            click.echo("\ninterrupted: finished work is kept; rerun the same command to resume", err=True)
            sys.exit(130)


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
    return wrapper
