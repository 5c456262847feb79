"""Build the results and annotation browser: a static site (plain HTML, CSS, JavaScript; no server,
no build step) that works opened from disk and from any static host.

OUT/index.html, app.js, style.css (copied from ovavel/browse/assets), OUT/data.js (every figure
the page shows, one JSON object assigned to `window.OVAVEL_DATA`: browsers refuse `fetch` of a
file:// URL, but load a script beside the page), OUT/thumbs/{clip}.jpg (the middle frame of
second 4), OUT/media/ (each clip's mp4, or its ten frames and wav where only segments exist:
hard links where the file system allows, copies otherwise) and OUT/figures/ (each results
folder's per-class figure).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path



from ovavel import BACKGROUND, SEGMENTS_PER_CLIP, UNASSIGNED
from ovavel.browse.errors import ERROR_TYPES, error_types
from ovavel.catalog import ClassCatalog
from ovavel.errors import OvavelError
from ovavel.formats import read_labels, read_predictions, read_split
from ovavel.layout import AUDIO_FILE, DataDir, frame_file
from ovavel.formats import METRIC_KEYS
from ovavel.metrics.published import METRICS, published_rows
from ovavel.metrics.report import pct, score_arrays
from ovavel.names import check_clip_id
from ovavel.tables import atomic_write, atomic_write_text, read_csv

ASSETS = ("index.html", "app.js", "style.css")
ROUNDS = (("1", "round 1"), ("2", "round 2"), ("adjudicate", "adjudicated"))
THUMB_WIDTH = 160


@dataclass
class SiteSummary:
    clips: int
    methods: list[str]
    with_video: int
    with_frames: int
    without_media: int
    seconds: float
    notes: list[str] = field(default_factory=list)


def method_name(path: Path, taken: set[str]) -> str:
    name = path.name.replace("_", "-")
    while name in taken:
        name = f"{path.parent.name}/{name}"
    return name


def build_site(data_dir: str | os.PathLike | None, labels_path: str | os.PathLike, results: list[str | os.PathLike],
               out: str | os.PathLike, catalog: ClassCatalog, split: str | os.PathLike | None = None,
               media: str = "link", progress: bool = True) -> SiteSummary:
    """Write the site into `out`; `media`: link (hard links, copies across file systems), copy, or
    none (thumbnails only)."""
    from tqdm import tqdm

    t0 = time.perf_counter()
    out = Path(out)
    names = set(catalog.names)
    labels = read_labels(labels_path, names)
    if split:
        rows = read_split(split)
        missing = [r.clip_id for r in rows if r.clip_id not in labels]
        if missing:
            raise OvavelError(f"{split}: clip {missing[0]!r} has no labels in {labels_path}")
        ids = [r.clip_id for r in rows]
    else:
        ids = list(labels)
    data = DataDir.at(data_dir) if data_dir else None
    methods, taken = [], set()
    for r in results:
        path = Path(r)
        if not (path / "predictions.csv").exists():
            raise OvavelError(f"--results {path}: no predictions.csv (a folder made by `baseline eval` or "
                              "`ovavel metrics`)")
        name = method_name(path, taken)
        taken.add(name)
        methods.append((name, path, read_predictions(path / "predictions.csv", names)))
    class_index = {c: i for i, c in enumerate(catalog.names)}
    out.mkdir(parents=True, exist_ok=True)
    for where in (".", "thumbs", "figures", "media", "media/*"):
        for stale in out.glob(f"{where}/.*.part"):
            stale.unlink(missing_ok=True)  # the temporary files of a killed build
    for sub in ("thumbs", "media", "figures"):
        (out / sub).mkdir(exist_ok=True)

    clips = []
    for cid in ids:
        lab = labels[cid]
        c = catalog.get(lab.cls)
        clips.append({"id": cid, "class": class_index[lab.cls], "group": c.group, "split": c.split or "",
                      "labels": lab.labels, "pred": {}, "scores": {}, "errors": {}})
    by_id = {c["id"]: c for c in clips}

    method_rows = []
    for name, path, preds in methods:
        have = [cid for cid in ids if cid in preds]
        report = score_arrays(have, [labels[c].cls for c in have], [labels[c].labels for c in have],
                              [preds[c] for c in have], catalog)
        for i, cid in enumerate(have):
            clip = by_id[cid]
            clip["pred"][name] = [encode_second(s, class_index) for s in preds[cid]]
            clip["scores"][name] = [round(float(getattr(report.scores, k)[i]), 4) for k in ("acc", "seg_f1", "event_f1")]
            clip["errors"][name] = [ERROR_TYPES.index(e) for e in error_types(labels[cid].cls, labels[cid].labels,
                                                                              preds[cid])]
        figure = None
        if (path / "per_class.png").exists():
            figure = f"figures/{name.replace('/', '_')}_per_class.png"
            put(path / "per_class.png", out / figure, "copy")
        report_md = path / "report.md"
        random_weights = report_md.exists() and "RANDOM WEIGHTS" in report_md.read_text(encoding="utf-8")
        method_rows.append({"name": name, "path": str(path), "clips": len(have), "figure": figure,
                            "random_weights": random_weights,
                            "summary": {g: _figures(s) for g, s in report.summary.items()},
                            "per_class": {r["class"]: _figures(r) for r in report.per_class}})

    annotation = annotation_data(data, by_id) if data else None
    counts = {"video": 0, "frames": 0, "none": 0}
    for clip in tqdm(clips, desc="site media", unit="clip", disable=not progress, dynamic_ncols=True):
        kind = place_media(data, clip, out, media)
        counts[kind] += 1

    payload = {"title": "ovavel results", "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "labels": str(labels_path), "split": str(split) if split else None,
               "background": BACKGROUND, "error_types": list(ERROR_TYPES),
               "classes": [{"name": c.name, "group": c.group, "split": c.split or ""} for c in catalog.classes],
               "methods": method_rows, "rounds": [{"key": k, "title": t} for k, t in ROUNDS],
               "annotation": annotation, "clips": clips, "published": published_payload()}
    atomic_write_text(out / "data.js", "window.OVAVEL_DATA = " + json.dumps(payload, separators=(",", ":")) + ";\n")
    assets = resources.files("ovavel.browse") / "assets"
    for name in ASSETS:
        atomic_write_text(out / name, (assets / name).read_text(encoding="utf-8"))
    return SiteSummary(len(clips), [m[0] for m in methods], counts["video"], counts["frames"], counts["none"],
                       time.perf_counter() - t0)


def encode_second(name: str, class_index: dict[str, int]) -> int:
    """A predicted second as the page reads it: a class index, -1 background, -2 unassigned."""
    if name == BACKGROUND:
        return -1
    if name == UNASSIGNED:
        return -2
    return class_index[name]


def _figures(s: dict) -> dict:
    """Figures for sorting (full precision) and as shown: the report's own percent strings, so the
    site and report.md never differ by a rounding."""
    return {**{k: None if s[k] != s[k] else float(s[k]) for k in METRIC_KEYS}, "videos": int(s["videos"]),
            "shown": {k: pct(s[k]) for k in METRIC_KEYS}}


def published_payload() -> list[dict]:
    """The paper's Table 2 rows (percent as printed), for the overview beside the user's methods."""
    return [{"name": name, "summary": {g: {**{key: figures[g][m] / 100 for m, key in METRICS},
                                           "shown": {key: f"{figures[g][m]:.1f}" for m, key in METRICS}}
                                       for g in figures}}
            for name, figures in published_rows("2").items()]


def annotation_data(data: DataDir, by_id: dict[str, dict]) -> dict | None:
    """Every round's answer per clip (with the annotator), the final provenance, the agreement
    report and the disputed clips; None when the folder holds no annotation rounds."""
    folder = data.annotation_dir
    found = False
    lead_times = []
    for key, _ in ROUNDS:
        path = folder / f"labels_round{key}.csv"
        if not path.exists():
            continue
        found = True
        for r in read_csv(path):
            lead_times.append(r.get("lead_time") or "")
            if r["clip_id"] in by_id:
                by_id[r["clip_id"]].setdefault("rounds", {})[key] = {"annotator": r["annotator"], "labels": r["labels"]}
    if not found:
        return None
    if (folder / "labels.csv").exists():
        for r in read_csv(folder / "labels.csv"):
            if r["clip_id"] in by_id and r.get("provenance"):
                by_id[r["clip_id"]]["provenance"] = r["provenance"]
    agreement = json.loads((folder / "agreement.json").read_text()) if (folder / "agreement.json").exists() else None
    disputed = [r for r in read_csv(folder / "disagreements.csv")] if (folder / "disagreements.csv").exists() else []
    return {"agreement": agreement, "disputed": [{"id": r["clip_id"], "seconds": [int(x) for x in r["disputed"].split(",")
                                                                                  if x]} for r in disputed],
            "scripted": bool(lead_times) and all(_no_time(t) for t in lead_times)}


def _no_time(lead_time: str) -> bool:
    """True for an answer with no time spent on it (a script's: a person's page always records one)."""
    try:
        return float(lead_time or 0) == 0.0
    except ValueError:
        return False


def place_media(data: DataDir | None, clip: dict, out: Path, mode: str) -> str:
    """Thumbnail and media of one clip into the site; "video", "frames" or "none"."""
    cid = check_clip_id(clip["id"])  # the site's file names come from it: never a path
    seg = data.segments(cid) if data else None
    mp4 = data.clip(cid) if data else None
    clip["thumb"] = None
    if seg is not None and (seg / frame_file(4)).exists():
        clip["thumb"] = f"thumbs/{cid}.jpg"
        make_thumb(seg / frame_file(4), out / clip["thumb"])
    if mode == "none":
        return "none"
    if mp4 is not None and mp4.exists():
        clip["video"] = f"media/{cid}.mp4"
        put(mp4, out / clip["video"], mode)
        return "video"
    if seg is not None and all((seg / frame_file(k)).exists() for k in range(SEGMENTS_PER_CLIP)):
        (out / "media" / cid).mkdir(exist_ok=True)
        clip["frames"] = [f"media/{cid}/{frame_file(k)}" for k in range(SEGMENTS_PER_CLIP)]
        for k in range(SEGMENTS_PER_CLIP):
            put(seg / frame_file(k), out / clip["frames"][k], mode)
        if (seg / AUDIO_FILE).exists():
            clip["audio"] = f"media/{cid}/{AUDIO_FILE}"
            put(seg / AUDIO_FILE, out / clip["audio"], mode)
        return "frames"
    return "none"


def _same_as_source(src: Path, dst: Path) -> bool:
    """A file placed from `src` is kept by a rebuild only while it is the source itself (a hard link)
    or has the source's size and modification time (which `put` and `make_thumb` copy onto it)."""
    try:
        s, d = src.stat(), dst.stat()
    except FileNotFoundError:
        return False
    return (s.st_ino, s.st_dev) == (d.st_ino, d.st_dev) or d.st_mtime_ns == s.st_mtime_ns


def put(src: Path, dst: Path, mode: str) -> None:
    """Place `src` at `dst` (hard link or copy) under a temporary name, then rename: a run killed
    mid-copy never leaves a part under the final name."""
    if _same_as_source(src, dst) and dst.stat().st_size == src.stat().st_size:
        return  # a rebuild keeps what is there
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.part")
    tmp.unlink(missing_ok=True)
    try:
        linked = False
        if mode == "link":
            try:
                os.link(src, tmp)
                linked = True
            except OSError:
                pass  # another file system: copy
        if not linked:
            shutil.copyfile(src, tmp)
            st = src.stat()
            os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
        os.replace(tmp, dst)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def make_thumb(src: Path, dst: Path) -> None:
    if _same_as_source(src, dst):
        return
    from PIL import Image

    with Image.open(src) as im:
        im.draft("RGB", (THUMB_WIDTH, THUMB_WIDTH))  # JPEG: decode at a reduced scale (several times faster)
        im = im.convert("RGB")
        h = max(1, round(im.height * THUMB_WIDTH / im.width))
        small = im.resize((THUMB_WIDTH, h), Image.BILINEAR)
    atomic_write(dst, lambda f: small.save(f, format="JPEG", quality=80))
    st = src.stat()
    os.utime(dst, ns=(st.st_atime_ns, st.st_mtime_ns))  # marks which source it was made from


