"""`baseline train --online-encoder`: each training batch re-encoded by the frozen encoder in
training mode, as the released script does.

fine_tune_baseline_v1_train_fully.py calls `model.train()` on the whole model before each epoch,
so the frozen ImageBind's stochastic layers are active while fine-tuning: the audio trunk's
drop-path (0 to 0.1 across its layers in ImageBind-Huge) makes every epoch see different audio
embeddings. Cached features are the eval-mode embeddings; this mode reproduces the released
behaviour at the cost of running the encoders on every batch (a GPU's work). Selection and
evaluation still read the cached eval-mode features, as the released validate_epoch runs the
model in eval mode.
"""

from __future__ import annotations

import numpy as np

from ovavel.errors import OvavelError
from ovavel.models.encoders import FeatureOptions, build_encoder
from ovavel.models.features import ClipDataset, _collate
from ovavel.models.sources import ClipInput


class OnlineEncoder:
    def __init__(self, clips: list[ClipInput], opts: FeatureOptions):
        self.clips = {c.clip_id: c for c in clips}
        self.encoder = build_encoder(opts)

    def check(self, clip_ids: list[str]) -> None:
        missing = [c for c in clip_ids if c not in self.clips]
        if missing:
            raise OvavelError(f"--online-encoder: {len(missing)} training clip(s) have no segments, first "
                              f"{missing[0]!r}: run `curate segments` (or pass the folder that holds them)")

    def __call__(self, clip_ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Audio and visual embeddings [B, 10, D] of these clips, encoder in training mode."""
        dataset = ClipDataset([self.clips[c] for c in clip_ids], self.encoder.inputs)
        _, audio, images, failures = _collate([dataset[i] for i in range(len(dataset))])
        if failures:
            raise OvavelError(f"--online-encoder: the segments of clip {failures[0][0]!r} do not read "
                              f"({failures[0][1]}): run `curate segments --force` for it")
        self.encoder.train_mode(True)  # drop-path active, as model.train() in the released script
        try:
            return self.encoder.segments(audio, images)  # frozen: under inference mode, no gradients
        finally:
            self.encoder.train_mode(False)
