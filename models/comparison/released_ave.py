"""`ave`, released: the DMRN fusion `TBMRF_Net(hidden_size=1024, nb_block=1)` of the OV-AVEL
authors' `avel` module (jasongief/OV-AVEL, compiled), the AVE row of Table 2.

U_v and U_a are each Linear(D, D) -> Tanh -> Linear(D, D). Their module is `forward(video, audio)`
returning `(audio, video)`, and inside its block the new "video" is tanh(audio_input + m) and the new
"audio" tanh(video_input + m); the wiring calls it with (audio, visual), so the two swaps cancel. As
run: m = (U_v(audio) + U_a(visual)) / 2, audio_out = tanh(audio + m), visual_out = tanh(visual + m).
Parameters at D = 1024: 4,198,400. Attribute names are theirs.
"""

from __future__ import annotations

import torch
from torch import nn

from ovavel.models.comparison import HeadSpec, register
from ovavel.models.scored_head import ScoredHead


def _two_layer(dim: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(dim, dim), nn.Tanh(), nn.Linear(dim, dim))


class ReleasedAVE(ScoredHead):
    def __init__(self, dim: int = 1024, fusion: str = "sqrt"):
        super().__init__()
        self.fusion = fusion
        self.U_v = _two_layer(dim)
        self.U_a = _two_layer(dim)

    @classmethod
    def from_config(cls, cfg) -> "ReleasedAVE":
        return cls(cfg.dim, cfg.fusion)

    def forward(self, audio: torch.Tensor, visual: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        merged = (self.U_v(audio) + self.U_a(visual)) * 0.5
        return torch.tanh(audio + merged), torch.tanh(visual + merged)


register(HeadSpec("ave", "released", "TBMRF_Net(1024, nb_block=1): the DMRN fusion as the authors ran it",
                  ReleasedAVE.from_config))
