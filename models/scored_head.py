"""What every head shares: it maps frozen audio and visual features [B, 10, D] to new ones of the
same size, and scores them against the candidate texts as `--fusion` says (the released GEN1-3).
The temporal heads (ovavel.models.head) and the comparison heads (ovavel.models.comparison) build
on it; it imports neither, so they do not import each other."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

FUSIONS = ("sqrt", "prob-avg", "fea-avg")


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


def minmax(s: torch.Tensor) -> torch.Tensor:
    lo, hi = s.min(-1, keepdim=True).values, s.max(-1, keepdim=True).values
    return (s - lo) / (hi - lo + 1e-8)


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
