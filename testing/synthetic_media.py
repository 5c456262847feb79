"""Synthetic test media whose content encodes time, made with ffmpeg.

Video: ten vertical stripes spell the frame number in binary (stripe b is white when bit b of
the frame number is set), so a decoded frame says which source frame it is. Audio: a sine whose
frequency is 200 + 100*s Hz during second s (optionally different per channel), so any second of
audio says where it came from. Used by the tests, the benchmarks and the demo to check that
trims and middle-frame picks land at the exact time.
"""

from __future__ import annotations

import os

import ffmpeg
import numpy as np

from ovavel.curation.ffmpeg_tools import run_ffmpeg, safe_path

STRIPES = 10


def make_test_video(path: str | os.PathLike, *, duration: float = 30.0, fps: int = 25,
                    size: tuple[int, int] = (320, 240), audio: bool = True, stereo: bool = False,
                    audio_rate: int = 44100, gop: int | None = None, amplitude: float = 0.5) -> None:
    """Write an H.264 (+ AAC) MP4 whose frames and audio encode their own time (see module doc);
    the tone's `amplitude` (of full scale) sets its loudness: 20 log10(amplitude / sqrt 2) dB mean."""
    w, h = size
    stripe = w // STRIPES
    video = (
        ffmpeg.input(f"color=c=black:s={w}x{h}:r={fps}:d={duration}", f="lavfi")
        .filter("geq", lum=f"255*mod(floor(N/pow(2,floor(X/{stripe}))),2)", cb="128", cr="128")
    )
    streams = [video]
    if audio:
        left = f"{amplitude}*sin(2*PI*(200+100*floor(t))*t)"
        right = f"{amplitude}*sin(2*PI*(1200+50*floor(t))*t)" if stereo else left
        expr = f"{left}|{right}" if stereo else left
        streams.append(ffmpeg.input(f"aevalsrc={expr}:s={audio_rate}:d={duration}", f="lavfi"))
    opts = dict(vcodec="libx264", pix_fmt="yuv420p", preset="veryfast", movflags="+faststart")
    if gop:
        opts["g"] = gop
    if audio:
        opts.update(acodec="aac", audio_bitrate="128k")
    run_ffmpeg(ffmpeg.output(*streams, safe_path(path), t=duration, **opts))


def frame_number(image: np.ndarray) -> int:
    """Read the frame number back from a decoded frame (H x W grey or H x W x 3 array)."""
    grey = image.mean(axis=2) if image.ndim == 3 else image
    h, w = grey.shape
    stripe = w // STRIPES
    rows = grey[h // 4: 3 * h // 4]
    bits = [rows[:, b * stripe + stripe // 4: (b + 1) * stripe - stripe // 4].mean() > 128
            for b in range(STRIPES)]
    return sum(1 << b for b, on in enumerate(bits) if on)


def dominant_frequency(samples: np.ndarray, rate: int) -> float:
    """The strongest frequency (Hz) of a mono signal."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1.0 / rate)[int(np.argmax(spectrum))])


def second_of(frequency: float) -> int:
    """The source second a left-channel tone frequency came from (inverse of 200 + 100*s)."""
    return int(round((frequency - 200.0) / 100.0))
