"""The training-free baseline: a segment is an event of class c when both its audio and its frame
are closest (cosine) to c's text among the candidates; otherwise background.

Candidates: the class names plus a background text ("other" by default, as the paper; or
"background"; or none, when disagreement alone means background). Ties go to the first
candidate (numpy argmax). `postprocess="released"` reproduces the released script instead: a
segment is an event where the audio and visual argmax agree, and the whole video takes one class,
the audio argmax at the first agreeing segment.
"""

from __future__ import annotations

import numpy as np

from ovavel import BACKGROUND
from ovavel.errors import OvavelError
from ovavel.models.feature_store import Features

BACKGROUND_TEXTS = ("other", "background", "none")
POSTPROCESS = ("paper", "released")


def normalise(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def cosine(emb: np.ndarray, text_emb: np.ndarray) -> np.ndarray:
    """[..., D] x [T, D] -> [..., T] cosine similarities."""
    return normalise(emb) @ normalise(text_emb).T


def candidates(class_names: list[str], background_text: str) -> list[str]:
    if background_text not in BACKGROUND_TEXTS:
        raise OvavelError(f"--background-text: expected one of {BACKGROUND_TEXTS}, but got {background_text!r}")
    return list(class_names) + ([] if background_text == "none" else [background_text])


def decide(audio_sim: np.ndarray, visual_sim: np.ndarray, n_classes: int, postprocess: str = "paper") -> np.ndarray:
    """Row indices [N, 10] (a class index, or n_classes for background) from similarities [N, 10, C(+1)]."""
    if postprocess not in POSTPROCESS:
        raise OvavelError(f"--postprocess: expected one of {POSTPROCESS}, but got {postprocess!r}")
    a, v = audio_sim.argmax(-1), visual_sim.argmax(-1)
    agree = (a == v) & (a < n_classes)  # agreeing on the background text is background
    if postprocess == "paper":
        return np.where(agree, a, n_classes)
    first = agree.argmax(axis=1)  # the first agreeing segment (0 when there is none)
    video_class = a[np.arange(a.shape[0]), first]
    return np.where(agree, video_class[:, None], n_classes)


def predict_training_free(features: Features, class_names: list[str], background_text: str = "other",
                          postprocess: str = "paper") -> dict[str, list[str]]:
    names = candidates(class_names, background_text)
    t = features.text_emb[[features.text_index(n) for n in names]]
    rows = decide(cosine(features.audio, t), cosine(features.visual, t), len(class_names), postprocess)
    labels = np.array(list(class_names) + [BACKGROUND], dtype=object)
    return {cid: labels[r].tolist() for cid, r in zip(features.clip_ids, rows)}
