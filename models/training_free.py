"""The training-free baseline: a segment is an event of class c when both its audio and its frame
are closest (cosine) to c's text among the candidates; otherwise background. With separate text
spaces (CLIP & CLAP) the audio is compared with the audio model's texts and the frame with the
image model's, the rest alike (the paper's Appendix D).

Candidates: the class names plus a background text ("other" by default, as the paper; or
"background"; or none, when disagreement alone means background). Ties go to the first
candidate (numpy argmax). Post-processing:
- `paper`: the clean per-second rule above (agreeing on the background text is background).
- `released`: the released script's default test strategy v01 (baseline_v0_training_free.py,
  postprocess_simm_v01 with compute_accuracy_supervised / compute_seg_eve_fscores): candidates
  are the class names + "other" (or the `--background-text` given), whose index is the
  background id. A second where the audio and
  visual argmax agree, "other" included, is agreeing. The video takes one class: the audio argmax
  at its first agreeing second. If that is a real class c, every agreeing second is c (also those
  that agreed on "other"); if it is "other", the agreeing seconds are UNASSIGNED (no F1 row,
  background for accuracy). A video with no agreeing second is all background.
- `released-v0`: strategy v0 (postprocess_simm): the same without the "other" text.
"""

from __future__ import annotations

import numpy as np

from ovavel import BACKGROUND, UNASSIGNED
from ovavel.errors import OvavelError
from ovavel.feature_store import Features

BACKGROUND_TEXTS = ("other", "background", "none")
POSTPROCESS = ("paper", "released", "released-v0")


def normalise(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def cosine(emb: np.ndarray, text_emb: np.ndarray) -> np.ndarray:
    """[..., D] x [T, D] -> [..., T] cosine similarities."""
    return normalise(emb) @ normalise(text_emb).T


def candidates(class_names: list[str], background_text: str, postprocess: str = "paper") -> list[str]:
    if background_text not in BACKGROUND_TEXTS:
        raise OvavelError(f"--background-text: expected one of {BACKGROUND_TEXTS}, but got {background_text!r}")
    if postprocess == "released-v0":
        return list(class_names)  # strategy v0: no background text
    # "released" (strategy v01) uses "other"; another background text takes its place (Table A8).
    return list(class_names) + ([] if background_text == "none" else [background_text])


def decide(audio_sim: np.ndarray, visual_sim: np.ndarray, n_classes: int, postprocess: str = "paper") -> np.ndarray:
    """Row indices [N, 10] from similarities [N, 10, C(+1)]: a class index, n_classes for
    background, or n_classes + 1 for a second the released rule leaves unassigned."""
    if postprocess not in POSTPROCESS:
        raise OvavelError(f"--postprocess: expected one of {POSTPROCESS}, but got {postprocess!r}")
    a, v = audio_sim.argmax(-1), visual_sim.argmax(-1)
    if postprocess == "paper":
        agree = (a == v) & (a < n_classes)  # agreeing on the background text is background
        return np.where(agree, a, n_classes)
    agree = a == v  # agreement on "other" (index n_classes) counts: the released rule
    first = agree.argmax(axis=1)  # the first agreeing segment (0 when there is none)
    video_class = np.where(agree.any(axis=1), a[np.arange(a.shape[0]), first], n_classes)
    on_agree = np.where(video_class < n_classes, video_class, n_classes + 1)  # "other": no row
    return np.where(agree, on_agree[:, None], n_classes)


def predict_training_free(features: Features, class_names: list[str], background_text: str = "other",
                          postprocess: str = "paper") -> dict[str, list[str]]:
    names = candidates(class_names, background_text, postprocess)
    # One text table (ImageBind), or each modality against its own model's texts (CLIP & CLAP).
    t_audio, t_visual = features.text_table(names, "audio"), features.text_table(names, "visual")
    rows = decide(cosine(features.audio, t_audio), cosine(features.visual, t_visual), len(class_names), postprocess)
    labels = np.array(list(class_names) + [BACKGROUND, UNASSIGNED], dtype=object)
    return {cid: labels[r].tolist() for cid, r in zip(features.clip_ids, rows)}
