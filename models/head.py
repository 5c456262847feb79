"""The fine-tuning head: lightweight temporal layers after the frozen audio and image encoders.

Default (`--head released`): what the authors' released code builds (layers/temporal_av_attn_layer.py,
TransformerEncoder), one layer per modality, not shared: single-head self-attention with Q/K/V
projecting D -> 256 and the output 256 -> D, residual + post-LayerNorm, then a feed-forward
D -> 512 -> D (ReLU, dropout 0.1 inside it, none on the residual branches), residual + LayerNorm;
no positional encoding. `--head transformer` is the standard encoder layer (nn.TransformerEncoderLayer,
FFN 2048: 8.4M parameters per modality at D = 1024, the paper's figure when shared with
`--share-temporal`). Ablations, as the released code's branches:
- `--temporal linear`: one nn.Linear(D, D) per modality and layer (TemporalLinearModule), no
  mixing across seconds.
- `--attention intra|cross|intra+cross` (Table A9; `--cross-modal` = intra+cross): the released
  commented variant of TemporalAttentionModule. Self-attention blocks run on each modality;
  cross blocks run from the raw features (audio queries the visual features and the reverse);
  intra+cross sums the two outputs.
- `--layers N`.

Scores (`--fusion`, fine_tune_baseline_v1_train_fully.py): `sqrt` (GEN1, the default):
sqrt(relu(cos(a, t) * cos(v, t))) min-max normalised over the candidate texts per segment;
`prob-avg` (GEN2, the paper's Table 4 text): (cos(a, t) + cos(v, t)) / 2; `fea-avg` (GEN3):
cos((a + v) / 2, t). The latter two are used as logits as they are (no min-max), as released.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import torch
from torch import nn
from torch.nn import functional as F

HEADS = ("released", "transformer")  # the temporal layers; ovavel.models.comparison adds the Table 2 heads
TEMPORAL = ("attention", "linear")
FUSIONS = ("sqrt", "prob-avg", "fea-avg")
ATTENTION = ("intra", "cross", "intra+cross")


@dataclass(frozen=True)  # default arguments are instances of it: never changed in place
class HeadConfig:
    dim: int = 1024
    head: Literal["released", "transformer", "ave", "psp", "cmra", "mm-pyramid"] = "released"
    temporal: Literal["attention", "linear"] = "attention"
    layers: int = 1
    share_temporal: bool = False
    cross_modal: bool = False  # the same as attention="intra+cross" (kept for runs made before it)
    fusion: Literal["sqrt", "prob-avg", "fea-avg"] = "sqrt"
    dropout: float = 0.1
    attention: Literal["intra", "cross", "intra+cross"] = "intra"
    # Dropout on the two residual branches too, as nn.TransformerEncoderLayer has it. Not in the
    # released layer (default 0); on planted features it helps the head generalise (README).
    residual_dropout: float = 0.0
    # cmra and mm-pyramid: their inner width (d_model; MM-Pyramid's feed-forward too, CMRA's is 8x).
    # None: the authors' sizes (256 and 512). Smaller widths are for tests and quick CPU runs.
    width: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def modal_attention(self) -> str:
        return "intra+cross" if self.cross_modal else self.attention


class ReleasedLayer(nn.Module):
    def __init__(self, dim: int, attn_dim: int = 256, ffn_dim: int = 512, dropout: float = 0.1,
                 residual_dropout: float = 0.0):
        super().__init__()
        self.q, self.k, self.v = (nn.Linear(dim, attn_dim) for _ in range(3))
        self.out = nn.Linear(attn_dim, dim)
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        # Dropout only inside the feed-forward (PositionwiseFeedForward), not on the residual branches.
        self.ffn = nn.Sequential(nn.Linear(dim, ffn_dim), nn.ReLU(), nn.Dropout(dropout), nn.Linear(ffn_dim, dim))
        self.residual_drop = nn.Dropout(residual_dropout) if residual_dropout else nn.Identity()

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        kv = x if context is None else context
        q, k, v = self.q(x), self.k(kv), self.v(kv)
        attn = torch.softmax(q @ k.transpose(-1, -2) / q.shape[-1] ** 0.5, dim=-1)
        x = self.norm1(x + self.residual_drop(self.out(attn @ v)))
        return self.norm2(x + self.residual_drop(self.ffn(x)))


class LinearLayer(nn.Module):
    """Per-second only (TemporalLinearModule): one nn.Linear(D, D), no mixing across seconds."""

    def __init__(self, dim: int):
        super().__init__()
        self.linear = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        return self.linear(x)


def make_layer(cfg: HeadConfig) -> nn.Module:
    if cfg.temporal == "linear":
        return LinearLayer(cfg.dim)
    if cfg.head == "transformer":
        return _TransformerLayer(cfg.dim, cfg.dropout)
    return ReleasedLayer(cfg.dim, dropout=cfg.dropout, residual_dropout=cfg.residual_dropout)


def make_cross_layer(cfg: HeadConfig) -> nn.Module:
    return ReleasedLayer(cfg.dim, dropout=cfg.dropout, residual_dropout=cfg.residual_dropout)


class _TransformerLayer(nn.Module):
    def __init__(self, dim: int, dropout: float):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(d_model=dim, nhead=8 if dim % 8 == 0 else 1, dim_feedforward=2048,
                                                dropout=dropout, batch_first=True)

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        return self.layer(x)


class ScoredHead(nn.Module):
    """A head maps frozen audio and visual features [B, 10, D] to new ones of the same size; the
    scores over the candidate texts come from them as `--fusion` says (the released GEN1-3)."""

    fusion: str = "sqrt"

    def scores(self, audio: torch.Tensor, visual: torch.Tensor, texts: torch.Tensor) -> torch.Tensor:
        """Per-segment scores over the candidate texts [B, 10, T] (logits for cross-entropy)."""
        a, v = self(audio, visual)
        t = F.normalize(texts, dim=-1)
        if self.fusion == "fea-avg":  # GEN3: the mean of the raw features
            return F.normalize((a + v) / 2, dim=-1) @ t.T
        ca, cv = F.normalize(a, dim=-1) @ t.T, F.normalize(v, dim=-1) @ t.T
        if self.fusion == "sqrt":  # GEN1
            return minmax(torch.sqrt(torch.relu(ca * cv) + 1e-12))
        return (ca + cv) / 2  # GEN2


def build_head(cfg: HeadConfig) -> ScoredHead:
    """The temporal head, or one of the comparison heads (ovavel.models.comparison) by `cfg.head`."""
    from ovavel.models.comparison import COMPARISON_HEADS

    if cfg.head in COMPARISON_HEADS:
        if cfg.fusion not in FUSIONS:
            raise ValueError(f"Expected `fusion` in {FUSIONS}, but got {cfg.fusion!r}")
        return COMPARISON_HEADS[cfg.head].from_config(cfg)
    return TemporalHead(cfg)


class TemporalHead(ScoredHead):
    def __init__(self, cfg: HeadConfig):
        super().__init__()
        for name, allowed in (("head", HEADS), ("temporal", TEMPORAL), ("fusion", FUSIONS), ("attention", ATTENTION)):
            if getattr(cfg, name) not in allowed:
                raise ValueError(f"Expected `{name}` in {allowed}, but got {getattr(cfg, name)!r}")
        if cfg.layers < 1:
            raise ValueError(f"Expected `layers` >= 1, but got {cfg.layers}")
        self.cfg = cfg
        self.fusion = cfg.fusion
        self.intra = cfg.modal_attention in ("intra", "intra+cross")
        self.cross = cfg.modal_attention in ("cross", "intra+cross")
        if self.intra:
            self.audio_layers = nn.ModuleList(make_layer(cfg) for _ in range(cfg.layers))
            self.visual_layers = self.audio_layers if cfg.share_temporal else nn.ModuleList(
                make_layer(cfg) for _ in range(cfg.layers))
        if self.cross:
            self.cross_audio = nn.ModuleList(make_cross_layer(cfg) for _ in range(cfg.layers))
            self.cross_visual = nn.ModuleList(make_cross_layer(cfg) for _ in range(cfg.layers))

    def forward(self, audio: torch.Tensor, visual: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out_a, out_v = 0, 0
        if self.intra:
            a, v = audio, visual
            for la, lv in zip(self.audio_layers, self.visual_layers):
                a, v = la(a), lv(v)
            out_a, out_v = a, v
        if self.cross:  # from the raw features: each modality queries the other's
            a, v = audio, visual
            for la, lv in zip(self.cross_audio, self.cross_visual):
                a, v = la(a, visual), lv(v, audio)
            out_a, out_v = out_a + a, out_v + v
        return out_a, out_v


def minmax(s: torch.Tensor) -> torch.Tensor:
    lo, hi = s.min(-1, keepdim=True).values, s.max(-1, keepdim=True).values
    return (s - lo) / (hi - lo + 1e-8)


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
