"""Decoding helpers for the curation tests: read back which source frame / second a file holds."""

from __future__ import annotations

import subprocess
import wave

import numpy as np

from ovavel.curation.synthetic import dominant_frequency, frame_number, second_of


def decode_frames(path, count: int | None = None, size=(320, 240)) -> list[int]:
    """Frame numbers (as encoded by make_test_video) of the decoded frames of a video or image."""
    args = ["ffmpeg", "-v", "error", "-i", str(path)]
    if count:
        args += ["-frames:v", str(count)]
    raw = subprocess.run(args + ["-f", "rawvideo", "-pix_fmt", "gray", "-"], capture_output=True, check=True).stdout
    w, h = size
    frames = np.frombuffer(raw, np.uint8).reshape(-1, h, w)
    return [frame_number(f) for f in frames]


def audio_seconds(path, channel: int = 0) -> list[int]:
    """For each second of a file's audio, the source second its tone came from."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "2" if channel else "1",
                          "-ar", "16000", "-"], capture_output=True, check=True).stdout
    a = np.frombuffer(raw, np.int16).astype(float)
    if channel:
        a = a.reshape(-1, 2)[:, channel]
    n = len(a) // 16000
    return [second_of(dominant_frequency(a[k * 16000:(k + 1) * 16000], 16000)) for k in range(n)]


def wav_info(path) -> tuple[int, int, int, np.ndarray]:
    with wave.open(str(path)) as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), np.int16)
        return w.getnchannels(), w.getframerate(), w.getnframes(), samples
