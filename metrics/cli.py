"""`ovavel metrics`: score predictions.csv against labels.csv."""

from __future__ import annotations

from pathlib import Path

import click

from ovavel.catalog import load_catalog
from ovavel.cli_common import Renamed, catalog_option, example, pass_errors
from ovavel.formats import METRIC_KEYS
from ovavel.metrics.published import comparison_table
from ovavel.metrics.report import (PROTOCOLS, ScoreSettings, copy_predictions, group_summaries, markdown_table, pct,
                                   score_files, write_report)
from ovavel.tables import atomic_write_text


@click.command("metrics", epilog=example(
    "ovavel metrics --predictions results/predictions.csv --labels labels.csv --catalog classes.csv --split test.csv --out results",
    "ovavel metrics --predictions p.csv --labels labels.csv --split test.csv --protocol official-batched --batch-size 32 --out r",
    "ovavel metrics --predictions p.csv --labels labels.csv --no-background-row --missing background --out r",
    "ovavel metrics --predictions p.csv --labels splits/v1/labels.csv --labels-version fixed-2026 --data data/ovave "
    "--split test.csv --out r"))
@click.option("--predictions", "pred", cls=Renamed, aliases=("--pred",), required=True, type=click.Path(dir_okay=False), help="predictions.csv (clip_id,seg_0..seg_9).")
@click.option("--labels", "labels_files", required=True, multiple=True, type=click.Path(dir_okay=False),
              help="labels.csv (clip_id,class,labels); give it twice to score against both side by side.")
@click.option("--labels-version", "versions", multiple=True,
              help="Also score against this labels version of --data (made by `annotate corrections`).")
@click.option("--data", type=click.Path(file_okay=False, exists=True), help="Data folder of --labels-version.")
@catalog_option("Class catalog classes.csv (default: bundled 67).", exists=False)
@click.option("--split", type=click.Path(dir_okay=False), help="Score only these clips, in this order (e.g. test.csv).")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for the report files.")
@click.option("--protocol", type=click.Choice(PROTOCOLS), default="mean", show_default=True,
              help="mean: plain mean over videos; official-batched: the released script's mean of batch means.")
@click.option("--batch-size", type=click.IntRange(min=1), default=32, show_default=True,
              help="Batch size of --protocol official-batched.")
@click.option("--no-background-row", is_flag=True, help="Leave background out of the F1 rows (AVVP foreground-only).")
@click.option("--missing", type=click.Choice(["error", "background"]), default="error", show_default=True,
              help="What a clip without a prediction means.")
@click.option("--event-iou", type=click.Choice(["released", "paper"]), default="released", show_default=True,
              help="An event matches at IoU >= 0.5 (the released evaluation code) or > 0.5 (the paper's text).")
@click.option("--compare-published", "compare", type=click.IntRange(min=0), default=None,
              help="Under the table, the N published rows of Table 2 nearest to yours (default: 3 with --split and "
                   "the bundled classes, else 0).")
@pass_errors
def metrics_cmd(pred, labels_files, versions, data, classes, split, out, protocol, batch_size, no_background_row,
                missing, event_iou, compare):
    """Accuracy, segment-level F1 and event-level F1 for seen, unseen and all videos (against one label set,
    or several side by side)."""
    settings = ScoreSettings(protocol, batch_size, not no_background_row, missing, event_iou)
    catalog = load_catalog(classes)
    sets = label_sets(labels_files, versions, data)
    if len(sets) == 1:
        report = score_files(pred, sets[0][1], catalog, split, settings)
        if compare is None:
            compare = 3 if split and not classes else 0
        side = published_side_by_side(settings, report, compare)
        write_report(report, out, notes=filled_notes(report) + ([side] if side else []), predictions=pred)
        warn_filled(report)
        click.echo(markdown_table(report.summary))
        if side:
            click.echo(side)
        click.echo(f"report written to {out}/ (report.json, report.md, per_class.csv/png, per_video.csv)")
        return
    summaries = {}
    for name, path in sets:
        report = score_files(pred, path, catalog, split, settings)
        write_report(report, Path(out) / name, title=f"OV-AVEL metrics (labels: {name})", notes=filled_notes(report),
                     predictions=pred)
        warn_filled(report)
        summaries[name] = report.summary
    table = side_by_side(summaries)
    atomic_write_text(Path(out) / "comparison.md", table)
    copy_predictions(pred, Path(out), Path(out))  # beside comparison.md (each label set's folder has its own)
    click.echo(table)
    click.echo(f"reports written to {out}/{{{','.join(n for n, _ in sets)}}}/ and {out}/comparison.md")


def published_side_by_side(settings: ScoreSettings, report, count: int) -> str:
    """The nearest published rows of Table 2 beside yours, yours summarised as the released
    evaluation summarised the published rows (its batched protocol)."""
    if not count:
        return ""
    batched = group_summaries(report, "official-batched", settings.batch_size)
    note = (f"yours scored with the released evaluation's batched protocol, batch {settings.batch_size}, as the "
            "published rows were")
    return comparison_table(batched, count, note)


def filled_notes(report) -> list[str]:
    return [f"{report.filled:,} of the {len(report.clip_ids):,} clips had no prediction and were scored as all "
            "background (--missing background)."] if report.filled else []


def warn_filled(report) -> None:
    if report.filled:
        click.echo(click.style(f"warning: {filled_notes(report)[0]}", fg="yellow"), err=True)


def label_sets(files: tuple[str, ...], versions: tuple[str, ...], data: str | None) -> list[tuple[str, str]]:
    """(name, labels file) of every label set: files named by their folder (or stem), versions by name."""
    from ovavel.errors import OvavelError
    from ovavel.layout import DataDir

    sets: list[tuple[str, str]] = []
    for f in files:
        name = Path(f).parent.name or Path(f).stem
        if any(name == n for n, _ in sets):
            name = f"{name}-{len(sets) + 1}"
        sets.append((name or f"labels-{len(sets) + 1}", f))
    if versions and not data:
        raise OvavelError("--labels-version needs --data DIR (the data folder holding annotation/versions/)")
    for v in versions:
        sets.append((v, str(DataDir.at(data).labels_version(v))))
    return sets


def side_by_side(summaries: dict[str, dict]) -> str:
    """Rows seen / unseen / total, for each metric one column per label set (percent)."""
    names = list(summaries)
    head = "| | " + " | ".join(f"{m} ({n})" for m in ("Acc", "Seg", "Eve", "Avg") for n in names) + " |"
    lines = ["### Metrics against each label set (percent)", "", head, "|---|" + "---:|" * (4 * len(names))]
    for group in ("seen", "unseen", "total"):
        cells = [pct(summaries[n][group][k]) for k in METRIC_KEYS for n in names]
        lines.append(f"| {group} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
