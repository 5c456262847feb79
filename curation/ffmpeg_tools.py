"""Thin, safe wrappers over the ffmpeg and ffprobe programs.

Commands are built with ffmpeg-python and run as argument lists (never through a shell). Every
path is made absolute first, so a clip id that starts with "-" can never be read as an option.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import ffmpeg  # ffmpeg-python

from ovavel.errors import OvavelError


class FFmpegError(Exception):
    """ffmpeg or ffprobe failed; `message` holds the useful tail of its stderr."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def require_ffmpeg() -> None:
    missing = [p for p in ("ffmpeg", "ffprobe") if shutil.which(p) is None]
    if missing:
        raise OvavelError(
            f"{' and '.join(missing)} not found on PATH. Install FFmpeg (Debian/Ubuntu: "
            "`sudo apt-get install ffmpeg`; `make setup` does it when run as root).")


def safe_path(path: str | os.PathLike) -> str:
    """An absolute path string: never starts with '-', so no program reads it as an option."""
    return str(Path(path).absolute())


def stderr_tail(stderr: bytes | str, lines: int = 3) -> str:
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    kept = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return " | ".join(kept[-lines:])


def run_ffmpeg(stream, *, timeout: float | None = 600) -> str:
    """Run an ffmpeg-python stream graph; return stderr text; raise FFmpegError on failure."""
    args = ["ffmpeg", "-nostdin", "-hide_banner", "-y", *stream.get_args()]
    return run_args(args, timeout=timeout)


def run_args(args: list[str], *, timeout: float | None = 600) -> str:
    try:
        proc = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise FFmpegError(f"{args[0]} timed out after {timeout} s") from None
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise FFmpegError(stderr_tail(err) or f"{args[0]} exited with {proc.returncode}")
    return err


@dataclass(frozen=True)
class MediaInfo:
    duration: float | None
    has_video: bool
    has_audio: bool
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    audio_rate: int | None = None
    audio_channels: int | None = None
    frame_rate: str | None = None  # exact, as ffprobe gives it ("25/1", "30000/1001")
    video_start: float | None = None  # time at which the first video frame is shown


def probe(path: str | os.PathLike, timeout: float = 60) -> MediaInfo:
    """Streams and duration of a media file (ffprobe). Raises FFmpegError if unreadable."""
    try:
        data = ffmpeg.probe(safe_path(path), timeout=timeout)
    except ffmpeg.Error as e:
        raise FFmpegError(stderr_tail(e.stderr or b"") or "ffprobe could not read the file") from None
    except subprocess.TimeoutExpired:
        raise FFmpegError(f"ffprobe timed out after {timeout} s") from None
    streams = data.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"
                  and not s.get("disposition", {}).get("attached_pic")), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    duration = data.get("format", {}).get("duration")
    fps = None
    if video and video.get("avg_frame_rate", "0/0") not in ("0/0", ""):
        num, den = video["avg_frame_rate"].split("/")
        fps = float(num) / float(den) if float(den) else None
    return MediaInfo(
        duration=float(duration) if duration not in (None, "N/A") else None,
        has_video=video is not None,
        has_audio=audio is not None,
        width=int(video["width"]) if video else None,
        height=int(video["height"]) if video else None,
        fps=fps,
        video_codec=video.get("codec_name") if video else None,
        audio_codec=audio.get("codec_name") if audio else None,
        audio_rate=int(audio["sample_rate"]) if audio and audio.get("sample_rate") else None,
        audio_channels=int(audio["channels"]) if audio and audio.get("channels") else None,
        frame_rate=video.get("avg_frame_rate") if video else None,
        video_start=float(video["start_time"]) if video and video.get("start_time") not in (None, "N/A") else None,
    )


def probe_json(path: str | os.PathLike, *args: str, timeout: float = 60) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-of", "json", *args, safe_path(path)],
                         stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    if out.returncode != 0:
        raise FFmpegError(stderr_tail(out.stderr))
    return json.loads(out.stdout or b"{}")
