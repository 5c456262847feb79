"""Clip normalisation: exactly 10.0 s, constant frame rate, H.264 + AAC in MP4 (faststart), so
later stages and a browser (Label Studio) can rely on every clip being the same shape."""

from __future__ import annotations

import os
from dataclasses import dataclass

import ffmpeg

from ovavel.curation.ffmpeg_tools import FFmpegError, MediaInfo, probe, run_ffmpeg, safe_path
from ovavel.tables import sha256_file

CLIP_SECONDS = 10.0
DURATION_TOLERANCE = 0.05


@dataclass(frozen=True)
class NormaliseOptions:
    fps: int = 25
    crf: int = 23
    preset: str = "veryfast"
    audio_bitrate: str = "128k"
    max_pad_s: float = 0.5  # a source that ends this close to the clip's end is padded, not rejected
    threads: int = 0  # ffmpeg's own threads per process (0 = its default)


def normalise_clip(src: str | os.PathLike, dst: str | os.PathLike, offset: float,
                   opts: NormaliseOptions = NormaliseOptions()) -> None:
    """Re-encode [offset, offset + 10) of `src` into `dst` (an MP4 file name that may end in
    .part). Input seeking with re-encoding is frame-exact. The last <= max_pad_s seconds are
    padded (last frame held, silence) when the source ends early."""
    source = ffmpeg.input(safe_path(src), ss=f"{offset:.6f}") if offset > 0 else ffmpeg.input(safe_path(src))
    video = (source.video
             .filter("fps", fps=opts.fps)
             .filter("scale", "trunc(iw/2)*2", "trunc(ih/2)*2")  # libx264 needs even sizes
             .filter("setsar", 1)
             .filter("tpad", stop_mode="clone", stop_duration=opts.max_pad_s))
    audio = source.audio.filter("apad")
    out = ffmpeg.output(
        video, audio, safe_path(dst), f="mp4", t=CLIP_SECONDS, vcodec="libx264", pix_fmt="yuv420p",
        crf=opts.crf, preset=opts.preset, acodec="aac", audio_bitrate=opts.audio_bitrate,
        movflags="+faststart", threads=opts.threads,
    )
    run_ffmpeg(out)


def verify_clip(path: str | os.PathLike) -> MediaInfo:
    """Check a normalised clip: readable, both streams, 10.0 s. Raises FFmpegError."""
    info = probe(path)
    if not info.has_video or not info.has_audio:
        raise FFmpegError(f"normalised clip lacks a {'video' if not info.has_video else 'audio'} stream")
    if info.duration is None or abs(info.duration - CLIP_SECONDS) > DURATION_TOLERANCE:
        raise FFmpegError(f"normalised clip is {info.duration} s long, expected {CLIP_SECONDS}")
    if info.video_start is None or abs(info.video_start) > 1e-3:
        raise FFmpegError(f"normalised clip's first frame is shown at {info.video_start} s, expected 0")
    return info


sha256_of = sha256_file  # the name the curation stage and its tests use
