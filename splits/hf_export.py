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
(shards.json records each shard's clips and sha256).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ovavel import SEGMENTS_PER_CLIP
from ovavel.errors import OvavelError
from ovavel.formats import SPLIT_NAMES
from ovavel.layout import AUDIO_FILE, DataDir, SplitDir, frame_file
from ovavel.names import check_clip_id
from ovavel.tables import atomic_write, atomic_write_text, sha256_file, write_csv

PROVENANCE = {"a": "agreed", "j": "adjudicated", "p": "policy", "c": "corrected"}
MEDIA = ("none", "segments", "clips")
HUB_SPLIT = {"train": "train", "val": "validation", "test": "test"}
CITATION = """@inproceedings{zhou2025towards,
  title={Towards Open-Vocabulary Audio-Visual Event Localization},
  author={Zhou, Jinxing and Guo, Dan and Guo, Ruohao and Mao, Yuxin and Hu, Jingjing and Zhong, Yiran and
          Chang, Xiaojun and Wang, Meng},
  booktitle={CVPR},
  year={2025}
}"""
_CLIP_ID = re.compile(r"^(?P<yt>.+)_(?P<start>\d{6})$")


def parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?\s*", str(text).lower())
    if not m:
        raise OvavelError(f"--shard-size: expected a size such as 1GB, 500MB or 1000000, but got {text!r}")
    unit = (m.group(2) or "b").rstrip("b").replace("i", "")
    return int(float(m.group(1)) * 1000 ** " kmgt".index(unit or " ")) if unit else int(float(m.group(1)))


@dataclass
class Sample:
    clip_id: str
    files: list[tuple[str, Path | bytes]]  # (member name, source file or bytes)

    def size(self) -> int:
        return sum(len(s) if isinstance(s, bytes) else s.stat().st_size for _, s in self.files) + 1024 * len(self.files)


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
    report_path = SplitDir.at(split_dir).report
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    source = report.get("source") if isinstance(report, dict) else None
    if not isinstance(source, dict) or "anno" not in source:
        return None
    starts = {}
    ids = SplitDir.at(split_dir).root / "official_ids.csv"
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


def media_sample(kind: str, cid: str, meta: dict, data: DataDir | None, official: dict | None) -> Sample | None:
    """The files of one clip's WebDataset sample, or None when its media are missing. Member names
    are `{clip id}.{what}`: a clip id has no dot or slash (ovavel.names), so the WebDataset key is
    the whole id and no member can land outside the folder a tar is extracted into."""
    check_clip_id(cid)
    info = json.dumps(meta, sort_keys=True).encode()
    if kind == "clips":
        mp4 = data.clip(cid) if data else None
        return Sample(cid, [(f"{cid}.mp4", mp4), (f"{cid}.json", info)]) if mp4 and mp4.exists() else None
    if official is not None:
        clip = official.get(cid)
        if clip is None:
            return None
        frames, audio = list(clip.images), clip.audio
    else:
        seg = data.segments(cid)
        frames, audio = [seg / frame_file(k) for k in range(SEGMENTS_PER_CLIP)], seg / AUDIO_FILE
    if not audio.exists() or not all(f.exists() for f in frames) or len(frames) != SEGMENTS_PER_CLIP:
        return None
    files = [(f"{cid}.frame_{k}{f.suffix.lower()}", f) for k, f in enumerate(frames)]
    return Sample(cid, files + [(f"{cid}.wav", audio), (f"{cid}.json", info)])


def plan_shards(samples: list[Sample], limit: int) -> list[list[Sample]]:
    shards, current, size = [], [], 0
    for s in samples:
        n = s.size()
        if current and size + n > limit:
            shards.append(current)
            current, size = [], 0
        current.append(s)
        size += n
    return shards + ([current] if current else [])


class _HashingFile:
    """A file that hashes what is written to it (the shard's sha256 without reading it back)."""

    def __init__(self, f):
        self.f, self.h = f, hashlib.sha256()

    def write(self, b):
        self.h.update(b)
        return self.f.write(b)

    def tell(self):
        return self.f.tell()


def write_shard(samples: list[Sample], path: Path) -> str:
    """Write one tar shard (atomically); its sha256."""
    digest = []

    def write(raw) -> None:
        out = _HashingFile(raw)
        with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
            for s in samples:
                for name, src in s.files:
                    ti = tarfile.TarInfo(name)
                    ti.mtime, ti.mode = 0, 0o644  # reproducible: no dates, no owners
                    if isinstance(src, bytes):
                        ti.size = len(src)
                        tar.addfile(ti, io.BytesIO(src))
                    else:
                        ti.size = src.stat().st_size
                        with open(src, "rb") as f:
                            tar.addfile(ti, f)
        digest.append(out.h.hexdigest())

    atomic_write(path, write)
    return digest[0]


SHARD_KINDS = ("segments", "clips", "features")


def remove_stale(out: Path, record: dict, planned: set[str]) -> int:
    """Shards of an earlier export that this one's plan does not hold (another --shard-size, media
    or split), and `.part` files of a killed run: removed, so the release and its checksums are
    exactly this export. Returns how many files went."""
    gone = 0
    for kind in SHARD_KINDS:
        for p in sorted((out / kind).glob("*.tar")) + sorted((out / kind).glob(".*.part")):
            if p.relative_to(out).as_posix() not in planned:
                p.unlink()
                gone += 1
        if kind == "features" and not any(r.startswith("features/") for r in planned):
            for p in [*(out / kind).glob("texts*.npy"), out / kind / "texts.json"]:
                if p.exists():
                    p.unlink()
                    gone += 1
    for p in list(out.glob(".*.part")) + list(out.glob("data/.*.part")):
        p.unlink()
        gone += 1
    for rel in [r for r in record if r not in planned]:
        del record[rel]
    return gone


def write_shards(kind: str, splits: dict, out: Path, limit: int, sample_of, record: dict, progress: bool,
                 summary: ExportSummary, planned: set[str]) -> None:
    from tqdm import tqdm

    for name, df in splits.items():
        samples = []
        for cid in df["clip_id"]:
            s = sample_of(cid)
            if s is None:
                summary.missing_media.append(cid)
            else:
                samples.append(s)
        for k, shard in enumerate(tqdm(plan_shards(samples, limit), desc=f"{kind} {name}", unit="shard",
                                       disable=not progress, dynamic_ncols=True)):
            rel = f"{kind}/{name}-{k:05d}.tar"
            planned.add(rel)
            ids = [s.clip_id for s in shard]
            old = record.get(rel)
            if old and old["clips"] == ids and (out / rel).exists() and sha256_file(out / rel) == old["sha256"]:
                summary.shards_kept += 1
                continue
            record[rel] = {"clips": ids, "sha256": write_shard(shard, out / rel)}
            atomic_write_text(out / "shards.json", json.dumps(record, indent=1) + "\n")  # progress survives a kill
            summary.shards[kind] = summary.shards.get(kind, 0) + 1


def feature_sample(store, index: dict, cid: str) -> Sample | None:
    import numpy as np

    i = index.get(check_clip_id(cid))
    if i is None:
        return None

    def npy(a) -> bytes:
        buf = io.BytesIO()
        np.save(buf, a)
        return buf.getvalue()

    return Sample(cid, [(f"{cid}.audio.npy", npy(store.audio[i])), (f"{cid}.visual.npy", npy(store.visual[i]))])


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


def dataset_card(out: Path, frames: dict, catalog, stats: dict, summary: ExportSummary, media: str, features: bool,
                 labels_version: str | None, problems: list[dict], official: dict | None = None) -> str:
    from ovavel.splits.stats import stats_markdown

    feats = [("clip_id", "string"), ("youtube_id", "string"), ("start_s", "int32"), ("class", "string"),
             ("group", "string"), ("split_type", "string")]
    yaml = ["---", "license: unknown  # to be filled in by the dataset's owner (the videos come from YouTube via "
                   "VGGSound)", "pretty_name: OV-AVEL benchmark (built with ovavel)",
            "task_categories:", "- video-classification", "- audio-classification", "tags:", "- audio-visual",
            "- event-localization", "- open-vocabulary", "configs:", "- config_name: default", "  data_files:"]
    for name in frames:  # the Hub's split names: val.parquet is the "validation" split, as load_dataset names it
        yaml += [f"  - split: {HUB_SPLIT[name]}", f"    path: data/{name}.parquet"]
    for kind in ([media] if media != "none" else []) + (["features"] if features else []):
        yaml += [f"- config_name: {kind}", "  data_files:"]  # the WebDataset shards, for the Hub's viewer
        for name in frames:
            if any((out / kind).glob(f"{name}-*.tar")):
                yaml += [f"  - split: {HUB_SPLIT[name]}", f"    path: {kind}/{name}-*.tar"]
    yaml += ["dataset_info:", "  features:"]
    for n, t in feats:
        yaml += [f"  - name: {n}", f"    dtype: {t}"]
    yaml += ["  - name: labels", "    sequence: int8", "  - name: provenance", "    sequence: string",
             "  - name: agreement", "    dtype: float64", "  splits:"]
    for name, df in frames.items():
        yaml += [f"  - name: {HUB_SPLIT[name]}", f"    num_examples: {len(df)}",
                 f"    num_bytes: {(out / 'data' / f'{name}.parquet').stat().st_size}"]
    yaml.append("---")
    class_rows = ["| class | VGGSound label | group | seen/unseen |", "|---|---|---|---|"] + [
        f"| {c.name} | {c.vggsound_label} | {c.group} | {c.split} |" for c in catalog.classes]
    media_text = {"none": "No media in this release (metadata and labels only).",
                  "segments": "`segments/{split}-{k:05d}.tar`: WebDataset shards, one sample per clip: ten frames "
                              "(`frame_0` .. `frame_9`, the middle of each second), the 16 kHz wav, and a json.",
                  "clips": "`clips/{split}-{k:05d}.tar`: WebDataset shards of the normalised 10-second mp4 clips."}[media]
    lines = yaml + ["", "# OV-AVEL benchmark", "",
                    "Open-vocabulary audio-visual event localization: each 10-second clip is labelled per second "
                    "(1: the audio-visual event of its class, 0: background). Built and exported with the ovavel "
                    "toolkit (`splits export-hf`).", "",
                    *(_official_text(official, frames) if official else [
                        f"Labels: {'version `' + labels_version + '`' if labels_version else 'the final labels'}; "
                        "`provenance` says per second whether both annotation rounds agreed, an adjudicator decided, "
                        "a policy resolved it, or a later correction changed it; `agreement` is the share of seconds "
                        "on which the two rounds agreed.", ""]),
                    "## Loading", "", "```python", "from datasets import load_dataset",
                    'ds = load_dataset("parquet", data_dir="RELEASE/data")   # or load_dataset("RELEASE")',
                    "```", "", media_text, ""]
    if features:
        lines += ["`features/{split}-{k:05d}.tar`: the encoder's audio and visual embeddings per clip "
                  "(`audio.npy`, `visual.npy`, [10, D]); `features/texts.json` and `texts*.npy` hold the text "
                  "embeddings.", ""]
    if problems:
        lines += [f"Official release check: {len(problems)} problem(s) with raw or preprocessed files, listed in "
                  "`official_report.csv`.", ""]
    if summary.missing_media:
        lines += [f"{len(set(summary.missing_media))} clip(s) without media in the shards.", ""]
    figures = [f"![{n.replace('_', ' ')}](figures/{n}.png)" for n in ("videos_per_class", "event_length")
               if (out / "figures" / f"{n}.png").exists()]
    lines += [stats_markdown(stats), *[x for f in figures for x in (f, "")],
              "## Classes", "", *class_rows, "", "## Citation", "", "```bibtex", CITATION, "```", "",
              "Checksums of every file: `checksums.sha256` (`sha256sum -c checksums.sha256`).", ""]
    return "\n".join(lines)


def _official_text(official: dict, frames: dict) -> list[str]:
    """What the card says of labels imported from the official release (`splits import-official`)."""
    def named(path: str) -> str:
        p = Path(path)
        return f"`{p.name}` (sha256 `{sha256_file(p)}`)" if p.is_file() else f"`{p.name}`"

    clips = sum(len(df) for df in frames.values())
    timed = sum(int(df["start_s"].notna().sum()) for df in frames.values())
    return [f"Labels and split: the official OV-AVEBench release, imported with `splits import-official` from "
            f"{named(official['meta'])} and {named(official['anno'])}. Clip ids are the official YouTube ids. The "
            "official release has no annotation rounds: `provenance` and `agreement` are null in every row.", "",
            f"`start_s`: the VGGSound start time where `official_ids.csv` maps the id to one VGGSound clip "
            f"({timed:,} of {clips:,} clips); null where the index has none or several.", ""]


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
