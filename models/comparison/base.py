"""What the four comparison heads share: their fusion module's two streams go into the text space
by one Linear(width, D) per modality (in place of the source classifiers)."""

from __future__ import annotations

import torch
from torch import nn

from ovavel.models.scored_head import ScoredHead


class ComparisonHead(ScoredHead):
    def add_text_projection(self, width: int, out_dim: int | None) -> None:
        """out_dim None: no projection (the fusion module alone, as its source configuration)."""
        self.to_text = None if out_dim is None else nn.ModuleDict(
            {"audio": nn.Linear(width, out_dim), "visual": nn.Linear(width, out_dim)})

    def project(self, a: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.to_text is None:
            return a, v
        return self.to_text["audio"](a), self.to_text["visual"](v)

    @staticmethod
    def regions(visual: torch.Tensor) -> torch.Tensor:
        """[B, T, R, V] regions per second; a pooled [B, T, V] feature is one region."""
        return visual if visual.dim() == 4 else visual.unsqueeze(-2)

    @classmethod
    def from_config(cls, cfg) -> "ComparisonHead":
        """The head for features of size cfg.dim, projecting back to cfg.dim (the text space)."""
        return cls(cfg.dim, cfg.dim, out_dim=cfg.dim, fusion=cfg.fusion)
