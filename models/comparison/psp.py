"""`psp`: positive sample propagation (Zhou et al., CVPR 2021).

Structure and sizes: jasongief/PSP_CVPR_2021, fully_model.py `psp_net`, built by
fully_supervised_main.py as psp_net(128, 512, 128, 29) with --threshold 0.099: audio 128 ->
256 -> 128 and visual 512 -> 256 -> 128 (no biases), the audio-guided visual attention (AVGA,
hidden 512, 49 positions) on the projected audio, one 1-layer bi-LSTM of 128 units per modality,
then the PSP module (256 -> 256, ReLU, dropout 0.1, similarity pruned below the threshold, shared
LayerNorm). Adapted (see ovavel.models.comparison): D-sized inputs, one region per second, and the
classifier on the fused feature replaced by one Linear(256, D) per modality (each on its PSP
output, v_psp and a_psp). The audio-visual pair similarity loss of the source (AVPSLoss, weight
100) needs positive-pair labels of the source's own; it is not used: every head trains with the
fine-tuned baseline's loss.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ovavel.models.comparison.ave import AudioGuidedVisualAttention
from ovavel.models.comparison import HeadSpec, register
from ovavel.models.comparison.base import ComparisonHead


def _prune(att: torch.Tensor, threshold: float) -> torch.Tensor:
    """Rows L1-normalised, entries at or below the threshold dropped, rows normalised again."""
    att = att / (att.sum(-1, keepdim=True) + 1e-8)
    att = (att > threshold).float() * att
    return att / (att.sum(-1, keepdim=True) + 1e-8)


class PositiveSamplePropagation(nn.Module):
    """fully_model.py `PSP`: each modality gathers the other's segments it is most similar to."""

    def __init__(self, a_dim: int = 256, v_dim: int = 256, hidden_dim: int = 256, out_dim: int = 256,
                 threshold: float = 0.099):
        super().__init__()
        self.threshold = threshold
        self.v_L1, self.v_L2 = nn.Linear(v_dim, hidden_dim, bias=False), nn.Linear(v_dim, hidden_dim, bias=False)
        self.a_L1, self.a_L2 = nn.Linear(a_dim, hidden_dim, bias=False), nn.Linear(a_dim, hidden_dim, bias=False)
        self.v_fc, self.a_fc = nn.Linear(v_dim, out_dim, bias=False), nn.Linear(a_dim, out_dim, bias=False)
        self.dropout = nn.Dropout(0.1)
        self.layer_norm = nn.LayerNorm(out_dim, eps=1e-6)
        for layer in (self.v_L1, self.v_L2, self.a_L1, self.a_L2, self.a_fc, self.v_fc):
            nn.init.xavier_uniform_(layer.weight)

    def forward(self, a: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        v1, v2 = (self.dropout(F.relu(layer(v))) for layer in (self.v_L1, self.v_L2))
        a1, a2 = (self.dropout(F.relu(layer(a))) for layer in (self.a_L1, self.a_L2))
        v_to_a = F.relu(v2 @ a1.transpose(1, 2) / v2.shape[-1] ** 0.5)  # [B, T(v), T(a)]
        a_to_v = v_to_a.transpose(1, 2)
        v_psp = v + _prune(v_to_a, self.threshold) @ a2
        a_psp = a + _prune(a_to_v, self.threshold) @ v1
        v_psp = self.layer_norm(self.dropout(F.relu(self.v_fc(v_psp))))
        a_psp = self.layer_norm(self.dropout(F.relu(self.a_fc(a_psp))))
        return a_psp, v_psp


class PSPHead(ComparisonHead):
    def __init__(self, audio_dim: int = 128, visual_dim: int = 512, hidden_dim: int = 128, out_dim: int | None = None,
                 fusion: str = "sqrt", threshold: float = 0.099):
        super().__init__()
        self.fusion = fusion
        self.fa = nn.Sequential(nn.Linear(audio_dim, 256, bias=False), nn.Linear(256, 128, bias=False))
        self.fv = nn.Sequential(nn.Linear(visual_dim, 256, bias=False), nn.Linear(256, 128, bias=False))
        self.attention = AudioGuidedVisualAttention(128, visual_dim, 512, 49)
        self.lstm_audio = nn.LSTM(128, hidden_dim, 1, batch_first=True, bidirectional=True)
        self.lstm_video = nn.LSTM(hidden_dim, hidden_dim, 1, batch_first=True, bidirectional=True)
        self.psp = PositiveSamplePropagation(2 * hidden_dim, 2 * hidden_dim, threshold=threshold)
        self.add_text_projection(256, out_dim)

    def forward(self, audio: torch.Tensor, visual: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        regions = self.regions(visual)
        fa = self.fa(audio)
        fv = self.fv(self.attention(fa, regions))
        a, _ = self.lstm_audio(fa)
        v, _ = self.lstm_video(fv)
        a, v = self.psp(a, v)
        return self.project(a, v)


register(HeadSpec("psp", "source", "PSP_CVPR_2021 psp_net adaptation (128/256, thr 0.099), projected into the text space", PSPHead.from_config))
