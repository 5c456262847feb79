"""A training run folder and inference from it: `Run` (settings.json, log.jsonl, best.pt, last.pt
as `baseline train` writes them), the fingerprint of the class texts a run was trained with, the
head's decision per second (`predict_rows`, also what training scores its selection set with) and
a finished run's predictions on any feature store (`predict_with_run`)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from ovavel import BACKGROUND, SEGMENTS_PER_CLIP
from ovavel.errors import OvavelError
from ovavel.feature_store import Features
from ovavel.models.head import build_head, load_head_config
from ovavel.models.training_free import candidates, decide
from ovavel.tables import read_jsonl


class Run:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def settings(self) -> dict:
        path = self.root / "settings.json"
        if not path.exists():
            raise OvavelError(f"{self.root} is not a training run (no settings.json)")
        return json.loads(path.read_text())

    def log(self) -> list[dict]:
        return read_jsonl(self.root / "log.jsonl")


def text_fingerprint(texts: list[str], emb: np.ndarray) -> str:
    h = hashlib.sha256(json.dumps(texts).encode())
    h.update(np.ascontiguousarray(emb, dtype=np.float32).tobytes())
    return h.hexdigest()[:16]


def predict_rows(head, audio, visual, text_emb, n_classes: int, background_text: str, device: str,
                 batch: int = 256, without_other: str = "paper") -> np.ndarray:
    """Row indices [N, 10]: a class index, or n_classes for background. Without a background text
    (`background_text` "none") a second is an event where the audio and visual argmax agree
    (`without_other` "paper"), or the video takes one class as the released strategy v0 does
    ("released-v0": training_free.decide)."""
    import torch

    head.eval()
    t = torch.from_numpy(text_emb).to(device)
    out = []
    with torch.inference_mode():
        for i in range(0, len(audio), batch):
            a = torch.from_numpy(audio[i:i + batch]).to(device)
            v = torch.from_numpy(visual[i:i + batch]).to(device)
            if background_text == "none":
                # Without a background text, a second is background where the modalities disagree.
                ha, hv = head(a, v)
                tn = torch.nn.functional.normalize(t, dim=-1)
                sa = torch.nn.functional.normalize(ha, dim=-1) @ tn.T
                sv = torch.nn.functional.normalize(hv, dim=-1) @ tn.T
                if without_other == "released-v0":
                    rows = torch.from_numpy(decide(sa.float().cpu().numpy(), sv.float().cpu().numpy(), n_classes,
                                                   "released-v0"))
                else:
                    pa, pv = sa.argmax(-1), sv.argmax(-1)
                    rows = torch.where(pa == pv, pa, torch.full_like(pa, n_classes))
            else:
                rows = head.scores(a, v, t).argmax(-1)  # the background text sits at index n_classes
            out.append(rows.cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, SEGMENTS_PER_CLIP), np.int64)


def load_head(run_dir: str | os.PathLike, device: str = "cpu"):
    import torch

    run = Run(run_dir)
    settings = run.settings()
    path = run.root / "best.pt"
    if not path.exists():
        raise OvavelError(f"{run.root} has no best.pt (did its training finish an epoch?)")
    head = build_head(load_head_config(settings["head"]))
    head.load_state_dict(torch.load(path, map_location=device, weights_only=False)["head"])
    return head.to(device).eval(), settings


def predict_with_run(run_dir: str | os.PathLike, features: Features, class_names: list[str], device: str = "auto",
                     background_text: str | None = None, without_other: str = "paper") -> dict[str, list[str]]:
    from ovavel.models.features import resolve_device

    device = resolve_device(device)
    features.require_joint("a trained head")
    head, settings = load_head(run_dir, device)
    bg_text = background_text or settings["background_text"]
    texts = candidates(class_names, bg_text)
    emb = features.text_emb[[features.text_index(t) for t in texts]]
    trained = settings["all_texts"]
    if all(t in features.texts for t in trained):
        trained_emb = features.text_emb[[features.text_index(t) for t in trained]]
        if text_fingerprint(trained, trained_emb) != settings["text_fingerprint"]:
            raise OvavelError(f"the run {run_dir} was trained with other class texts or text embeddings than this "
                              "feature store's (another encoder, checkpoint or catalog?)")
    if features.audio.shape[-1] != settings["head"]["dim"]:
        raise OvavelError(f"the run {run_dir} expects {settings['head']['dim']}-d features, the store has "
                          f"{features.audio.shape[-1]}")
    rows = predict_rows(head, features.audio, features.visual, emb, len(class_names), bg_text, device,
                        without_other=without_other)
    names = np.array(list(class_names) + [BACKGROUND], dtype=object)
    return {c: names[r].tolist() for c, r in zip(features.clip_ids, rows)}
