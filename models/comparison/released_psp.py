"""`psp`, released: `PSP_For_OVAVEL(a_dim=1024, v_dim=1024, hidden_dim=1024, out_dim=1024)` of the
OV-AVEL authors' `psp` module (jasongief/OV-AVEL, compiled), the PSP row of Table 2.

The same positive sample propagation as the source variant's (ovavel.models.comparison.psp
`PositiveSamplePropagation`, which this reuses) at D everywhere and threshold 0.095: six bias-free
Linear(D, D), xavier-uniform initialised in the order v_L1, v_L2, a_L1, a_L2, a_fc, v_fc; dropout
0.1; beta_va = relu(v2 a1^T / sqrt(D)), each direction row-normalised, entries <= 0.095 dropped,
normalised again; v + gamma_va a2 and a + gamma_av v1, then LayerNorm(dropout(relu(fc(x)))) with one
LayerNorm (eps 1e-6) shared by both. Parameters at D = 1024: 6,293,504.
"""

from __future__ import annotations

import torch

from ovavel.models.comparison import HeadSpec, register
from ovavel.models.comparison.psp import PositiveSamplePropagation
from ovavel.models.scored_head import ScoredHead

THRESHOLD = 0.095  # the compiled forward's default thr_val


class ReleasedPSP(ScoredHead):
    def __init__(self, dim: int = 1024, fusion: str = "sqrt", threshold: float = THRESHOLD):
        super().__init__()
        self.fusion = fusion
        self.psp = PositiveSamplePropagation(dim, dim, dim, dim, threshold=threshold)

    @classmethod
    def from_config(cls, cfg) -> "ReleasedPSP":
        return cls(cfg.dim, cfg.fusion)

    def forward(self, audio: torch.Tensor, visual: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.psp(audio, visual)


register(HeadSpec("psp", "released", "PSP_For_OVAVEL (1024-d, threshold 0.095) as the authors ran it",
                  ReleasedPSP.from_config))
