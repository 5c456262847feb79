"""`cmra`, released: `CMRAN_FOR_OV_AVEL()` of the OV-AVEL authors' `cmran` module (jasongief/OV-AVEL,
compiled, with `cmran_modules`), the CMRA row of Table 2.

Per modality an internal temporal relation module (Linear(D, D), then 2 post-norm encoder layers:
4 heads, feed-forward 2048, dropout 0.1, ReLU) and a cross-modal relation module (Linear(D, D) on
the query, then 1 decoder layer whose attention reads cat([memory, query]) along time, 20 steps).
audio_out = audio_decoder(audio, video_encoder(visual)); visual_out = video_decoder(visual,
audio_encoder(audio)). Their encoder's two layers are deep copies of one layer, so they start
from identical weights; so do these. Their decoder layer also builds a self-attention it never
calls, and both modules keep the template layer they copy from: none of those are built here
(parameters used by the forward pass at D = 1024: 54,597,632; their module registers 104,990,720).
The layers are ovavel.models.comparison.cmra's `RelationLayer` (batch-first; the same arithmetic as
their sequence-first tensors).
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from ovavel.models.comparison import HeadSpec, heads_divide, register
from ovavel.models.comparison.cmra import RelationLayer
from ovavel.models.scored_head import ScoredHead

HEADS, FFN, DROPOUT = 4, 2048, 0.1


class InternalTemporalRelation(nn.Module):
    """InternalTemporalRelationModule(input_dim=D, d_model=D): affine, then 2 encoder layers."""

    def __init__(self, dim: int):
        super().__init__()
        layer = RelationLayer(dim, HEADS, FFN, DROPOUT)
        self.layers = nn.ModuleList(copy.deepcopy(layer) for _ in range(2))
        self.affine_matrix = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.affine_matrix(x)
        for layer in self.layers:
            x = layer(x)
        return x


class CrossModalRelation(nn.Module):
    """CrossModalRelationAttModule(input_dim=D, d_model=D): affine on the query, 1 decoder layer."""

    def __init__(self, dim: int):
        super().__init__()
        self.layer = RelationLayer(dim, HEADS, FFN, DROPOUT)
        self.affine_matrix = nn.Linear(dim, dim)

    def forward(self, query: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
        return self.layer(self.affine_matrix(query), memory)


class ReleasedCMRA(ScoredHead):
    def __init__(self, dim: int = 1024, fusion: str = "sqrt"):
        super().__init__()
        self.fusion = fusion
        self.video_encoder = InternalTemporalRelation(dim)
        self.video_decoder = CrossModalRelation(dim)
        self.audio_encoder = InternalTemporalRelation(dim)
        self.audio_decoder = CrossModalRelation(dim)

    @classmethod
    def from_config(cls, cfg) -> "ReleasedCMRA":
        return cls(heads_divide(cfg.dim, HEADS, "cmra"), cfg.fusion)

    def forward(self, audio: torch.Tensor, visual: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        audio_out = self.audio_decoder(audio, self.video_encoder(visual))
        visual_out = self.video_decoder(visual, self.audio_encoder(audio))
        return audio_out, visual_out


register(HeadSpec("cmra", "released", "CMRAN_FOR_OV_AVEL (d_model 1024, 4 heads) as the authors ran it",
                  ReleasedCMRA.from_config))
