"""The `splits` command group: a thin layer over the splits library functions."""

from __future__ import annotations

import click

from ovavel.catalog import load_catalog, read_class_list
from ovavel.cli_common import Group, echo_summary, example, locks_folders
from ovavel.formats import read_labels
from ovavel.splits.make import TRAIN_RATIOS, MakeSettings, make_splits, write_split_dir
from ovavel.splits.official_import import import_official, official_ids, write_official
from ovavel.splits.release import export_release
from ovavel.splits.stats import write_stats

_ratio = click.option("--train-ratio", type=click.Choice([str(r) for r in TRAIN_RATIOS]),
                      help="A smaller training set (the paper's 0.25/0.5/0.75); val and test unchanged.")


@click.group(cls=Group, help="Seen/unseen class partition, train/val/test split, official split, stats.")
def splits():
    pass


def _print_result(result, out):
    r = result.report
    rows = [f"{k:<6} {v:>6}  " + ", ".join(f"{t} {n}" for t, n in sorted(r["per_split"][k].items()))
            for k, v in r["sizes"].items()]
    share = r.get("unseen_share_val_test")
    extra = f"\nunseen share of val + test: {share:.3f}" if share is not None else ""
    present, total = r.get("unseen_classes_present", r["unseen_classes"]), r["unseen_classes"]
    classes = f"{total} unseen classes" if present == total else f"{present} unseen classes present, of {total}"
    echo_summary(f"split written to {out} ({classes})", "\n".join(rows) + extra)


@splits.command("make", epilog=example(
    "splits make --labels data/annotation/labels.csv --classes classes.csv --seed 0 --out splits/v1",
    "splits make --labels labels.csv --unseen auto --unseen-count 21 --seed 3 --out splits/auto",
    "splits make --labels labels.csv --unseen unseen.txt --train-ratio 0.25 --out splits/r025"))
@click.option("--labels", required=True, type=click.Path(dir_okay=False), help="Final labels.csv.")
@click.option("--classes", type=click.Path(dir_okay=False), help="Class catalog (default: the bundled 67).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for train/val/test.csv.")
@click.option("--unseen", help="auto (search a partition), or a file of unseen class names. "
                               "Default: the catalog's seen/unseen column.")
@click.option("--unseen-count", type=int, default=21, show_default=True, help="Unseen classes with --unseen auto.")
@click.option("--seen-train-frac", type=float, default=0.8, show_default=True,
              help="Share of each seen class's videos in train; the rest splits evenly into val and test.")
@_ratio
@click.option("--force", is_flag=True, help="Overwrite an existing split in --out.")
@click.option("--allow-partial", is_flag=True, help="Split only the catalog classes the labels hold.")
@locks_folders("out")
def make_cmd(labels, classes, seed, out, unseen, unseen_count, seen_train_frac, train_ratio, force, allow_partial):
    """Partition classes into seen/unseen and split videos into train/val/test."""
    catalog = load_catalog(classes)
    lab = read_labels(labels)
    names = None if unseen in (None, "auto") else read_class_list(unseen)
    settings = MakeSettings(seed, "auto" if unseen == "auto" else None, names, unseen_count,
                            seen_train_frac=seen_train_frac,
                            train_ratio=float(train_ratio) if train_ratio else None, allow_partial=allow_partial)
    result = make_splits(lab, catalog, settings)
    _print_result(result, write_split_dir(result, lab, out, force))


@splits.command("import-official", epilog=example(
    "splits import-official --meta ovave_dataset_meta.csv --anno released_ovavel_dataset_anno.json "
    "--index vggsound.csv --out splits/official",
    "splits import-official --meta ovave_dataset_meta.csv --anno released_ovavel_dataset_anno.json "
    "--train-ratio 0.25 --out splits/official_r025"))
@click.option("--meta", required=True, type=click.Path(dir_okay=False, exists=True), help="ovave_dataset_meta.csv")
@click.option("--anno", required=True, type=click.Path(dir_okay=False, exists=True),
              help="released_ovavel_dataset_anno.json (or the older ovavel_dataset_anno.json)")
@click.option("--index", type=click.Path(dir_okay=False, exists=True),
              help="VGGSound csv or index.csv: maps each official id to its VGGSound clip id(s) in official_ids.csv.")
@click.option("--classes", type=click.Path(dir_okay=False), help="Class catalog (default: the bundled 67).")
@click.option("--out", required=True, type=click.Path(file_okay=False))
@_ratio
@click.option("--force", is_flag=True, help="Overwrite an existing split in --out.")
@locks_folders("out")
def import_cmd(meta, anno, index, classes, out, train_ratio, force):
    """The official OV-AVEBench split and labels in this toolkit's formats (clip id = YouTube id)."""
    catalog = load_catalog(classes)
    result, labels = import_official(meta, anno, catalog, float(train_ratio) if train_ratio else None)
    ids = official_ids(labels, index, catalog) if index else None
    _print_result(result, write_official(result, labels, ids, out, force))
    if ids is not None:
        from collections import Counter
        counts = Counter(r["status"] for r in ids)
        click.echo("official_ids.csv: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


@splits.command("export-release", epilog=example(
    "splits export-release --splits splits/v1 --data data/ovave --out release/"))
@click.option("--splits", "split_dir", required=True, type=click.Path(file_okay=False, exists=True))
@click.option("--data", type=click.Path(file_okay=False, exists=True), help="Data folder with segments/ (media).")
@click.option("--out", required=True, type=click.Path(file_okay=False))
@click.option("--force", is_flag=True)
@locks_folders("out")
def export_cmd(split_dir, data, out, force):
    """Write a split in the OV-AVEBench release format (files and media layout)."""
    counts = export_release(split_dir, data, out, force)
    echo_summary(f"release written to {out}", "\n".join(f"{k}: {v}" for k, v in counts.items()))


@splits.command("stats", epilog=example("splits stats splits/official", "splits stats splits/v1 --out paper/"))
@click.argument("split_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--out", type=click.Path(file_okay=False), help="Where to write stats.md/json and plots (default: DIR).")
def stats_cmd(split_dir, out):
    """Videos per split and class, seen/unseen counts, event-length distribution, plots."""
    stats, where = write_stats(split_dir, out)
    click.echo(f"videos: {stats['videos']}")
    if "event_length" in stats:
        e = stats["event_length"]
        click.echo(f"event length: {e['10']['percent']:.2f}% of videos 10 s, {e['0']['percent']:.2f}% 0 s")
    click.echo(f"written: {where}/stats.md, stats.json, videos_per_class.png, event_length.png")
