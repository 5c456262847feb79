"""`imagebind-huge` and `imagebind-tiny`: ImageBind's audio, vision and text trunks in one joint
space (ovavel.models.imagebind_loader builds the model; ovavel.models.preprocess is the official
OV-AVEL preprocessing). Embeddings are ImageBind's postprocessed outputs; fp32 as the released
code, bf16 autocast with `--precision bf16`."""

from __future__ import annotations

import numpy as np

from ovavel.models.encoders import JOINT, EncoderSpec, FeatureOptions, FrozenEncoder, register_encoder, resolve_device


def imagebind_inputs(audio_path, image_paths):
    """[10, 1, 128, 204] log-mel inputs and [10, 3, 224, 224] images (module level: DataLoader
    workers pickle it)."""
    from ovavel.models.preprocess import audio_segments, image_segments

    return audio_segments(audio_path, len(image_paths)), image_segments(list(image_paths))


class ImageBindEncoder(FrozenEncoder):
    space = "joint"
    inputs = staticmethod(imagebind_inputs)

    def __init__(self, opts: FeatureOptions):
        import torch

        from ovavel.models.imagebind_loader import build_model, import_imagebind

        self.name = opts.encoder
        self.opts = opts
        self.device = resolve_device(opts.device)
        torch.manual_seed(opts.seed)
        self.model = build_model(opts.encoder, opts.checkpoint, opts.random_init).to(self.device)
        self.modality = import_imagebind()[0].ModalityType
        self.autocast = opts.precision == "bf16"

    def run(self, inputs: dict) -> dict:
        import torch

        with torch.inference_mode(), torch.autocast(self.device, dtype=torch.bfloat16, enabled=self.autocast):
            out = self.model(inputs)
        return {k: v.float().cpu().numpy() for k, v in out.items()}

    def texts(self, names: list[str]) -> dict[str, np.ndarray]:
        from ovavel.models.imagebind_loader import import_imagebind

        tokens = import_imagebind()[1].load_and_transform_text(names, self.device)
        return {JOINT: self.run({self.modality.TEXT: tokens})[self.modality.TEXT]}

    def segments(self, audio, visual) -> tuple[np.ndarray, np.ndarray]:
        """audio [B, S, 1, 128, 204], images [B, S, 3, 224, 224] -> two [B, S, D] arrays."""
        b, s = audio.shape[:2]
        out = self.run({self.modality.AUDIO: audio.flatten(0, 1).to(self.device),
                        self.modality.VISION: visual.flatten(0, 1).to(self.device)})
        return out[self.modality.AUDIO].reshape(b, s, -1), out[self.modality.VISION].reshape(b, s, -1)

    def meta(self) -> dict:
        from ovavel.models.imagebind_loader import resolve_checkpoint, sha256_file

        if self.opts.random_init or self.name != "imagebind-huge":
            return {"checkpoint_sha256": None}
        path = resolve_checkpoint(self.opts.checkpoint)
        return {"checkpoint": str(path), "checkpoint_sha256": sha256_file(path)}

    def train_mode(self, on: bool) -> None:
        self.model.train(on)


register_encoder(EncoderSpec("imagebind-huge", "joint", "ImageBind-Huge (the paper's encoder; 1024-d joint space)",
                             ImageBindEncoder))
register_encoder(EncoderSpec("imagebind-tiny", "joint", "ImageBind's code at tiny sizes (32-d; tests and timing)",
                             ImageBindEncoder, random_only=True))
