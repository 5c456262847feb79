"""One app, `ovavel`, with a subcommand group per stage; `curate` (and the other groups) are also
console scripts of their own, so `curate download ...` and `ovavel curate download ...` are the
same command. Command bodies only forward arguments to library functions."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ovavel import __version__
from ovavel.annotation.cli import annotate, labels_group
from ovavel.browse.cli import browse_cmd
from ovavel.cli_common import Renamed, Group, example
from ovavel.curation.cli import curate
from ovavel.app.demo import run_demo
from ovavel.extras import require
from ovavel.metrics.cli import metrics_cmd
from ovavel.models.cli import baseline, predict_video_cmd
from ovavel.splits.cli import splits


@click.group(cls=Group, help="OV-AVEL toolkit: curate, annotate, split, run baselines, score.")
@click.version_option(__version__, prog_name="ovavel")
def app():
    pass


app.add_command(curate)
app.add_command(annotate)
app.add_command(metrics_cmd)
app.add_command(splits)
app.add_command(baseline)
app.add_command(predict_video_cmd)
app.add_command(browse_cmd)
app.add_command(labels_group)


@app.command("demo", epilog=example("ovavel demo --out demo_out",
                                    "ovavel demo --out demo_out --checkpoint imagebind_huge.pth"))
@click.option("--out", default="demo_out", show_default=True, type=click.Path(file_okay=False))
@click.option("--checkpoint", type=click.Path(dir_okay=False, exists=True),
              help="ImageBind-Huge weights; without them the tiny architecture with random weights runs.")
@click.option("--shared", type=click.Path(file_okay=False), help="Folder with media/ of real videos "
              "(default: ../shared/data beside the checkout, or $OVAVEL_SHARED/data).")
@click.option("--url", "ls_url", cls=Renamed, aliases=("--ls-url",), help="Use this Label Studio instead of starting one.")
@click.option("--token", "ls_token", cls=Renamed, aliases=("--ls-token",), help="Its API token.")
@click.option("--epochs", type=int, default=20, show_default=True, help="Fine-tuning epochs.")
def demo_cmd(out, checkpoint, shared, ls_url, ls_token, epochs):
    """The whole pipeline offline on a small example: curate, annotate, split, both baselines, report."""
    require("ovavel demo", "models", "annotation")  # before Label Studio installs itself
    shared_dir = Path(shared) if shared else Path(os.environ.get("OVAVEL_SHARED", Path.cwd().parent / "shared")) / "data"
    report = run_demo(Path(out), app, shared_dir if shared_dir.is_dir() else None, checkpoint, ls_url, ls_token,
                      epochs)
    click.echo(click.style(f"\ndemo report: {report}", bold=True))
    click.echo(click.style(f"results browser: file://{(Path(out) / 'site' / 'index.html').resolve()}", bold=True)
               + f"  (or: python -m http.server -d {Path(out) / 'site'} 8000)")


def main() -> None:
    app(prog_name="ovavel")


def curate_main() -> None:
    curate(prog_name="curate")


def splits_main() -> None:
    splits(prog_name="splits")


def annotate_main() -> None:
    annotate(prog_name="annotate")


def baseline_main() -> None:
    baseline(prog_name="baseline")
