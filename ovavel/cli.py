"""One app, `ovavel`, with a subcommand group per stage; `curate` (and the other groups) are also
console scripts of their own, so `curate download ...` and `ovavel curate download ...` are the
same command. Command bodies only forward arguments to library functions."""

from __future__ import annotations

import click

from ovavel import __version__
from ovavel.cli_common import Group
from ovavel.annotation.cli import annotate
from ovavel.curation.cli import curate
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
