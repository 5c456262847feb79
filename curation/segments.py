"""`curate segments`: per usable clip, the ten middle frames and the 10-s audio, in one ffmpeg pass.

Frame k is the frame whose display interval contains t = k + 0.5 s. ffmpeg's `fps=1` filter does
not give those (DEPENDENCIES.md), so frames are selected by index: a normalised clip has a
constant frame rate r and starts at 0, so frame n is shown during [n/r, (n+1)/r) and the frame for
t is n = floor(t * r) (exact with fractions for rates like 30000/1001). Audio: 16 kHz mono WAV
from the source's first channel (as the official features read channel 0), or a downmix.

Each clip is written to a dot-named scratch folder and renamed into DIR/segments/{clip_id}/ when
complete, so a folder under a final name is always whole.
"""

from __future__ import annotations

import math
import os
import shutil
import time
import wave
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from tqdm import tqdm

from ovavel import AUDIO_RATE, SEGMENTS_PER_CLIP
from ovavel.curation.ffmpeg_tools import FFmpegError, probe_json, require_ffmpeg, run_args, safe_path
from ovavel.curation.ledger import Ledger, LedgerEntry
from ovavel.curation.manifest import usable_clips
from ovavel.layout import AUDIO_FILE, SEGMENT_FILES, DataDir, frame_file



@dataclass(frozen=True)
class SegmentOptions:
    downmix: bool = False
    jpeg_quality: int = 2  # ffmpeg -q:v, 2 (best) .. 31
    threads: int = 1  # ffmpeg threads per clip; clips run in parallel instead


def middle_frame_indices(rate: Fraction, start_time: Fraction = Fraction(0), count: int = SEGMENTS_PER_CLIP) -> list[int]:
    """Index of the frame shown at t = k + 0.5 s, for k in 0..count-1, in a constant-rate stream
    whose first frame is shown at `start_time`."""
    return [math.floor((Fraction(2 * k + 1, 2) - start_time) * rate) for k in range(count)]


def video_timing(path: str | os.PathLike) -> tuple[Fraction, Fraction]:
    """(frame rate, start time of the first frame) of the first video stream."""
    data = probe_json(path, "-select_streams", "v:0", "-show_entries", "stream=r_frame_rate,avg_frame_rate,start_time")
    streams = data.get("streams") or []
    if not streams:
        raise FFmpegError("no video stream")
    s = streams[0]
    rate = Fraction(s.get("avg_frame_rate") or s["r_frame_rate"])
    if rate <= 0:
        rate = Fraction(s["r_frame_rate"])
    start = Fraction(s.get("start_time") or "0").limit_denominator(1_000_000)
    return rate, start


def is_complete(folder: Path) -> bool:
    return folder.is_dir() and all((folder / f).is_file() and (folder / f).stat().st_size > 0 for f in SEGMENT_FILES)


def extract_segments(clip: str | os.PathLike, out_dir: str | os.PathLike, opts: SegmentOptions = SegmentOptions(),
                     frame_rate: str | None = None, seconds: int = SEGMENTS_PER_CLIP, verify: bool = True) -> None:
    """Write frame_0.jpg .. frame_9.jpg and audio.wav of one clip into `out_dir` (one ffmpeg pass).

    `frame_rate` (exact, "25/1") of a normalised clip, whose first frame is shown at 0 s (checked
    at download), saves a probe; without it the clip is probed."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rate, start = (Fraction(frame_rate), Fraction(0)) if frame_rate else video_timing(clip)
    picks = middle_frame_indices(rate, start, seconds)
    select = "+".join(f"eq(n\\,{n})" for n in picks)
    # Channel 0 alone by default; --downmix lets ffmpeg average all channels (-ac 1).
    audio_filter = ["-af", "pan=mono|c0=c0"] if not opts.downmix else []
    args = ["ffmpeg", "-nostdin", "-hide_banner", "-y", "-threads", str(opts.threads),
            "-i", safe_path(clip),
            # output 1: the ten middle frames as JPEG
            "-map", "0:v:0", "-vf", f"select={select}", "-fps_mode", "passthrough",
            "-frames:v", str(len(picks)), "-q:v", str(opts.jpeg_quality), "-start_number", "0",
            "-threads", str(opts.threads), safe_path(out_dir / "frame_%d.jpg"),
            # output 2: 16 kHz mono WAV
            "-map", "0:a:0", *audio_filter, "-ac", "1", "-ar", str(AUDIO_RATE), "-c:a", "pcm_s16le",
            "-t", str(seconds), safe_path(out_dir / AUDIO_FILE)]
    run_args(args)
    expected = [frame_file(k) for k in range(seconds)] + [AUDIO_FILE]
    missing = [f for f in expected if not (out_dir / f).is_file()]
    if missing:
        raise FFmpegError(f"ffmpeg wrote no {', '.join(missing)} (the clip may be shorter than {seconds} s)")
    problem = segments_problem(out_dir, seconds) if verify else ""
    if problem:
        raise FFmpegError(problem)


def segments_problem(folder: Path, seconds: int = SEGMENTS_PER_CLIP) -> str:
    """"" when a segments folder holds what it should, else what is wrong: audio.wav 16 kHz mono
    with its whole `seconds` of samples present (within 0.1 s), and every frame decodes."""
    from PIL import Image

    try:
        with wave.open(str(folder / AUDIO_FILE), "rb") as w:
            rate, channels, n = w.getframerate(), w.getnchannels(), w.getnframes()
            present = len(w.readframes(n)) // (w.getsampwidth() * channels)
    except (OSError, EOFError, wave.Error) as e:
        return f"audio.wav does not read ({e})"
    if (rate, channels) != (AUDIO_RATE, 1):
        return f"audio.wav is {rate} Hz x {channels} channel(s), expected {AUDIO_RATE} Hz mono"
    if present < seconds * AUDIO_RATE - AUDIO_RATE // 10:
        return f"audio.wav holds {present / AUDIO_RATE:.2f} s of samples, expected {seconds} s"
    for k in range(seconds):
        try:
            with Image.open(folder / frame_file(k)) as im:
                im.load()
        except (OSError, ValueError) as e:
            return f"{frame_file(k)} does not decode ({e})"
    return ""


@dataclass
class SegmentSummary:
    counts: Counter
    elapsed_s: float


def segment_clips(data: DataDir, workers: int | None = None, opts: SegmentOptions = SegmentOptions(),
                  force: bool = False, progress: bool = True, clip_ids: list[str] | None = None) -> SegmentSummary:
    """Extract segments for every usable clip (or the given ids) that has none yet."""
    require_ffmpeg()
    t0 = time.monotonic()
    data.segments_dir.mkdir(parents=True, exist_ok=True)
    for stale in data.segments_dir.glob(".*.part"):
        shutil.rmtree(stale, ignore_errors=True)
    rows = usable_clips(data)
    if clip_ids is not None:
        wanted = set(clip_ids)
        rows = [r for r in rows if r["clip_id"] in wanted]
    rates = {r["clip_id"]: r.get("frame_rate") or None for r in rows}
    counts: Counter = Counter()
    todo = []
    for r in rows:
        if not force and is_complete(data.segments(r["clip_id"])):
            counts["done (kept)"] += 1
        else:
            todo.append(r["clip_id"])
    ledger = Ledger(data.ledger)
    workers = workers or os.cpu_count() or 1
    bar = tqdm(total=len(todo), desc="segments", unit="clip", disable=not progress, dynamic_ncols=True)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_segment_one, data, cid, rates.get(cid), opts, ledger) for cid in todo]
        for fut in as_completed(futures):
            counts[fut.result()] += 1
            bar.update(1)
    bar.close()
    return SegmentSummary(counts, time.monotonic() - t0)


def _segment_one(data: DataDir, clip_id: str, frame_rate: str | None, opts: SegmentOptions, ledger: Ledger) -> str:
    final = data.segments(clip_id)
    scratch = data.segments_dir / f".{clip_id}.part"
    shutil.rmtree(scratch, ignore_errors=True)
    t0 = time.monotonic()
    try:
        extract_segments(data.clip(clip_id), scratch, opts, frame_rate)
        if final.exists():
            shutil.rmtree(final)
        os.replace(scratch, final)
        status, message = "ok", ""
    except FFmpegError as e:
        status, message = "ffmpeg_error", e.message
    except OSError as e:
        status, message = "error", f"{type(e).__name__}: {e}"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    ledger.append(LedgerEntry(clip_id, status, stage="segments", message=message,
                              elapsed_s=round(time.monotonic() - t0, 3)))
    return status
