"""`ovavel metrics`: score predictions.csv against labels.csv."""

from __future__ import annotations

import click

from ovavel.catalog import load_catalog
from ovavel.cli_common import example, pass_errors
from ovavel.metrics.report import PROTOCOLS, ScoreSettings, markdown_table, score_files, write_report


@click.command("metrics", epilog=example(
    "ovavel metrics --pred results/predictions.csv --labels labels.csv --classes classes.csv --split test.csv --out results",
    "ovavel metrics --pred p.csv --labels labels.csv --split test.csv --protocol official-batched --batch-size 32 --out r",
    "ovavel metrics --pred p.csv --labels labels.csv --no-background-row --missing background --out r"))
@click.option("--pred", required=True, type=click.Path(dir_okay=False), help="predictions.csv (clip_id,seg_0..seg_9).")
@click.option("--labels", required=True, type=click.Path(dir_okay=False), help="labels.csv (clip_id,class,labels).")
@click.option("--classes", type=click.Path(dir_okay=False), help="Class catalog classes.csv (default: bundled 67).")
@click.option("--split", type=click.Path(dir_okay=False), help="Score only these clips, in this order (e.g. test.csv).")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for the report files.")
@click.option("--protocol", type=click.Choice(PROTOCOLS), default="mean", show_default=True,
              help="mean: plain mean over videos; official-batched: the released script's mean of batch means.")
@click.option("--batch-size", type=click.IntRange(min=1), default=32, show_default=True,
              help="Batch size of --protocol official-batched.")
@click.option("--no-background-row", is_flag=True, help="Leave background out of the F1 rows (AVVP foreground-only).")
@click.option("--missing", type=click.Choice(["error", "background"]), default="error", show_default=True,
              help="What a clip without a prediction means.")
@pass_errors
def metrics_cmd(pred, labels, classes, split, out, protocol, batch_size, no_background_row, missing):
    """Accuracy, segment-level F1 and event-level F1 for seen, unseen and all videos."""
    settings = ScoreSettings(protocol, batch_size, not no_background_row, missing)
    report = score_files(pred, labels, load_catalog(classes), split, settings)
    write_report(report, out)
    click.echo(markdown_table(report.summary))
    click.echo(f"report written to {out}/ (report.json, report.md, per_class.csv/png, per_video.csv)")
