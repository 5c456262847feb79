"""`curate check`: quality flags per clip, and the people's reject list.

First every downloaded clip is checked on disk, not trusted from the ledger: its size and sha256
must be the ledger's (and with `deep`, both streams must decode without an error); a clip that
fails is flagged `damaged_file` (`curate download` fetches it again). Then one probe and one
decoding pass per clip (volumedetect + freezedetect) give: wrong duration, missing audio or video
stream, silent audio, frozen video. Results go to DIR/quality.jsonl (keyed by the clip file's
sha256, so a replaced file is checked anew) and into DIR/clips.csv, where flagged clips and the
ids in DIR/reject_list.txt become not usable.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from tqdm import tqdm

from ovavel.curation.ffmpeg_tools import FFmpegError, probe, require_ffmpeg, run_args, safe_path
from ovavel.curation.manifest import build_manifest, quality_path, read_manifest, read_quality
from ovavel.curation.normalise import CLIP_SECONDS, DURATION_TOLERANCE, sha256_of
from ovavel.layout import DataDir
from ovavel.tables import append_jsonl

_MAX_VOLUME = re.compile(r"max_volume:\s*(-?[\d.]+|-inf) dB")
_MEAN_VOLUME = re.compile(r"mean_volume:\s*(-?[\d.]+|-inf) dB")
_FREEZE_START = re.compile(r"freeze_start:\s*([\d.]+)")
_FREEZE_DURATION = re.compile(r"freeze_duration:\s*([\d.]+)")


@dataclass(frozen=True)
class CheckOptions:
    silence_db: float = -60.0  # max volume at or below this is silent audio
    frozen_min_s: float = 9.0  # frozen for at least this long is frozen video
    freeze_noise_db: float = -60.0  # freezedetect's noise tolerance
    workers: int = 2
    deep: bool = False  # also decode both streams of every clip, looking for errors


def measure(path, opts: CheckOptions = CheckOptions()) -> dict:
    """Streams, duration, max and mean volume (dB) and frozen seconds of one clip."""
    info = probe(path)
    rec = {"has_video": info.has_video, "has_audio": info.has_audio, "duration": info.duration,
           "max_volume_db": None, "mean_volume_db": None, "frozen_s": None}
    args = ["ffmpeg", "-nostdin", "-hide_banner", "-v", "info", "-i", safe_path(path)]
    if info.has_audio:
        args += ["-af", "volumedetect"]
    if info.has_video:
        args += ["-vf", f"freezedetect=n={opts.freeze_noise_db}dB:d=2"]
    if not (info.has_audio or info.has_video):
        return rec
    log = run_args(args + ["-f", "null", "-"])
    if info.has_audio:
        for key, pattern in (("max_volume_db", _MAX_VOLUME), ("mean_volume_db", _MEAN_VOLUME)):
            m = pattern.search(log)
            rec[key] = -200.0 if m is None or m.group(1) == "-inf" else float(m.group(1))
    if info.has_video:
        starts = [float(x) for x in _FREEZE_START.findall(log)]
        durations = [float(x) for x in _FREEZE_DURATION.findall(log)]
        frozen = sum(durations)
        if len(starts) > len(durations):  # a freeze that lasts to the end has no end line
            frozen += max(0.0, (info.duration or CLIP_SECONDS) - starts[-1])
        rec["frozen_s"] = round(frozen, 3)
    return rec


def flags_for(rec: dict, opts: CheckOptions = CheckOptions()) -> list[str]:
    flags = []
    if rec["duration"] is None or abs(rec["duration"] - CLIP_SECONDS) > DURATION_TOLERANCE:
        flags.append("wrong_duration")
    if not rec["has_video"]:
        flags.append("no_video_stream")
    if not rec["has_audio"]:
        flags.append("no_audio_stream")
    if rec["max_volume_db"] is not None and rec["max_volume_db"] <= opts.silence_db:
        flags.append("silent_audio")
    if rec["frozen_s"] is not None and rec["frozen_s"] >= opts.frozen_min_s:
        flags.append("frozen_video")
    return flags


def file_problem(data: DataDir, row: dict, deep: bool = False) -> str:
    """"" when the clip on disk is the file the ledger recorded (size, sha256; and with `deep` both
    streams decode without an error), else what is wrong."""
    path = data.clip(row["clip_id"])
    try:
        size = path.stat().st_size
    except OSError:
        return "the file is missing"
    if row.get("size") and size != int(row["size"]):
        return f"{size} bytes on disk, {row['size']} in the ledger"
    if sha256_of(path) != row["sha256"]:
        return "its sha256 on disk differs from the ledger's"
    if deep:
        proc = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", safe_path(path), "-map", "0", "-f", "null",
                               "-"], stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace")
        errors = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        if proc.returncode != 0 or errors:
            return f"decoding failed: {errors[0][:200] if errors else f'exit code {proc.returncode}'}"
    return ""


@dataclass
class CheckSummary:
    flags: Counter
    checked: int
    kept: int
    usable: int
    not_usable: int
    elapsed_s: float
    damaged: int = 0


def check_clips(data: DataDir, opts: CheckOptions = CheckOptions(), allow_flags: set[str] = frozenset(),
                force: bool = False, progress: bool = True) -> CheckSummary:
    """Measure every downloaded clip not yet measured in its current form, then rebuild clips.csv."""
    require_ffmpeg()
    t0 = time.monotonic()
    rows = [r for r in read_manifest(data) if r["status"] == "ok"]
    done = read_quality(data)
    damaged = 0
    with ThreadPoolExecutor(max_workers=max(1, opts.workers)) as pool:
        problems = list(tqdm(pool.map(lambda r: file_problem(data, r, opts.deep), rows), total=len(rows),
                             desc="verify", unit="clip", disable=not progress, dynamic_ncols=True))
    intact = []
    for r, problem in zip(rows, problems):
        if problem:
            damaged += 1
            append_jsonl(quality_path(data), {"clip_id": r["clip_id"], "sha256": r["sha256"],
                                              **_unmeasured("damaged_file", problem)})
        else:
            intact.append(r)

    def stale(r: dict) -> bool:
        rec = done.get(r["clip_id"], {})
        return (force or rec.get("sha256") != r["sha256"] or "damaged_file" in rec.get("flags", [])  # repaired since
                or "mean_volume_db" not in rec)  # measured before the mean was kept

    todo = [r for r in intact if stale(r)]
    bar = tqdm(total=len(todo), desc="check", unit="clip", disable=not progress, dynamic_ncols=True)
    with ThreadPoolExecutor(max_workers=max(1, opts.workers)) as pool:
        futures = {pool.submit(_check_one, data, r, opts): r for r in todo}
        for fut in as_completed(futures):
            append_jsonl(quality_path(data), fut.result())
            bar.update(1)
    bar.close()
    manifest = build_manifest(data, allow_flags=allow_flags)
    flags = Counter(f for r in manifest for f in r["flags"].split(";") if f)
    flags.update("rejected" for r in manifest if r["rejected"] == "1")
    usable = sum(r["usable"] == "1" for r in manifest)
    return CheckSummary(flags, len(todo), len(intact) - len(todo), usable, len(manifest) - usable,
                        time.monotonic() - t0, damaged)


def _check_one(data: DataDir, row: dict, opts: CheckOptions) -> dict:
    try:
        rec = measure(data.clip(row["clip_id"]), opts)
        rec["flags"] = flags_for(rec, opts)
    except FFmpegError as e:
        rec = _unmeasured("unreadable", e.message)
    return {"clip_id": row["clip_id"], "sha256": row["sha256"], **rec}


def _unmeasured(flag: str, message: str) -> dict:
    """The quality record of a clip that could not be measured: nothing known, one flag and why."""
    return {"has_video": False, "has_audio": False, "duration": None, "max_volume_db": None, "mean_volume_db": None,
            "frozen_s": None, "flags": [flag], "message": message}
