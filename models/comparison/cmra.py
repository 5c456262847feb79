"""`cmra`: cross-modal relation-aware attention (Xu et al., ACM MM 2020, CMRAN).

Structure and sizes: FloretCat/CMRAN, model/main_model.py `supv_main_model` with model/models.py:
visual Linear(512, 512) + ReLU + dropout 0.2; the audio-guided spatial-channel attention
(`New_Audio_Guided_Attention`: channel gate through a 256 bottleneck, spatial attention of
width 256); per modality an internal temporal relation module (Linear to d_model 256, then two
encoder layers: 4 heads, feed-forward 2048, dropout 0.1, post-norm) and a cross-modal relation
module (Linear to 256, one decoder layer whose attention reads [memory; query]); then the
audio-video interaction (4 heads on the product of the two streams, over both as memory).
Adapted (see ovavel.models.comparison): D-sized inputs, one region per second (the spatial
softmax passes the channel-gated frame through), and the localisation classifier replaced by
one Linear(256, D) per modality: the audio stream after its cross-modal module, the visual
stream after the interaction. The source's decoder layer also builds a self-attention that its
forward never calls; it is not built here.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ovavel.models.comparison import HeadSpec, register
from ovavel.models.comparison.base import ComparisonHead


class SpatialChannelAttention(nn.Module):
    """models.py `New_Audio_Guided_Attention` (the layers its forward uses)."""

    def __init__(self, audio_dim: int = 128, visual_dim: int = 512, hidden: int = 512, bottleneck: int = 256):
        super().__init__()
        self.affine_video_1 = nn.Linear(visual_dim, hidden)
        self.affine_audio_1 = nn.Linear(audio_dim, hidden)
        self.affine_bottleneck = nn.Linear(hidden, bottleneck)
        self.affine_v_c_att = nn.Linear(bottleneck, visual_dim)
        self.affine_video_2 = nn.Linear(visual_dim, bottleneck)
        self.affine_audio_2 = nn.Linear(audio_dim, bottleneck)
        self.affine_v_s_att = nn.Linear(bottleneck, 1)

    def forward(self, regions: torch.Tensor, audio: torch.Tensor) -> torch.Tensor:
        """regions [B, T, R, V], audio [B, T, A] -> [B, T, V]."""
        q_audio = F.relu(self.affine_audio_1(audio)).unsqueeze(-2)
        q_video = F.relu(self.affine_video_1(regions))
        joint = F.relu(self.affine_bottleneck((q_audio * q_video).mean(-2)))
        gated = regions * (torch.sigmoid(self.affine_v_c_att(joint)).unsqueeze(-2) + 1)
        q2 = F.relu(self.affine_video_2(gated)) * F.relu(self.affine_audio_2(audio)).unsqueeze(-2)
        spatial = torch.softmax(torch.tanh(self.affine_v_s_att(q2)).squeeze(-1), dim=-1)  # [B, T, R]
        return (spatial.unsqueeze(-1) * gated).sum(-2)


class _FeedForward(nn.Module):
    def __init__(self, d_model: int, ffn: int, dropout: float):
        super().__init__()
        self.linear1, self.linear2 = nn.Linear(d_model, ffn), nn.Linear(ffn, d_model)
        self.dropout, self.dropout2 = nn.Dropout(dropout), nn.Dropout(dropout)
        self.norm2 = nn.LayerNorm(d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm2(x + self.dropout2(self.linear2(self.dropout(F.relu(self.linear1(x))))))


class RelationLayer(nn.Module):
    """models.py `EncoderLayer` (memory None: self-attention) and `DecoderLayer` (attention of the
    query over [memory; query]); post-norm, feed-forward 2048."""

    def __init__(self, d_model: int = 256, heads: int = 4, ffn: int = 2048, dropout: float = 0.1):
        super().__init__()
        self.attn = nn.MultiheadAttention(d_model, heads, dropout=dropout, batch_first=True)
        self.dropout1 = nn.Dropout(dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.ffn = _FeedForward(d_model, ffn, dropout)

    def forward(self, x: torch.Tensor, memory: torch.Tensor | None = None) -> torch.Tensor:
        kv = x if memory is None else torch.cat([memory, x], dim=1)
        x = self.norm1(x + self.dropout1(self.attn(x, kv, kv, need_weights=False)[0]))
        return self.ffn(x)


class CMRAHead(ComparisonHead):
    def __init__(self, audio_dim: int = 128, visual_dim: int = 512, d_model: int = 256, out_dim: int | None = None,
                 fusion: str = "sqrt", ffn: int = 2048):
        super().__init__()
        self.fusion = fusion
        self.v_fc = nn.Linear(visual_dim, 512)
        self.dropout = nn.Dropout(0.2)
        self.spatial_channel_att = SpatialChannelAttention(audio_dim, 512)
        self.video_affine, self.audio_affine = nn.Linear(512, d_model), nn.Linear(audio_dim, d_model)
        self.video_encoder = nn.ModuleList(RelationLayer(d_model, ffn=ffn) for _ in range(2))
        self.audio_encoder = nn.ModuleList(RelationLayer(d_model, ffn=ffn) for _ in range(2))
        self.video_query_affine, self.audio_query_affine = nn.Linear(512, d_model), nn.Linear(audio_dim, d_model)
        self.video_decoder, self.audio_decoder = RelationLayer(d_model, ffn=ffn), RelationLayer(d_model, ffn=ffn)
        self.av_attn = nn.MultiheadAttention(d_model, 4, dropout=0.1, batch_first=True)
        self.av_dropout = nn.Dropout(0.1)
        self.av_norm = nn.LayerNorm(d_model)
        self.add_text_projection(d_model, out_dim)

    @classmethod
    def from_config(cls, cfg) -> "CMRAHead":
        if cfg.width is None:
            return cls(cfg.dim, cfg.dim, out_dim=cfg.dim, fusion=cfg.fusion)
        return cls(cfg.dim, cfg.dim, d_model=cfg.width, out_dim=cfg.dim, fusion=cfg.fusion, ffn=8 * cfg.width)

    def forward(self, audio: torch.Tensor, visual: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        regions = self.regions(visual)
        regions = self.dropout(F.relu(self.v_fc(regions)))
        video = self.spatial_channel_att(regions, audio)
        video_kv = self.video_affine(video)
        for layer in self.video_encoder:
            video_kv = layer(video_kv)
        audio_kv = self.audio_affine(audio)
        for layer in self.audio_encoder:
            audio_kv = layer(audio_kv)
        audio_q = self.audio_decoder(self.audio_query_affine(audio), video_kv)
        video_q = self.video_decoder(self.video_query_affine(video), audio_kv)
        # AudioVideoInter: the product of the streams attends over both
        joint = video_q * audio_q
        memory = torch.cat([audio_q, video_q], dim=1)
        video_q = self.av_norm(joint + self.av_dropout(self.av_attn(joint, memory, memory, need_weights=False)[0]))
        return self.project(audio_q, video_q)


register(HeadSpec("cmra", "source", "CMRAN supv_main_model adaptation (d_model 256), projected into the text space", CMRAHead.from_config))
