"""`mm-pyramid`, released: `MultimodalPyramidAttentionalModule(num_inputs=1024, ffn_dim=2014,
num_channels=[1024], kernel_size=3, dropout=0.2, nhead=8)` of the OV-AVEL authors' `MPAM` module
(jasongief/OV-AVEL, compiled; built from JustinYuu/MM_Pyramid's nets/Transformer.py), the
MM-Pyramid row of Table 2.

One pyramid level only (num_channels has one entry) and a feed-forward of 2014 (sic, as compiled):
the same module as the source variant's `PyramidAttention` (ovavel.models.comparison.mm_pyramid,
reused here) with d_model D, ffn 2014, 1 level, 8 heads, kernel 3, dropout 0.2; the level's
attention sees seconds within +-1 of its own. Their `forward(audio, video)` returns
`(audio, video)`. Initialisation follows their copies: each attention's four linears are clones of
one, the three layers of the level share one feed-forward's starting weights, and the two fusion
layers start as copies of one layer. Parameters used at D = 1024: 58,438,488 (registered: 75,105,044,
with the templates and an attention LayerNorm their forward never calls).
"""

from __future__ import annotations

import torch

from ovavel.models.comparison import HeadSpec, heads_divide, register
from ovavel.models.comparison.mm_pyramid import BandAttention, PreNormLayer, PyramidAttention
from ovavel.models.scored_head import ScoredHead

FFN, LEVELS, HEADS, KERNEL, DROPOUT = 2014, 1, 8, 3, 0.2


def _clone_linears(attn: BandAttention) -> None:
    for lin in attn.linears[1:]:
        lin.load_state_dict(attn.linears[0].state_dict())


def _copy_ffn(src: PreNormLayer, dst: PreNormLayer) -> None:
    dst.ffn.load_state_dict(src.ffn.state_dict())


class ReleasedMMPyramid(ScoredHead):
    def __init__(self, dim: int = 1024, fusion: str = "sqrt"):
        super().__init__()
        self.fusion = fusion
        self.pyramid = PyramidAttention(dim, FFN, LEVELS, HEADS, KERNEL, DROPOUT)
        with torch.no_grad():
            for level in self.pyramid.msa:
                for layer in (level.v_self, level.a_self, level.cross):
                    _clone_linears(layer.attn)
                _copy_ffn(level.v_self, level.a_self)
                _copy_ffn(level.v_self, level.cross)
            _clone_linears(self.pyramid.v_interact.attn)
            self.pyramid.a_interact.load_state_dict(self.pyramid.v_interact.state_dict())

    @classmethod
    def from_config(cls, cfg) -> "ReleasedMMPyramid":
        return cls(heads_divide(cfg.dim, HEADS, "mm-pyramid"), cfg.fusion)

    def forward(self, audio: torch.Tensor, visual: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        v_out, a_out = self.pyramid(visual, audio)
        return a_out, v_out


register(HeadSpec("mm-pyramid", "released", "MultimodalPyramidAttentionalModule(1024, ffn 2014, [1024]) as the authors "
                  "ran it", ReleasedMMPyramid.from_config))
