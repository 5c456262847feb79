"""`mm-pyramid`: multimodal pyramid attention (Yu et al., ACM MM 2022).

Structure and sizes: JustinYuu/MM_Pyramid, nets/MPAM.py `MultimodalPyramidAttentionalModule` with
nets/Transformer.py, built by main_avvp.py with hid_dim 512, ffn_dim 512, 4 levels, 8 heads,
kernel 3, dropout 0.2: at level i (dilation 2^i) an integrated attention block (self-attention
per modality and a shared cross-modal attention, each a pre-norm transformer layer whose
attention sees only seconds within the dilation, fused by sigmoid gates) feeds a dilated
temporal convolution block per modality; the four levels' outputs are fused per second by a
transformer layer over the levels and a learned sigmoid weighting. Input projections as in
main_network.py `AVVPNet` (fc_a: audio -> 512; fc_v: visual -> 512). Adapted (see
ovavel.models.comparison): D-sized inputs and one visual feature per second (the source fuses a
2D and a 3D visual stream through fc_st / fc_fusion: ImageBind has one), and the event
classifiers replaced by one Linear(512, D) per modality. The source's attention layers also hold
a LayerNorm their forward never calls, and the capture and fusion modules a template attention
and feed-forward used only to copy from; none of these are built here.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from ovavel.models.comparison import HeadSpec, register
from ovavel.models.comparison.base import ComparisonHead


class BandAttention(nn.Module):
    """Transformer.py `MultiHeadAttention`: 4 linears; with a window, second i sees seconds
    within `window` of it (the source's masksize = 2 x dilation)."""

    def __init__(self, heads: int, d_model: int, window: int | None = None, dropout: float = 0.1):
        super().__init__()
        self.heads, self.d_k, self.window = heads, d_model // heads, window
        self.linears = nn.ModuleList(nn.Linear(d_model, d_model) for _ in range(4))
        self.dropout = nn.Dropout(dropout)

    def forward(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        b = q.shape[0]
        q, k, v = (lin(x).view(b, -1, self.heads, self.d_k).transpose(1, 2) for lin, x in zip(self.linears, (q, k, v)))
        scores = q @ k.transpose(-2, -1) / self.d_k ** 0.5
        if self.window is not None:
            i = torch.arange(scores.shape[-2], device=q.device)[:, None]
            j = torch.arange(scores.shape[-1], device=q.device)[None, :]
            scores = scores.masked_fill((j - i).abs() > self.window, -1e9)
        x = self.dropout(torch.softmax(scores, dim=-1)) @ v
        return self.linears[3](x.transpose(1, 2).reshape(b, -1, self.heads * self.d_k))


class PreNormLayer(nn.Module):
    """Transformer.py `TransformerLayer`: x + drop(attn(norm(x), k, v)), then x + drop(ffn(norm(x)))."""

    def __init__(self, d_model: int, heads: int, ffn: int, dropout: float, window: int | None = None):
        super().__init__()
        self.attn = BandAttention(heads, d_model, window)
        self.ffn = nn.Sequential(nn.Linear(d_model, ffn), nn.ReLU(), nn.Dropout(dropout), nn.Linear(ffn, d_model))
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        q = q + self.dropout(self.attn(self.norm1(q), k, v))
        return q + self.dropout(self.ffn(self.norm2(q)))


class IntegratedAttention(nn.Module):
    """Transformer.py `IntegrateAttentionBlock`."""

    def __init__(self, d_model: int, heads: int, ffn: int, dropout: float, window: int):
        super().__init__()
        self.v_self, self.a_self, self.cross = (PreNormLayer(d_model, heads, ffn, dropout, window) for _ in range(3))
        self.lv1, self.lv2, self.la1, self.la2 = (nn.Linear(2 * d_model, d_model) for _ in range(4))

    def forward(self, v: torch.Tensor, a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        v_sa, a_sa = self.v_self(v, v, v), self.a_self(a, a, a)
        v_cm, a_cm = self.cross(v, a, a), self.cross(a, v, v)
        vs, as_ = torch.cat((v_sa, v_cm), -1), torch.cat((a_sa, a_cm), -1)
        v_out = torch.sigmoid(self.lv1(vs)) * v_sa + torch.sigmoid(self.lv2(vs)) * v_cm
        a_out = torch.sigmoid(self.la1(as_)) * a_sa + torch.sigmoid(self.la2(as_)) * a_cm
        return v_out, a_out


class TemporalBlock(nn.Module):
    """MPAM.py `TemporalBlock`: dilated conv (kernel 3) -> ReLU -> 1x1 conv, residual, ReLU."""

    def __init__(self, channels: int, kernel: int, dilation: int):
        super().__init__()
        self.conv1 = nn.Conv1d(channels, channels, kernel, padding=dilation, dilation=dilation)
        self.conv2 = nn.Conv1d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # [B, T, C]
        y = self.conv2(F.relu(self.conv1(x.transpose(1, 2)))).transpose(1, 2)
        return F.relu(y + x)


class PyramidAttention(nn.Module):
    """MPAM.py `MultimodalPyramidAttentionalModule` (capture: levels; fusion: over the levels)."""

    def __init__(self, d_model: int = 512, ffn: int = 512, levels: int = 4, heads: int = 8, kernel: int = 3,
                 dropout: float = 0.2):
        super().__init__()
        self.msa = nn.ModuleList(IntegratedAttention(d_model, heads, ffn, dropout, 2 ** i) for i in range(levels))
        self.v_tcn = nn.ModuleList(TemporalBlock(d_model, kernel, 2 ** i) for i in range(levels))
        self.a_tcn = nn.ModuleList(TemporalBlock(d_model, kernel, 2 ** i) for i in range(levels))
        self.v_interact = PreNormLayer(d_model, heads, ffn, dropout)
        self.a_interact = PreNormLayer(d_model, heads, ffn, dropout)
        self.v_select, self.a_select = nn.Linear(d_model, 1), nn.Linear(d_model, 1)

    def forward(self, v: torch.Tensor, a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        b, t, d = v.shape
        v_levels, a_levels = [], []
        for msa, v_tcn, a_tcn in zip(self.msa, self.v_tcn, self.a_tcn):
            v, a = msa(v, a)
            v, a = v_tcn(v), a_tcn(a)
            v_levels.append(v)
            a_levels.append(a)
        v_st = torch.stack(v_levels, dim=2).reshape(b * t, len(v_levels), d)  # each second: its levels
        a_st = torch.stack(a_levels, dim=2).reshape(b * t, len(a_levels), d)
        v_i, a_i = self.v_interact(v_st, v_st, v_st), self.a_interact(a_st, a_st, a_st)
        v_out = (v_i.transpose(1, 2) @ torch.sigmoid(self.v_select(v_i))).view(b, t, d)
        a_out = (a_i.transpose(1, 2) @ torch.sigmoid(self.a_select(a_i))).view(b, t, d)
        return v_out, a_out


class MMPyramidHead(ComparisonHead):
    def __init__(self, audio_dim: int, visual_dim: int, out_dim: int | None = None, fusion: str = "sqrt",
                 d_model: int = 512, ffn: int = 512, levels: int = 4, heads: int = 8):
        super().__init__()
        self.fusion = fusion
        self.fc_a, self.fc_v = nn.Linear(audio_dim, d_model), nn.Linear(visual_dim, d_model)
        self.pyramid = PyramidAttention(d_model, ffn, levels, heads)
        self.add_text_projection(d_model, out_dim)

    @classmethod
    def from_config(cls, cfg) -> "MMPyramidHead":
        width = cfg.width or 512
        return cls(cfg.dim, cfg.dim, out_dim=cfg.dim, fusion=cfg.fusion, d_model=width, ffn=width)

    def forward(self, audio: torch.Tensor, visual: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        v, a = self.pyramid(self.fc_v(visual), self.fc_a(audio))
        return self.project(a, v)


register(HeadSpec("mm-pyramid", "source", "MM_Pyramid MMP adaptation (4 levels at 512), projected into the text space", MMPyramidHead.from_config))
