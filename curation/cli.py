"""The `curate` command group: a thin layer over the curation library functions."""

from __future__ import annotations

import click

from ovavel.catalog import load_catalog, read_class_list
from ovavel.cli_common import (
    Group, echo_summary, example, format_table, locks_folders, no_progress, parse_csv_list)
from ovavel.curation.download import DEFAULT_FORMAT, YOUTUBE_URL, DownloadOptions, download_clips
from ovavel.curation.manifest import QUALITY_FLAGS
from ovavel.curation.merge import merge_shards
from ovavel.curation.normalise import NormaliseOptions
from ovavel.curation.quality import CheckOptions, check_clips
from ovavel.curation.segments import SegmentOptions, segment_clips
from ovavel.curation.selection import select_index
from ovavel.curation.shards import parse_shard
from ovavel.curation.status import data_status, format_status
from ovavel.curation.vggsound_index import per_class_counts, write_index, write_rejects
from ovavel.errors import OvavelError
from ovavel.layout import DataDir


@click.group(cls=Group, help="Build a benchmark from VGGSound: filter, download, segment, check.")
def curate():
    pass


_index_option = click.option("--index", type=click.Path(dir_okay=False),
                             help="Raw VGGSound csv, or an index.csv from `curate filter` (recognised by its "
                                  "header). Default: a cached copy of the public VGGSound csv.")
_classes_option = click.option("--classes", "classes_file", type=click.Path(dir_okay=False),
                               help="Class list, one OV name or exact VGGSound label a line "
                                    "(default: the 67 OV-AVEBench classes).")
_catalog_option = click.option("--catalog", type=click.Path(dir_okay=False),
                               help="classes.csv giving group and split of custom classes (default: bundled).")


def _class_names(classes_file):
    return read_class_list(classes_file) if classes_file else load_catalog().names


@curate.command("filter", epilog=example(
    "curate filter --index vggsound.csv --classes classes.txt -o index.csv",
    "curate filter --index vggsound.csv --classes my_classes.txt --catalog my_catalog.csv -o index.csv"))
@_index_option
@_classes_option
@_catalog_option
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False), help="index.csv to write.")
@click.option("--max-per-class", type=int, help="Keep at most N clips per class (first in index order).")
def filter_cmd(index, classes_file, catalog, out, max_per_class):
    """The VGGSound rows of the chosen classes, as an index.csv."""
    rows, rejects = select_index(index, _class_names(classes_file), load_catalog(catalog), max_per_class)
    write_index(out, rows)
    if rejects:
        rejects_path = out[:-4] + "_rejects.csv" if out.endswith(".csv") else out + ".rejects.csv"
        write_rejects(rejects_path, rejects)
        click.echo(f"{len(rejects)} bad row(s) written to {rejects_path}")
    counts = per_class_counts(rows)
    echo_summary(f"{len(rows)} clips in {len(counts)} classes -> {out}",
                 format_table(["class", "clips"], sorted(counts.items())))


@curate.command("download", epilog=example(
    "curate download --classes classes.txt --out data/ovave --workers 8",
    "curate download --index index.csv --out data/shard3 --shard 3/16 --cookies cookies.txt",
    "curate download --out data/demo --url-template 'http://127.0.0.1:8000/{youtube_id}.mp4'"))
@_classes_option
@click.option("--out", "--data", "out", required=True, type=click.Path(file_okay=False),
              help="Data folder DIR (every later command takes it as --data DIR).")
@_index_option
@_catalog_option
@click.option("--workers", type=int, default=4, show_default=True, help="Parallel downloads.")
@click.option("--shard", help="Only shard i of N (0-based), e.g. 3/16; join shards with `curate merge`.")
@click.option("--url-template", default=YOUTUBE_URL, show_default=True, help="Source URL; {youtube_id} is filled in.")
@click.option("--cookies", type=click.Path(exists=True, dir_okay=False),
              help="Netscape cookies file for yt-dlp (YouTube often asks to sign in).")
@click.option("--retries", type=int, default=3, show_default=True, help="Retries of transient failures.")
@click.option("--backoff", type=float, default=2.0, show_default=True,
              help="First back-off pause in seconds (doubles on each further rate limit).")
@click.option("--max-per-class", type=int, help="At most N clips per class (first in index order).")
@click.option("--retry-failed", is_flag=True, help="Also retry clips that failed permanently before.")
@click.option("--verify", is_flag=True, help="Hash every finished clip before skipping it (default: size and "
                                              "modification time, hashing only clips whose time changed).")
@click.option("--no-sections", is_flag=True, help="Always fetch whole videos and trim locally.")
@click.option("--format", "fmt", default=DEFAULT_FORMAT, show_default=True, help="yt-dlp format selector.")
@click.option("--fps", type=int, default=25, show_default=True, help="Frame rate of the normalised clips.")
@no_progress
@locks_folders("out")
def download_cmd(classes_file, out, index, catalog, workers, shard, url_template, cookies, retries,
                 backoff, max_per_class, retry_failed, verify, no_sections, fmt, fps, no_progress):
    """Download, trim to exactly 10.0 s and normalise each clip (resumable: rerun to continue)."""
    if "{youtube_id}" not in url_template:
        raise OvavelError(f"--url-template must contain {{youtube_id}}, but got {url_template!r}")
    data = DataDir.at(out)
    rows, rejects = select_index(index, _class_names(classes_file), load_catalog(catalog), max_per_class,
                                 shard=parse_shard(shard))
    data.root.mkdir(parents=True, exist_ok=True)
    write_index(data.index, rows)
    write_rejects(data.rejects, rejects)
    if rejects:
        click.echo(f"{len(rejects)} bad index row(s) listed in {data.rejects}")
    opts = DownloadOptions(url_template=url_template, workers=workers, retries=retries, backoff_base_s=backoff,
                           cookies=cookies, retry_failed=retry_failed, verify=verify, fmt=fmt, sections=not no_sections,
                           normalise=NormaliseOptions(fps=fps))
    summary = download_clips(rows, data, opts, progress=not no_progress)
    table = format_table(["status", "clips"], sorted(summary.counts.items(), key=lambda kv: (not kv[0].startswith("ok"), kv[0])))
    note = f"\nrate-limit pauses: {len(summary.pauses)} ({sum(summary.pauses):.1f} s)" if summary.pauses else ""
    echo_summary(f"download: {len(rows)} clips in {summary.elapsed_s:.1f} s -> {data.root}", table + note)
    if summary.failed:
        click.echo("failed clips keep their status and reason in ledger.jsonl; rerun to retry transient ones, "
                   "--retry-failed for the rest")
    if rows and summary.failed == sum(summary.counts.values()):
        raise OvavelError(f"no clip succeeded: all {summary.failed} failed (exit code 1); the reasons are in "
                          f"{data.ledger}")


@curate.command("segments", epilog=example("curate segments --data data/ovave --workers 4"))
@click.option("--data", required=True, type=click.Path(file_okay=False, exists=True), help="Data folder DIR.")
@click.option("--workers", type=int, help="Clips in parallel (default: one per CPU).")
@click.option("--downmix", is_flag=True, help="Average all audio channels instead of taking channel 0.")
@click.option("--force", is_flag=True, help="Redo clips that already have segments.")
@no_progress
@locks_folders("data")
def segments_cmd(data, workers, downmix, force, no_progress):
    """Ten middle frames (t = k + 0.5 s) and 16 kHz mono audio per usable clip."""
    summary = segment_clips(DataDir.at(data), workers, SegmentOptions(downmix=downmix), force=force,
                            progress=not no_progress)
    echo_summary(f"segments: {sum(summary.counts.values())} clips in {summary.elapsed_s:.1f} s",
                 format_table(["status", "clips"], sorted(summary.counts.items())))


@curate.command("check", epilog=example("curate check --data data/ovave",
                                        "curate check --data data/ovave --allow frozen_video"))
@click.option("--data", required=True, type=click.Path(file_okay=False, exists=True), help="Data folder DIR.")
@click.option("--allow", help=f"Comma-separated flags that do not make a clip unusable ({', '.join(QUALITY_FLAGS)}).")
@click.option("--silence-db", type=float, default=-60.0, show_default=True, help="Max volume at or below this is silent.")
@click.option("--frozen-min", type=float, default=9.0, show_default=True, help="Frozen for this many seconds is frozen video.")
@click.option("--workers", type=int, default=2, show_default=True)
@click.option("--force", is_flag=True, help="Measure every clip again.")
@click.option("--deep", is_flag=True, help="Also decode both streams of every clip, looking for damage (slower).")
@no_progress
@locks_folders("data")
def check_cmd(data, allow, silence_db, frozen_min, workers, force, deep, no_progress):
    """Quality flags per clip in clips.csv; flagged clips and reject_list.txt ids become not usable."""
    allowed = set(parse_csv_list(allow))
    unknown = allowed - set(QUALITY_FLAGS)
    if unknown:
        raise OvavelError(f"--allow: expected flags among {QUALITY_FLAGS}, but got {sorted(unknown)}")
    s = check_clips(DataDir.at(data), CheckOptions(silence_db, frozen_min, workers=workers, deep=deep), allowed,
                    force=force, progress=not no_progress)
    rows = [[f, n] for f, n in sorted(s.flags.items())] + [["usable", s.usable], ["not usable", s.not_usable]]
    echo_summary(f"check: {s.checked} clips measured, {s.kept} unchanged, in {s.elapsed_s:.1f} s",
                 format_table(["flag", "clips"], rows))
    if s.damaged:
        click.echo(f"{s.damaged} clip(s) on disk are not the files the ledger recorded (damaged_file): rerun "
                   f"`curate download --out {data}` to fetch them again")


@curate.command("status", epilog=example("curate status --data data/ovave"))
@click.option("--data", required=True, type=click.Path(file_okay=False, exists=True), help="Data folder DIR.")
def status_cmd(data):
    """Counts by status and by class, from the ledger."""
    click.echo(format_status(data_status(DataDir.at(data))))


@curate.command("merge", epilog=example("curate merge data/shard0 data/shard1 data/shard2 --data data/ovave"))
@click.argument("shard_dirs", nargs=-1, required=True, type=click.Path(file_okay=False, exists=True))
@click.option("--data", required=True, type=click.Path(file_okay=False), help="Data folder to merge into.")
@no_progress
@locks_folders("shard_dirs", "data")
def merge_cmd(shard_dirs, data, no_progress):
    """One data folder from the shard folders of a sharded download."""
    counts = merge_shards(list(shard_dirs), data, progress=not no_progress)
    echo_summary(f"merged {len(shard_dirs)} shard(s) into {data}", format_table(["what", "count"], list(counts.items())))
