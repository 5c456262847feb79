"""The official OV-AVEL preprocessing (DEPENDENCIES.md), on ImageBind's own helpers.

Audio: 16 kHz (resampled if needed), cut or zero-padded to 10 s, channel 0; each 1-s chunk
(16,000 samples) is tiled twice to 2 s; Kaldi fbank through imagebind.data.waveform2melspec
(128 mel bins, 25 ms window, 10 ms shift, htk_compat, dither 0, mean removed, padded to 204
frames); normalised with mean -4.268, std 9.138. Vision: one image per second, short side to 224
(bicubic), centre crop 224, CLIP mean/std (imagebind.data's transform).
"""

from __future__ import annotations

import os

import numpy as np

from ovavel import AUDIO_RATE, SEGMENTS_PER_CLIP
from ovavel.models.imagebind_loader import import_imagebind

MEL_BINS = 128
TARGET_FRAMES = 204
AUDIO_MEAN, AUDIO_STD = -4.268, 9.138
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


def read_wav(path: str | os.PathLike, seconds: int = SEGMENTS_PER_CLIP):
    """Channel 0 at 16 kHz, cut or zero-padded to `seconds` (a float32 torch tensor)."""
    return read_wav_at(path, AUDIO_RATE, seconds)


def read_wav_at(path: str | os.PathLike, sample_rate: int, seconds: int = SEGMENTS_PER_CLIP):
    """Channel 0 at `sample_rate` (resampled if needed), cut or zero-padded to `seconds`."""
    import soundfile
    import torch
    import torchaudio

    samples, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    wave = torch.from_numpy(np.ascontiguousarray(samples[:, 0]))
    if rate != sample_rate:
        wave = torchaudio.functional.resample(wave, rate, sample_rate)
    n = seconds * sample_rate
    if wave.numel() < n:
        wave = torch.nn.functional.pad(wave, (0, n - wave.numel()))
    return wave[:n]


def audio_segments(path: str | os.PathLike, seconds: int = SEGMENTS_PER_CLIP):
    """[seconds, 1, 128, 204] normalised log-mel inputs, one per second."""
    import torch

    _, ib_data = import_imagebind()
    wave = read_wav(path, seconds)
    out = []
    for k in range(seconds):
        chunk = wave[k * AUDIO_RATE:(k + 1) * AUDIO_RATE]
        tiled = chunk.repeat(2).unsqueeze(0)  # 1 s tiled twice to the 2 s ImageBind expects
        mel = ib_data.waveform2melspec(tiled, AUDIO_RATE, MEL_BINS, TARGET_FRAMES)
        out.append((mel - AUDIO_MEAN) / AUDIO_STD)
    return torch.stack(out)


_VISION = None


def vision_transform():
    global _VISION
    if _VISION is None:
        from torchvision import transforms

        _VISION = transforms.Compose([
            transforms.Resize(224, interpolation=transforms.InterpolationMode.BICUBIC),
            transforms.CenterCrop(224),
            transforms.ToTensor(),
            transforms.Normalize(mean=CLIP_MEAN, std=CLIP_STD),
        ])
    return _VISION


def image_segments(paths: list) -> "object":
    """[len(paths), 3, 224, 224] from image files."""
    import torch
    from PIL import Image

    t = vision_transform()
    images = []
    for p in paths:
        with Image.open(p) as im:
            images.append(t(im.convert("RGB")))
    return torch.stack(images)
