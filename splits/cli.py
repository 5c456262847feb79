"""The `splits` command group: a thin layer over the splits library functions."""

from __future__ import annotations

import click

from ovavel.catalog import load_catalog, read_class_list
from ovavel.cli_common import Group, catalog_option, echo_summary, example, locks_folders, no_progress
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
    "splits make --labels data/annotation/labels.csv --catalog classes.csv --seed 0 --out splits/v1",
    "splits make --labels labels.csv --unseen auto --unseen-count 21 --seed 3 --out splits/auto",
    "splits make --labels labels.csv --unseen unseen.txt --train-ratio 0.25 --out splits/r025"))
@click.option("--labels", required=True, type=click.Path(dir_okay=False), help="Final labels.csv.")
@catalog_option("Class catalog (default: the bundled 67).", exists=False)
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
@catalog_option("Class catalog (default: the bundled 67).", exists=False)
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


@splits.command("export-hf", epilog=example(
    "splits export-hf --splits splits/v1 --data data/ovave --out release/ --media segments",
    "splits export-hf --splits splits/v1 --data data/ovave --out release/ --media clips --features feats/v1 "
    "--shard-size 500MB",
    "splits export-hf --splits splits/v1 --data data/ovave --out release-fixed/ --labels-version fixed-2026",
    "splits export-hf --splits splits/official --official-root OV-AVEBench/ --raw-videos raw_videos/ --out release/ "
    "--media segments",
    "splits export-hf --splits splits/v1 --data data/ovave --out release/ --push-to-hub me/ovavel-bench"))
@click.option("--splits", "split_dir", required=True, type=click.Path(file_okay=False, exists=True))
@click.option("--data", type=click.Path(file_okay=False, exists=True), help="Data folder: clips, segments, rounds.")
@click.option("--official-root", type=click.Path(file_okay=False, exists=True),
              help="The official release's preprocessed layout instead of --data (media: segments).")
@click.option("--raw-videos", type=click.Path(file_okay=False, exists=True),
              help="With --official-root: the raw videos ({id}.mp4 anywhere below), checked against the layout.")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Release folder RELEASE.")
@click.option("--media", type=click.Choice(["none", "segments", "clips"]), default="none", show_default=True)
@click.option("--features", type=click.Path(file_okay=False, exists=True), help="A feature store to ship as shards.")
@click.option("--shard-size", default="1GB", show_default=True, help="Largest shard (e.g. 1GB, 500MB).")
@click.option("--labels-version", help="Export this labels version of --data (made by `annotate corrections`).")
@click.option("--push-to-hub", "repo", metavar="OWNER/NAME",
              help="Upload the release to this Hugging Face dataset repository (needs a token: HF_TOKEN or "
                   "`huggingface-cli login`).")
@no_progress
@locks_folders("out")
def export_hf_cmd(split_dir, data, official_root, raw_videos, out, media, features, shard_size, labels_version, repo,
                  no_progress):
    """A Hugging Face dataset: parquet (metadata, labels, splits), WebDataset shards, dataset card, checksums."""
    from ovavel.splits.hf_export import export_hf, parse_size, push_to_hub

    s = export_hf(split_dir, out, data, official_root, raw_videos, media, features, parse_size(shard_size),
                  labels_version, progress=not no_progress)
    lines = [f"{k} clips: {v}" for k, v in s.clips.items()] + [f"{k} shards written: {v}" for k, v in s.shards.items()]
    lines += [f"shards kept from an earlier run: {s.shards_kept}", f"files of an earlier export removed: {s.stale_removed}",
              f"clips without media: {len(set(s.missing_media))}"]
    if official_root:
        lines.append(f"official release problems: {s.official_problems} (in {out}/official_report.csv)")
    echo_summary(f"Hugging Face release -> {out} ({s.seconds:.1f} s)", "\n".join(lines))
    click.echo(f"load it: datasets.load_dataset(\"parquet\", data_dir=\"{out}/data\")")
    if repo:
        push_to_hub(out, repo)
        click.echo(f"uploaded to https://huggingface.co/datasets/{repo}")


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
