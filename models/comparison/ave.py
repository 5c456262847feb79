"""`ave`: audio-guided visual attention + one bi-LSTM per modality (Tian et al., ECCV 2018).

Structure and sizes: YapengTian/AVE-ECCV18, models.py `att_Net`, built by supervised_main.py as
att_Net(128, 128, 512, 29): the attention projects audio and visual to 512 and scores 49 map
positions; each modality has a 1-layer bidirectional LSTM of 128 units. Adapted (see
ovavel.models.comparison): D-sized inputs, one region per second (the attention passes the
frame through), and the concatenation + 2-layer classifier replaced by one Linear(256, D) per
modality into the text space.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ovavel.models.comparison import HeadSpec, register
from ovavel.models.comparison.base import ComparisonHead


class AudioGuidedVisualAttention(nn.Module):
    """Audio-guided spatial attention over the regions of each second's visual map
    (att_Net.forward, lines "Audio-guided visual attention"; PSP's AVGA is the same module).

    The source adds the audio term along the region axis (its shapes line up only when the map
    has as many regions as the attention has positions, 49); here it is added to every region's
    score, the reading that holds for any number of regions."""

    def __init__(self, audio_dim: int, visual_dim: int, hidden: int = 512, map_size: int = 49):
        super().__init__()
        self.affine_audio = nn.Linear(audio_dim, hidden)
        self.affine_video = nn.Linear(visual_dim, hidden)
        self.affine_v = nn.Linear(hidden, map_size, bias=False)
        self.affine_g = nn.Linear(hidden, map_size, bias=False)
        self.affine_h = nn.Linear(map_size, 1, bias=False)
        for layer in (self.affine_audio, self.affine_video, self.affine_v, self.affine_g, self.affine_h):
            nn.init.xavier_uniform_(layer.weight)

    def forward(self, audio: torch.Tensor, regions: torch.Tensor) -> torch.Tensor:
        """audio [B, T, A], regions [B, T, R, V] -> attended visual [B, T, V]."""
        v = F.relu(self.affine_video(regions))
        g = F.relu(self.affine_audio(audio))
        z = self.affine_h(torch.tanh(self.affine_v(v) + self.affine_g(g).unsqueeze(-2))).squeeze(-1)  # [B, T, R]
        return (torch.softmax(z, dim=-1).unsqueeze(-1) * regions).sum(-2)


class AVEHead(ComparisonHead):
    def __init__(self, audio_dim: int = 128, visual_dim: int = 512, hidden_dim: int = 128, attention_size: int = 512,
                 map_size: int = 49, out_dim: int | None = None, fusion: str = "sqrt"):
        super().__init__()
        self.fusion = fusion
        self.attention = AudioGuidedVisualAttention(audio_dim, visual_dim, attention_size, map_size)
        self.lstm_audio = nn.LSTM(audio_dim, hidden_dim, 1, batch_first=True, bidirectional=True)
        self.lstm_video = nn.LSTM(visual_dim, hidden_dim, 1, batch_first=True, bidirectional=True)
        self.add_text_projection(2 * hidden_dim, out_dim)

    def forward(self, audio: torch.Tensor, visual: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        regions = self.regions(visual)
        attended = self.attention(audio, regions)
        a, _ = self.lstm_audio(audio)
        v, _ = self.lstm_video(attended)
        return self.project(a, v)


register(HeadSpec("ave", "source", "AVE-ECCV18 att_Net adaptation (AVGA + bi-LSTMs 128), projected into the text space", AVEHead.from_config))
