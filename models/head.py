"""The fine-tuning head: lightweight temporal layers after the frozen audio and image encoders.

Default (`--head released`): what the authors' released code builds (DEPENDENCIES.md), one layer
per modality, not shared: single-head self-attention with Q/K/V projecting D -> 256 and the output
256 -> D, residual + post-LayerNorm, then a feed-forward D -> 512 -> D (ReLU, dropout 0.1),
residual + LayerNorm; no positional encoding. `--head transformer` is the standard encoder layer
(nn.TransformerEncoderLayer, FFN 2048: 8.4M parameters per modality at D = 1024, the paper's
figure when shared with `--share-temporal`). Ablations: `--temporal linear` (no mixing across
seconds), `--layers N`, `--cross-modal` (each modality also attends to the other).

Scores (`--fusion sqrt`, the released code's): sqrt(relu(cos(a, t) * cos(v, t))), min-max
normalised over the candidate texts per segment; `prob-avg` averages the two modalities'
softmax probabilities; `fea-avg` compares the mean of the normalised features with the texts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch.nn import functional as F

HEADS = ("released", "transformer")
TEMPORAL = ("attention", "linear")
FUSIONS = ("sqrt", "prob-avg", "fea-avg")


@dataclass
class HeadConfig:
    dim: int = 1024
    head: str = "released"
    temporal: str = "attention"
    layers: int = 1
    share_temporal: bool = False
    cross_modal: bool = False
    fusion: str = "sqrt"
    dropout: float = 0.1

    def as_dict(self) -> dict:
        return asdict(self)


class ReleasedLayer(nn.Module):
    def __init__(self, dim: int, attn_dim: int = 256, ffn_dim: int = 512, dropout: float = 0.1):
        super().__init__()
        self.q, self.k, self.v = (nn.Linear(dim, attn_dim) for _ in range(3))
        self.out = nn.Linear(attn_dim, dim)
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.ffn = nn.Sequential(nn.Linear(dim, ffn_dim), nn.ReLU(), nn.Dropout(dropout), nn.Linear(ffn_dim, dim))
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        kv = x if context is None else context
        q, k, v = self.q(x), self.k(kv), self.v(kv)
        attn = torch.softmax(q @ k.transpose(-1, -2) / q.shape[-1] ** 0.5, dim=-1)
        x = self.norm1(x + self.drop(self.out(attn @ v)))
        return self.norm2(x + self.drop(self.ffn(x)))


class LinearLayer(nn.Module):
    """Per-second only: the same residual feed-forward, no attention across seconds."""

    def __init__(self, dim: int, dropout: float = 0.1):
        super().__init__()
        self.ffn = nn.Sequential(nn.Linear(dim, 512), nn.ReLU(), nn.Dropout(dropout), nn.Linear(512, dim))
        self.norm = nn.LayerNorm(dim)

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        return self.norm(x + self.ffn(x))


def make_layer(cfg: HeadConfig) -> nn.Module:
    if cfg.temporal == "linear":
        return LinearLayer(cfg.dim, cfg.dropout)
    if cfg.head == "transformer":
        return _TransformerLayer(cfg.dim, cfg.dropout)
    return ReleasedLayer(cfg.dim, dropout=cfg.dropout)


class _TransformerLayer(nn.Module):
    def __init__(self, dim: int, dropout: float):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(d_model=dim, nhead=8 if dim % 8 == 0 else 1, dim_feedforward=2048,
                                                dropout=dropout, batch_first=True)

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        return self.layer(x)


class TemporalHead(nn.Module):
    def __init__(self, cfg: HeadConfig):
        super().__init__()
        for name, allowed in (("head", HEADS), ("temporal", TEMPORAL), ("fusion", FUSIONS)):
            if getattr(cfg, name) not in allowed:
                raise ValueError(f"Expected `{name}` in {allowed}, but got {getattr(cfg, name)!r}")
        if cfg.layers < 1:
            raise ValueError(f"Expected `layers` >= 1, but got {cfg.layers}")
        self.cfg = cfg
        self.audio_layers = nn.ModuleList(make_layer(cfg) for _ in range(cfg.layers))
        self.visual_layers = self.audio_layers if cfg.share_temporal else nn.ModuleList(
            make_layer(cfg) for _ in range(cfg.layers))
        if cfg.cross_modal:
            self.cross_audio = ReleasedLayer(cfg.dim, dropout=cfg.dropout)
            self.cross_visual = ReleasedLayer(cfg.dim, dropout=cfg.dropout)

    def forward(self, audio: torch.Tensor, visual: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        a, v = audio, visual
        for la, lv in zip(self.audio_layers, self.visual_layers):
            a, v = la(a), lv(v)
        if self.cfg.cross_modal:
            a, v = self.cross_audio(a, v), self.cross_visual(v, a)
        return a, v

    def scores(self, audio: torch.Tensor, visual: torch.Tensor, texts: torch.Tensor) -> torch.Tensor:
        """Per-segment scores over the candidate texts [B, 10, T] (logits for cross-entropy)."""
        a, v = self(audio, visual)
        t = F.normalize(texts, dim=-1)
        if self.cfg.fusion == "fea-avg":
            fused = (F.normalize(a, dim=-1) + F.normalize(v, dim=-1)) / 2
            return minmax(F.normalize(fused, dim=-1) @ t.T)
        ca, cv = F.normalize(a, dim=-1) @ t.T, F.normalize(v, dim=-1) @ t.T
        if self.cfg.fusion == "sqrt":
            return minmax(torch.sqrt(torch.relu(ca * cv) + 1e-12))
        probs = (torch.softmax(ca / 0.05, -1) + torch.softmax(cv / 0.05, -1)) / 2
        return torch.log(probs + 1e-9)


def minmax(s: torch.Tensor) -> torch.Tensor:
    lo, hi = s.min(-1, keepdim=True).values, s.max(-1, keepdim=True).values
    return (s - lo) / (hi - lo + 1e-8)


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
