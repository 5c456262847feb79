"""Decoding helpers for the curation tests: read back which source frame / second a file holds."""

from __future__ import annotations

import subprocess
import wave

import numpy as np

from ovavel.testing.synthetic_media import dominant_frequency, frame_number, second_of


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


def downloaded_and_segmented(root, media_root, clips):
    """A data folder at root/data whose clips [(youtube id, start s, class)] were downloaded from a
    loopback server over media_root and segmented, by the real curation stage; (DataDir, index rows)."""
    from ovavel.curation.download import DownloadOptions, download_clips
    from ovavel.curation.segments import segment_clips
    from ovavel.curation.vggsound_index import IndexRow, write_index
    from ovavel.layout import DataDir
    from ovavel.testing.media_server import MediaServer

    data = DataDir.at(root / "data")
    data.root.mkdir()
    rows = [IndexRow(f"{y}_{s:06d}", y, s, c, c, "", "train") for y, s, c in clips]
    write_index(data.index, rows)
    with MediaServer(media_root) as srv:
        download_clips(rows, data, DownloadOptions(url_template=srv.url_template()), progress=False)
    segment_clips(data, progress=False)
    return data, rows
