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

import copy
from dataclasses import asdict, dataclass
from typing import Literal

import torch
from torch import nn

from ovavel.models.scored_head import FUSIONS, ScoredHead, count_parameters, minmax  # noqa: F401 (re-exported)

INITS = ("released", "independent")
HEADS = ("released", "transformer")  # the temporal layers; ovavel.models.comparison adds the Table 2 heads
TEMPORAL = ("attention", "linear")
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
    # "released": every temporal layer (audio and visual, all N layers, intra and cross) starts as a
    # deep copy of one block, as temporal_av_attn_layer.py builds them; "independent": each layer
    # drawn on its own. Only the starting weights differ.
    init: Literal["released", "independent"] = "released"
    # The comparison heads (ave, psp, cmra, mm-pyramid): "released", the modules the OV-AVEL authors
    # ran for Table 2 (default); "source", adaptations of the original AVEL repositories. A run
    # saved before variants existed has no such key and loads as "source" (load_head_config).
    variant: Literal["released", "source"] = "released"
    # cmra and mm-pyramid of the source variant: their inner width (d_model; MM-Pyramid's
    # feed-forward too, CMRA's is 8x). None: the authors' sizes (256 and 512). Smaller widths are
    # for tests and quick CPU runs; the released modules have no width apart from D.
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


def _layer_makers(cfg: HeadConfig):
    """(new intra layer, new cross layer) factories. `init` released: deep copies of one block (the
    cross layers copy the same block where it is of their kind), as the released module builds
    them; independent: a fresh draw each time."""
    if cfg.init == "independent":
        return (lambda: make_layer(cfg)), (lambda: make_cross_layer(cfg))
    block = make_layer(cfg)
    cross_block = block if isinstance(block, ReleasedLayer) else None
    if cross_block is None and cfg.modal_attention != "intra":
        cross_block = make_cross_layer(cfg)
    return (lambda: copy.deepcopy(block)), (lambda: copy.deepcopy(cross_block))


class _TransformerLayer(nn.Module):
    def __init__(self, dim: int, dropout: float):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(d_model=dim, nhead=8 if dim % 8 == 0 else 1, dim_feedforward=2048,
                                                dropout=dropout, batch_first=True)

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        return self.layer(x)


def build_head(cfg: HeadConfig) -> ScoredHead:
    """The temporal head, or one of the comparison heads (ovavel.models.comparison) by `cfg.head`
    and `cfg.variant`."""
    from ovavel.models import comparison

    if cfg.head in comparison.NAMES:
        if cfg.fusion not in FUSIONS:
            raise ValueError(f"Expected `fusion` in {FUSIONS}, but got {cfg.fusion!r}")
        return comparison.lookup(cfg.head, cfg.variant).build(cfg)
    return TemporalHead(cfg)


def load_head_config(saved: dict) -> HeadConfig:
    """The HeadConfig of a run's settings.json. Runs saved before the comparison heads had variants
    were trained with the source adaptations: a saved comparison head without "variant" is "source"."""
    from ovavel.models import comparison

    fields = dict(saved)
    if fields.get("head") in comparison.NAMES and "variant" not in fields:
        fields["variant"] = "source"
    return HeadConfig(**fields)


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
        if cfg.init not in INITS:
            raise ValueError(f"Expected `init` in {INITS}, but got {cfg.init!r}")
        self.intra = cfg.modal_attention in ("intra", "intra+cross")
        self.cross = cfg.modal_attention in ("cross", "intra+cross")
        new_layer, new_cross = _layer_makers(cfg)
        if self.intra:
            self.audio_layers = nn.ModuleList(new_layer() for _ in range(cfg.layers))
            self.visual_layers = self.audio_layers if cfg.share_temporal else nn.ModuleList(
                new_layer() for _ in range(cfg.layers))
        if self.cross:
            self.cross_audio = nn.ModuleList(new_cross() for _ in range(cfg.layers))
            self.cross_visual = nn.ModuleList(new_cross() for _ in range(cfg.layers))

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
