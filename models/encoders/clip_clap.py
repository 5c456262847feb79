"""`clip-clap` and `clip-clap-tiny`: the paper's "separate" comparison (Table 2, Appendix D /
Table A10). Frames are embedded by a CLIP model and compared with CLIP's text embeddings; audio
seconds by a CLAP model and compared with CLAP's text embeddings. The two spaces never meet, so
the store keeps one text table per space (texts-audio.npy, texts-visual.npy).

Both models come from Hugging Face transformers (CLIPModel, ClapModel), each with its own
preprocessing: CLIP's image processor on the frame of each second; CLAP's feature extractor on
each 1-second waveform resampled to its rate (48 kHz for the LAION checkpoints; it repeat-pads a
second to the length it was trained on). Weights: `--clip-model` / `--clap-model` take a folder
made by `save_pretrained` or `huggingface-cli download` (or a hub name, which must already be in
the Hugging Face cache where there is no internet). The paper does not name its checkpoints;
the defaults are openai/clip-vit-large-patch14 and laion/clap-htsat-unfused.

`clip-clap-tiny` builds both architectures at tiny sizes with random weights and a byte-level
tokenizer, for tests and timing (`clip-clap --random-init`: transformers' default full-sized
architectures, random, for timing); `tiny_parts()` hands the same parts to tests that save them as
a folder to exercise the real loading path.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ovavel.errors import OvavelError
from ovavel.models.encoders import AUDIO, VISUAL, EncoderSpec, FeatureOptions, FrozenEncoder, register_encoder, \
    resolve_device

DEFAULT_CLIP = "openai/clip-vit-large-patch14"
DEFAULT_CLAP = "laion/clap-htsat-unfused"
TINY_SAMPLE_RATE = 48000


@dataclass
class ClipClapInputs:
    """One clip -> CLAP input features [S, C, T, F] and CLIP pixel values [S, 3, H, W] (picklable:
    it runs in DataLoader workers)."""

    feature_extractor: object
    image_processor: object

    def __call__(self, audio_path, image_paths):
        import torch
        from PIL import Image

        from ovavel.models.preprocess import read_wav_at

        rate = self.feature_extractor.sampling_rate
        seconds = len(image_paths)
        wave = read_wav_at(audio_path, rate, seconds).numpy()
        chunks = [wave[k * rate:(k + 1) * rate] for k in range(seconds)]
        audio = self.feature_extractor(chunks, sampling_rate=rate, return_tensors="pt")["input_features"]
        images = []
        for p in image_paths:
            with Image.open(p) as im:
                images.append(im.convert("RGB"))
        pixels = self.image_processor(images=images, return_tensors="pt")["pixel_values"]
        return audio.to(torch.float32), pixels.to(torch.float32)


def _pooled(out):
    """transformers 4 returns the projected embeddings; 5 returns an output whose pooler_output they are."""
    return out if hasattr(out, "shape") else out.pooler_output


class ClipClapEncoder(FrozenEncoder):
    space = "separate"

    def __init__(self, opts: FeatureOptions):
        import torch

        self.name = opts.encoder
        self.opts = opts
        self.device = resolve_device(opts.device)
        self.autocast = opts.precision == "bf16"
        torch.manual_seed(opts.seed)
        if opts.encoder == "clip-clap-tiny":
            parts = tiny_parts()
        elif opts.random_init:  # full-sized architectures for timing (GPU benchmarks); no meaning
            parts = random_full_parts()
        else:
            parts = load_parts(opts.clip_model or os.environ.get("OVAVEL_CLIP_MODEL") or DEFAULT_CLIP,
                               opts.clap_model or os.environ.get("OVAVEL_CLAP_MODEL") or DEFAULT_CLAP)
        self.clip, self.clip_tokenizer, image_processor, self.clap, self.clap_tokenizer, feature_extractor, \
            self.sources = parts
        self.clip.to(self.device).eval()
        self.clap.to(self.device).eval()
        self.inputs = ClipClapInputs(feature_extractor, image_processor)

    def _no_grad(self):
        import contextlib

        import torch

        stack = contextlib.ExitStack()
        stack.enter_context(torch.inference_mode())
        stack.enter_context(torch.autocast(self.device, dtype=torch.bfloat16, enabled=self.autocast))
        return stack

    def texts(self, names: list[str]) -> dict[str, np.ndarray]:
        out = {}
        with self._no_grad():
            for space, model, tokenizer in ((AUDIO, self.clap, self.clap_tokenizer),
                                            (VISUAL, self.clip, self.clip_tokenizer)):
                tok = tokenizer(list(names), padding=True, truncation=True, return_tensors="pt").to(self.device)
                emb = _pooled(model.get_text_features(input_ids=tok["input_ids"], attention_mask=tok["attention_mask"]))
                out[space] = emb.float().cpu().numpy()
        return out

    def segments(self, audio, visual) -> tuple[np.ndarray, np.ndarray]:
        """audio [B, S, C, T, F] CLAP features, visual [B, S, 3, H, W] pixels -> [B, S, D_a], [B, S, D_v]."""
        b, s = audio.shape[:2]
        with self._no_grad():
            a = _pooled(self.clap.get_audio_features(input_features=audio.flatten(0, 1).to(self.device)))
            v = _pooled(self.clip.get_image_features(pixel_values=visual.flatten(0, 1).to(self.device)))
        return a.float().cpu().numpy().reshape(b, s, -1), v.float().cpu().numpy().reshape(b, s, -1)

    def meta(self) -> dict:
        return {"checkpoint_sha256": None, **self.sources}

    def train_mode(self, on: bool) -> None:
        self.clip.train(on)
        self.clap.train(on)


def load_parts(clip_source: str, clap_source: str):
    """(clip, its tokenizer, image processor, clap, its tokenizer, feature extractor, sources)
    from folders or hub names; offline, a name must already be cached."""
    transformers = _transformers()
    parts = []
    for kind, source, model_cls, processor_cls in (
            ("CLIP", clip_source, transformers.CLIPModel, transformers.CLIPImageProcessor),
            ("CLAP", clap_source, transformers.ClapModel, transformers.ClapFeatureExtractor)):
        local = os.path.isdir(source)
        try:
            kw = {"local_files_only": True} if local else {}
            parts += [model_cls.from_pretrained(source, **kw), transformers.AutoTokenizer.from_pretrained(source, **kw),
                      processor_cls.from_pretrained(source, **kw)]
        except (OSError, ValueError) as e:
            flag = f"--{kind.lower()}-model"
            raise OvavelError(f"could not load the {kind} model {source!r} ({str(e).splitlines()[0][:160]}). Without "
                              f"internet, download it elsewhere (huggingface-cli download {source} --local-dir DIR) "
                              f"and pass {flag} DIR") from None
    clip, clip_tok, image_processor, clap, clap_tok, feature_extractor = parts
    return clip, clip_tok, image_processor, clap, clap_tok, feature_extractor, {"clip_model": clip_source,
                                                                                "clap_model": clap_source}


def tiny_parts():
    """Both architectures at tiny sizes (random weights), a byte-level tokenizer each, tiny processors."""
    transformers = _transformers()
    vocab_size = 260  # 256 bytes + 4 special tokens
    text = dict(vocab_size=vocab_size, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                num_attention_heads=2, max_position_embeddings=80)
    clip = transformers.CLIPModel(transformers.CLIPConfig(
        text_config={**text, "bos_token_id": 256, "eos_token_id": 257, "pad_token_id": 258},
        vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2,
                           image_size=32, patch_size=8), projection_dim=24))
    clap = transformers.ClapModel(transformers.ClapConfig(
        # RoBERTa-style positions count from the pad id: the table must reach past it.
        text_config={**text, "projection_dim": 16, "pad_token_id": 258, "bos_token_id": 256, "eos_token_id": 257,
                     "max_position_embeddings": 340},
        audio_config=dict(spec_size=64, num_mel_bins=16, patch_size=4, patch_stride=[4, 4], window_size=4,
                          depths=[1, 1], num_attention_heads=[2, 2], patch_embeds_hidden_size=16, hidden_size=32,
                          projection_dim=16, enable_fusion=False),
        projection_dim=16))
    image_processor = transformers.CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    feature_extractor = transformers.ClapFeatureExtractor(feature_size=16, sampling_rate=TINY_SAMPLE_RATE,
                                                          max_length_s=2, truncation="rand_trunc",
                                                          padding="repeatpad")
    return clip, byte_tokenizer(), image_processor, clap, byte_tokenizer(), feature_extractor, \
        {"clip_model": "tiny (random)", "clap_model": "tiny (random)"}


def random_full_parts():
    """transformers' default CLIP (ViT-B/32) and CLAP (HTSAT, 48 kHz, 10 s) architectures with random
    weights and byte-level tokenizers: the real compute, for timing."""
    transformers = _transformers()
    special = {"bos_token_id": 256, "eos_token_id": 257, "pad_token_id": 258}
    clip = transformers.CLIPModel(transformers.CLIPConfig(text_config=special))
    clap = transformers.ClapModel(transformers.ClapConfig(text_config={**special, "max_position_embeddings": 514}))
    return clip, byte_tokenizer(), transformers.CLIPImageProcessor(), clap, byte_tokenizer(), \
        transformers.ClapFeatureExtractor(truncation="rand_trunc", padding="repeatpad"), \
        {"clip_model": "default architecture (random)", "clap_model": "default architecture (random)"}


def byte_tokenizer():
    """A fast tokenizer whose tokens are the UTF-8 bytes (ids 0-255) between <s> and </s>."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors

    transformers = _transformers()
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab = {ch: i for i, ch in enumerate(sorted(alphabet))}
    vocab.update({"<s>": 256, "</s>": 257, "<pad>": 258, "<unk>": 259})
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 256),
                                                                                             ("</s>", 257)])
    return transformers.PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>",
                                                pad_token="<pad>", unk_token="<unk>", model_max_length=77)


def _transformers():
    try:
        import transformers
    except ImportError:
        raise OvavelError("the clip-clap encoders need transformers: pip install 'ovavel[models]'") from None
    transformers.logging.set_verbosity_error()
    return transformers


register_encoder(EncoderSpec("clip-clap", "separate", "CLIP for frames + CLAP for audio, each with its own text "
                             "encoder (Table 2 / A10)", ClipClapEncoder))
register_encoder(EncoderSpec("clip-clap-tiny", "separate", "CLIP & CLAP at tiny sizes (tests and timing)",
                             ClipClapEncoder, random_only=True))
