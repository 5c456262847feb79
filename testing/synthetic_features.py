"""Synthetic features with planted structure, for the learnability test, benchmarks and the demo.

Each class has a random unit text direction; background has its own ("other"). On an event
second, the audio and visual embeddings are noisy copies of the class direction; elsewhere of the
background direction. The noise makes single seconds ambiguous, but a run of seconds of the
same video shares its direction, which temporal layers can pool and a per-second rule cannot.
"""

from __future__ import annotations

import numpy as np

from ovavel.formats import Label
from ovavel.feature_store import Features


def synthetic_clip_id(class_index: int, j: int) -> str:
    """An id of the YouTube form (ovavel.names) for clip j of class `class_index`; its last four
    characters are j."""
    return f"syn{class_index:03d}v{j:04d}"


def planted_features(class_names: list[str], clips_per_class: int, dim: int = 32, noise: float = 1.2,
                     seed: int = 0) -> tuple[Features, dict[str, Label]]:
    rng = np.random.default_rng(seed)
    texts = list(class_names) + ["other", "background"]
    text_emb = rng.normal(size=(len(texts), dim))
    text_emb /= np.linalg.norm(text_emb, axis=1, keepdims=True)
    bg = text_emb[texts.index("other")]
    ids, audio, visual, labels = [], [], [], {}
    for ci, cls in enumerate(class_names):
        for j in range(clips_per_class):
            start = rng.integers(0, 6)
            length = rng.integers(3, 11 - start)
            lab = np.zeros(10, int)
            lab[start:start + length] = 1
            base = np.where(lab[:, None] == 1, text_emb[ci], bg)
            # A per-video offset shared by its seconds plus per-second noise.
            shared = rng.normal(scale=0.3, size=(1, dim))
            a = base + shared + rng.normal(scale=noise / np.sqrt(dim) * 4, size=(10, dim))
            v = base + shared + rng.normal(scale=noise / np.sqrt(dim) * 4, size=(10, dim))
            cid = synthetic_clip_id(ci, j)
            ids.append(cid)
            audio.append(a)
            visual.append(v)
            labels[cid] = Label(cls, "".join(map(str, lab)))
    return Features(ids, np.array(audio, np.float32), np.array(visual, np.float32), texts,
                    text_emb.astype(np.float32), {"encoder": "synthetic", "random_init": True, "dim": dim}), labels
