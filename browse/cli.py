"""`ovavel browse`: the results and annotation browser (ovavel.browse.site) as a command."""

from __future__ import annotations

from pathlib import Path

import click

from ovavel.catalog import load_catalog
from ovavel.cli_common import catalog_option, echo_summary, example, no_progress


@click.command("browse", epilog=example(
    "ovavel browse --data data/ovave --labels splits/v1/labels.csv --split splits/v1/test.csv "
    "--results results/training_free results/fine_tuned --out site/",
    "ovavel browse --data demo_out/data --labels demo_out/splits/labels.csv --results demo_out/results/training_free "
    "--results demo_out/results/fine_tuned --catalog demo_out/classes.csv --out demo_out/site",
    "python -m http.server -d site/ 8000    # or open site/index.html directly"))
@click.option("--data", type=click.Path(file_okay=False, exists=True),
              help="Data folder DIR: its clips (or segments) and annotation rounds.")
@click.option("--labels", required=True, type=click.Path(dir_okay=False, exists=True), help="Ground truth labels.csv.")
@click.option("--results", "results", multiple=True, type=click.Path(file_okay=False, exists=True),
              help="Result folders (predictions.csv, as `baseline eval` writes), one per method; several may follow "
                   "one --results.")
@click.argument("more_results", nargs=-1, type=click.Path(file_okay=False, exists=True))
@click.option("--split", type=click.Path(dir_okay=False, exists=True), help="Only these clips, in this order.")
@catalog_option()
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Site folder.")
@click.option("--media", type=click.Choice(["link", "copy", "none"]), default="link", show_default=True,
              help="Clips into the site as hard links (copies across file systems), copies, or not at all.")
@no_progress
def browse_cmd(data, labels, results, more_results, split, classes, out, media, no_progress):
    """A static site to look at results: metrics, per-class table, every clip with its video, ground truth,
    annotation rounds and each method's timeline, filters by error type."""
    from ovavel.browse.site import build_site

    s = build_site(data, labels, [*results, *more_results], out, load_catalog(classes), split, media,
                   progress=not no_progress)
    echo_summary(f"site -> {out} ({s.seconds:.1f} s)",
                 f"clips: {s.clips}\nmethods: {', '.join(s.methods) or 'none'}\nwith video: {s.with_video}\n"
                 f"with frames + audio only: {s.with_frames}\nwithout media: {s.without_media}")
    index = Path(out).resolve() / "index.html"
    click.echo(f"open it: file://{index}   (or serve the folder: python -m http.server -d {out} 8000)")
