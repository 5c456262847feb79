"""`splits export-hf`: a benchmark as a Hugging Face dataset: parquet for metadata, labels and
splits; WebDataset tar shards for media and features; a dataset card; checksums.

RELEASE/
  data/{train,val,test}.parquet   clip_id, youtube_id, start_s, class, group, split_type,
                                  labels (ten 0/1), provenance (ten of agreed / adjudicated /
                                  policy / corrected, or null), agreement (round 1 vs 2, per clip)
  classes.parquet                 name, vggsound_label, group, split
  segments/{split}-{k:05d}.tar    --media segments: {id}.frame_0.jpg .. frame_9.jpg, {id}.wav, {id}.json
  clips/{split}-{k:05d}.tar       --media clips: {id}.mp4, {id}.json
  features/{split}-{k:05d}.tar    --features: {id}.audio.npy, {id}.visual.npy; features/texts*.npy, texts.json
  figures/*.png                   the statistics figures of `splits stats`
  README.md                       the dataset card (YAML header the Hub reads)
  official_report.csv             --official-root: raw files missing, empty, short or without preprocessing
  checksums.sha256                every file above

Every file is written to a dot-name and renamed. Shards are planned from the file sizes before
any is written, so a rerun makes the same shards and skips every one already complete
(shards.json records each shard's clips and sha256). This module gathers the tables and runs the
export; the shards are splits/hf_shards.py's job, the card splits/hf_card.py's.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from ovavel import SEGMENTS_PER_CLIP
from ovavel.errors import OvavelError
from ovavel.formats import SPLIT_NAMES
from ovavel.layout import DataDir, SplitDir
from ovavel.splits.hf_card import dataset_card
from ovavel.splits.hf_shards import feature_sample, media_sample, remove_stale, write_shards
from ovavel.splits.hf_shards import parse_size  # noqa: F401  (the CLI's --shard-size, as before)
from ovavel.tables import atomic_write, atomic_write_text, sha256_file, write_csv

PROVENANCE = {"a": "agreed", "j": "adjudicated", "p": "policy", "c": "corrected"}
MEDIA = ("none", "segments", "clips")
_CLIP_ID = re.compile(r"^(?P<yt>.+)_(?P<start>\d{6})$")


@dataclass
class ExportSummary:
    clips: dict[str, int]
    shards: dict[str, int] = field(default_factory=dict)
    shards_kept: int = 0
    missing_media: list[str] = field(default_factory=list)
    official_problems: int = 0
    stale_removed: int = 0  # files of an earlier export with another plan, and stale .part files
    seconds: float = 0.0


def split_frames(b, catalog, agreement: dict[str, float], provenance: dict[str, tuple[str, str]],
                 starts: dict[str, int] | None = None) -> dict:
    """{split: DataFrame of the release's columns} from the loaded benchmark tables; `provenance`:
    clip -> (labels, provenance) of the annotation's final labels, used where the labels match;
    `starts`: YouTube id -> VGGSound start time of an official id (official_ids.csv, unique ones)."""
    starts = starts or {}
    import pandas as pd

    labels = b.labels.set_index("clip_id")
    manifest = b.clips.set_index("clip_id") if "clip_id" in b.clips.columns and len(b.clips) else None
    out = {}
    for name in SPLIT_NAMES:
        rows = b.splits[b.splits["split"] == name]
        if not len(rows):
            continue
        records = []
        for r in rows.itertuples(index=False):
            cid = r.clip_id
            if cid not in labels.index:
                raise OvavelError(f"clip {cid!r} of {name}.csv has no labels")
            lab = labels.loc[cid]
            yt, start = _youtube(cid, manifest)
            if start is None:
                start = starts.get(cid)
            known = provenance.get(cid)
            prov = known[1] if known and known[0] == lab["labels"] else ""
            records.append({"clip_id": cid, "youtube_id": yt, "start_s": start, "class": lab["class"],
                            "group": catalog.get(lab["class"]).group, "split_type": r.split_type,
                            "labels": [int(c) for c in lab["labels"]],
                            "provenance": [PROVENANCE.get(p) for p in prov] if prov else None,
                            "agreement": agreement.get(cid)})
        out[name] = pd.DataFrame.from_records(records)
    return out


def official_source(split_dir: Path) -> dict | None:
    """{"meta", "anno", "starts"} of a split folder made by `splits import-official` (its
    split_report.json names the source files; official_ids.csv resolves ids to start times), or None."""
    folder = SplitDir.at(split_dir)
    report = json.loads(folder.report.read_text()) if folder.report.exists() else {}
    source = report.get("source") if isinstance(report, dict) else None
    if not isinstance(source, dict) or "anno" not in source:
        return None
    starts = {}
    ids = folder.root / "official_ids.csv"
    if ids.exists():
        from ovavel.tables import read_csv

        for r in read_csv(ids):
            m = _CLIP_ID.match(r.get("vggsound_clip_ids") or "")
            if r.get("status") == "unique" and m:
                starts[r["youtube_id"]] = int(m["start"])
    return {"meta": source.get("meta", ""), "anno": source["anno"], "starts": starts}


def final_provenance(data_dir, labels_version: str | None) -> dict[str, tuple[str, str]]:
    """clip -> (labels, provenance) from the annotation's final labels (or the labels version)."""
    from ovavel.tables import read_csv

    if not data_dir:
        return {}
    data = DataDir.at(data_dir)
    path = data.annotation_dir / ("versions/" + labels_version + "/labels.csv" if labels_version else "labels.csv")
    if not path.exists():
        return {}
    return {r["clip_id"]: (r["labels"], r.get("provenance") or "") for r in read_csv(path)}


def _youtube(cid: str, manifest) -> tuple[str, int | None]:
    if manifest is not None and cid in manifest.index and "youtube_id" in manifest.columns:
        import pandas as pd

        row = manifest.loc[cid]
        start = row.get("start_s")
        return str(row["youtube_id"]), None if pd.isna(start) else int(start)
    m = _CLIP_ID.match(cid)
    return (m["yt"], int(m["start"])) if m else (cid, None)  # official ids are YouTube ids


def round_agreement(rounds: dict) -> dict[str, float]:
    """Per clip, the share of seconds on which round 1 and round 2 agree."""
    if "1" not in rounds or "2" not in rounds:
        return {}
    r1 = dict(zip(rounds["1"]["clip_id"], rounds["1"]["labels"]))
    r2 = dict(zip(rounds["2"]["clip_id"], rounds["2"]["labels"]))
    return {c: sum(x == y for x, y in zip(r1[c], r2[c])) / SEGMENTS_PER_CLIP for c in r1 if c in r2}


def write_parquet(df, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([("clip_id", pa.string()), ("youtube_id", pa.string()), ("start_s", pa.int32()),
                        ("class", pa.string()), ("group", pa.string()), ("split_type", pa.string()),
                        ("labels", pa.list_(pa.int8())), ("provenance", pa.list_(pa.string())),
                        ("agreement", pa.float64())])
    table = pa.Table.from_pandas(df, schema=schema, preserve_index=False)
    atomic_write(path, lambda f: pq.write_table(table, f))


def export_hf(split_dir: str | os.PathLike, out: str | os.PathLike, data_dir: str | os.PathLike | None = None,
              official_root: str | os.PathLike | None = None, raw_videos: str | os.PathLike | None = None,
              media: str = "none", features: str | os.PathLike | None = None, shard_size: int = 10 ** 9,
              labels_version: str | None = None, progress: bool = True) -> ExportSummary:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ovavel.frames import load
    from ovavel.splits.stats import plot_stats, split_stats

    t0 = time.perf_counter()
    if media not in MEDIA:
        raise OvavelError(f"--media: expected one of {', '.join(MEDIA)}, but got {media!r}")
    if data_dir and official_root:
        raise OvavelError("pass --data DIR or --official-root ROOT, not both")
    if media != "none" and not (data_dir or official_root):
        raise OvavelError(f"--media {media} needs --data DIR (or --official-root ROOT for segments)")
    if media == "clips" and official_root:
        raise OvavelError("--media clips needs --data DIR: the official release has no normalised clips")
    split_dir, out = Path(split_dir), Path(out)
    b = load(data_dir, splits=split_dir, labels_version=labels_version)
    if not len(b.splits):
        raise OvavelError(f"{split_dir}: no train.csv, val.csv or test.csv")
    if not len(b.labels):
        raise OvavelError(f"no labels: {split_dir}/labels.csv is missing (or pass --data with annotation/labels.csv)")
    catalog = SplitDir.at(split_dir).catalog()
    official_labels = official_source(split_dir)
    frames = split_frames(b, catalog, round_agreement(b.rounds), final_provenance(data_dir, labels_version),
                          official_labels["starts"] if official_labels else None)
    out.mkdir(parents=True, exist_ok=True)
    summary = ExportSummary({k: len(v) for k, v in frames.items()})
    for name, df in frames.items():
        write_parquet(df, out / "data" / f"{name}.parquet")
    classes = pa.table({"name": catalog.names, "vggsound_label": [c.vggsound_label for c in catalog.classes],
                        "group": [c.group for c in catalog.classes], "split": [c.split or "" for c in catalog.classes]})
    atomic_write(out / "classes.parquet", lambda f: pq.write_table(classes, f))
    record = json.loads((out / "shards.json").read_text()) if (out / "shards.json").exists() else {}
    data = DataDir.at(data_dir) if data_dir else None
    official = None
    if official_root:
        from ovavel.curation.official import from_official_root

        official = {c.clip_id: c for c in from_official_root(official_root)[0]}
    meta = {cid: {"clip_id": cid, "class": cls, "labels": lab} for cid, cls, lab in
            zip(b.labels["clip_id"], b.labels["class"], b.labels["labels"])}
    planned: set[str] = set()
    if media != "none":
        write_shards(media, frames, out, shard_size, lambda c: media_sample(media, c, meta[c], data, official), record,
                     progress, summary, planned)
    if features:
        from ovavel.feature_store import FeatureStore

        store = FeatureStore(features).load()
        index = store.index()
        write_shards("features", frames, out, shard_size, lambda c: feature_sample(store, index, c), record, progress,
                     summary, planned)
        for f in sorted(Path(features).glob("texts*.npy")):
            atomic_write(out / "features" / f.name, lambda dst, f=f: dst.write(f.read_bytes()))
        atomic_write_text(out / "features" / "texts.json", json.dumps({"texts": store.texts, "meta": {
            k: v for k, v in store.meta.items() if k != "texts"}}, indent=2) + "\n")
    summary.stale_removed = remove_stale(out, record, planned)
    atomic_write_text(out / "shards.json", json.dumps(record, indent=1) + "\n")
    problems = []
    if official_root:
        problems = official_problems(official_root, raw_videos, [c for df in frames.values() for c in df["clip_id"]])
        write_csv(out / "official_report.csv", problems, ["clip_id", "problem", "detail"])
        summary.official_problems = len(problems)
    stats = split_stats(split_dir)
    (out / "figures").mkdir(exist_ok=True)
    made = [split_dir / n for n in ("videos_per_class.png", "event_length.png")]
    if all(f.exists() for f in made):  # `splits stats` drew them already
        for f in made:
            atomic_write(out / "figures" / f.name, lambda dst, f=f: dst.write(f.read_bytes()))
    else:
        plot_stats(stats, out / "figures")
    atomic_write_text(out / "README.md", dataset_card(out, frames, catalog, stats, summary, media, bool(features),
                                                      labels_version, problems, official_labels))
    write_checksums(out, {rel: r["sha256"] for rel, r in record.items()})
    summary.seconds = time.perf_counter() - t0
    return summary


def official_problems(root: str | os.PathLike, raw_videos: str | os.PathLike | None, ids: list[str]) -> list[dict]:
    """Each raw video that is missing, zero bytes, shorter than 10 s, or without preprocessed audio
    and ten frames under ROOT (the official release's issue #6), one row per problem."""
    from ovavel.curation.ffmpeg_tools import FFmpegError, probe
    from ovavel.curation.official import from_official_root

    preprocessed = {c.clip_id for c in from_official_root(root)[0]}
    raw = {p.stem: p for p in Path(raw_videos).rglob("*") if p.is_file()} if raw_videos else {}
    rows = []
    for cid in sorted(set(ids) | set(raw)):
        if cid not in preprocessed:
            rows.append({"clip_id": cid, "problem": "no_preprocessed", "detail": "no audio .wav and ten frames under "
                                                                                 f"{root}"})
        if not raw_videos:
            continue
        path = raw.get(cid)
        if path is None:
            rows.append({"clip_id": cid, "problem": "missing", "detail": f"no raw video {cid}.* under {raw_videos}"})
        elif path.stat().st_size == 0:
            rows.append({"clip_id": cid, "problem": "zero_bytes", "detail": str(path)})
        else:
            try:
                duration = probe(path).duration or 0.0
            except FFmpegError as e:
                rows.append({"clip_id": cid, "problem": "unreadable", "detail": e.message[:200]})
                continue
            if duration < SEGMENTS_PER_CLIP - 0.05:
                rows.append({"clip_id": cid, "problem": "shorter_than_10s", "detail": f"{duration:.2f} s: {path}"})
    return rows


def write_checksums(out: Path, known: dict[str, str]) -> None:
    """checksums.sha256 over every file; `known`: digests of shards (relative path -> sha256)
    computed as they were written or checked, not read again."""
    files = sorted(p for p in out.rglob("*") if p.is_file() and p.name != "checksums.sha256"
                   and not p.name.startswith("."))
    lines = []
    for p in files:
        rel = p.relative_to(out).as_posix()
        lines.append(f"{known.get(rel) or sha256_file(p)}  {rel}\n")
    atomic_write_text(out / "checksums.sha256", "".join(lines))


def upload_plan(release: str | os.PathLike, repo: str) -> dict:
    """The huggingface_hub calls `--push-to-hub` makes (tested without a network)."""
    return {"create_repo": {"repo_id": repo, "repo_type": "dataset", "exist_ok": True},
            "upload_folder": {"folder_path": str(release), "repo_id": repo, "repo_type": "dataset",
                              "ignore_patterns": ["shards.json", ".*"],
                              "commit_message": "Upload OV-AVEL benchmark (ovavel splits export-hf)"}}


def push_to_hub(release: str | os.PathLike, repo: str, token: str | None = None) -> None:
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    plan = upload_plan(release, repo)
    api.create_repo(**plan["create_repo"])
    api.upload_folder(**plan["upload_folder"])
