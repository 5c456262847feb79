"""The comparison heads as the OV-AVEL authors ran them (the default variant, the Table 2 rows):
parameter counts at D = 1024, and each forward against a plain re-implementation written here from
the compiled modules' behaviour (jasongief/OV-AVEL: avel, psp, cmran + cmran_modules, MPAM with
MM_Pyramid's Transformer.py), in their own tensor layouts and loops, on seeded inputs."""

from __future__ import annotations

import json
import math

import pytest
import torch
from torch.nn import functional as F

from ovavel.models.comparison import NAMES, load_heads
from ovavel.models.head import HeadConfig, build_head, count_parameters, load_head_config

D = 16  # divisible by CMRA's 4 and MM-Pyramid's 8 heads


def lin(layer, x):
    return x @ layer.weight.T + (layer.bias if layer.bias is not None else 0)


def layer_norm(norm, x):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + norm.eps) * norm.weight + norm.bias


# -- avel.TBMRF_Net ------------------------------------------------------------------------------
def tbmrf_reference(head, audio, visual):
    """TBMRF_Net.forward(video, audio) -> (audio, video), called by the wiring as (audio, visual)."""
    video, audio_ = audio, visual  # the compiled names of what the wiring passes in
    for _ in range(1):  # nb_block = 1
        video_residual = video
        v = lin(head.U_v[2], torch.tanh(lin(head.U_v[0], video)))
        audio_residual = audio_
        a = lin(head.U_a[2], torch.tanh(lin(head.U_a[0], audio_)))
        merged = (v + a) * 0.5
        video = torch.tanh(audio_residual + merged)
        audio_ = torch.tanh(video_residual + merged)
    return audio_, video  # the wiring's (audio, visual)


# -- psp.PSP_For_OVAVEL --------------------------------------------------------------------------
def psp_reference(head, a_fea, v_fea, thr=0.095):
    p = head.psp
    B, T, _ = a_fea.shape
    v1, v2 = torch.relu(lin(p.v_L1, v_fea)), torch.relu(lin(p.v_L2, v_fea))
    a1, a2 = torch.relu(lin(p.a_L1, a_fea)), torch.relu(lin(p.a_L2, a_fea))
    v_psp, a_psp = v_fea.clone(), a_fea.clone()
    for b in range(B):
        beta_va = torch.relu(v2[b] @ a1[b].T / torch.sqrt(torch.tensor([float(v2.shape[2])])))
        beta_av = beta_va.T
        for beta, src, dst in ((beta_va, a2[b], v_psp), (beta_av, v1[b], a_psp)):
            for i in range(T):
                row = beta[i] / (beta[i].sum() + 1e-8)
                gamma = (row > thr).float() * row
                gamma = gamma / (gamma.sum() + 1e-8)
                dst[b, i] = dst[b, i] + sum(gamma[j] * src[j] for j in range(T))
    v_out = layer_norm(p.layer_norm, torch.relu(lin(p.v_fc, v_psp)))
    a_out = layer_norm(p.layer_norm, torch.relu(lin(p.a_fc, a_psp)))
    return a_out, v_out


# -- cmran.CMRAN_FOR_OV_AVEL (sequence-first, as compiled) --------------------------------------
def mha_seq_first(attn, q, k, v):
    """torch.nn.MultiheadAttention's arithmetic on [T, B, D] tensors, head by head."""
    d, h = attn.embed_dim, attn.num_heads
    wq, wk, wv = attn.in_proj_weight.split(d)
    bq, bk, bv = attn.in_proj_bias.split(d)
    Q, K, V = q @ wq.T + bq, k @ wk.T + bk, v @ wv.T + bv
    dh = d // h
    outs = []
    for i in range(h):
        s = slice(i * dh, (i + 1) * dh)
        scores = torch.einsum("tbd,sbd->bts", Q[..., s], K[..., s]) / math.sqrt(dh)
        outs.append(torch.einsum("bts,sbd->tbd", torch.softmax(scores, -1), V[..., s]))
    return torch.cat(outs, -1) @ attn.out_proj.weight.T + attn.out_proj.bias


def post_norm_ffn(layer, x):
    f = layer.ffn
    return layer_norm(f.norm2, x + lin(f.linear2, torch.relu(lin(f.linear1, x))))


def cmran_reference(head, audio_feature, visual_feature):
    audio_feature, visual_feature = audio_feature.permute(1, 0, 2), visual_feature.permute(1, 0, 2)

    def encoder(module, feature):  # InternalTemporalRelationModule
        x = lin(module.affine_matrix, feature)
        for layer in module.layers:  # EncoderLayer: post-norm
            x = layer_norm(layer.norm1, x + mha_seq_first(layer.attn, x, x, x))
            x = post_norm_ffn(layer, x)
        return x

    def decoder(module, query, memory):  # CrossModalRelationAttModule, DecoderLayer
        tgt = lin(module.affine_matrix, query)
        memory = torch.cat([memory, tgt], dim=0)
        layer = module.layer
        tgt = layer_norm(layer.norm1, tgt + mha_seq_first(layer.attn, tgt, memory, memory))
        return post_norm_ffn(layer, tgt)

    video_kv = encoder(head.video_encoder, visual_feature)
    audio_q = decoder(head.audio_decoder, audio_feature, video_kv)
    audio_kv = encoder(head.audio_encoder, audio_feature)
    video_q = decoder(head.video_decoder, visual_feature, audio_kv)
    return audio_q.permute(1, 0, 2), video_q.permute(1, 0, 2)


# -- MPAM.MultimodalPyramidAttentionalModule + MM_Pyramid nets/Transformer.py -------------------
def mm_attention(query, key, value, masksize):
    d_k = query.size(-1)
    scores = torch.matmul(query, key.transpose(-2, -1)) / math.sqrt(d_k)
    if masksize != 1:
        masksize = int(masksize / 2)
        mask = torch.ones(scores.size())
        for i in range(mask.shape[2]):
            if i - masksize > 0:
                mask[:, :, i, :i - masksize] = 0
            if i + masksize + 1 < mask.shape[3]:
                mask[:, :, i, masksize + i + 1:] = 0
        scores = scores.masked_fill(mask == 0, -1e9)
    return torch.matmul(F.softmax(scores, dim=-1), value)


def mm_multihead(attn, masksize, query, key, value):
    n = query.size(0)
    h, d_k = attn.heads, attn.d_k
    query, key, value = [lin(l, x).view(n, -1, h, d_k).transpose(1, 2)
                         for l, x in zip(attn.linears, (query, key, value))]
    x = mm_attention(query, key, value, masksize)
    return lin(attn.linears[-1], x.transpose(1, 2).contiguous().view(n, -1, h * d_k))


def mm_transformer_layer(layer, masksize, q, k, v):
    q = q + mm_multihead(layer.attn, masksize, layer_norm(layer.norm1, q), k, v)
    x = layer_norm(layer.norm2, q)
    return q + lin(layer.ffn[3], torch.relu(lin(layer.ffn[0], x)))


def mpam_reference(head, audio, video):
    p = head.pyramid
    v_stage_list, a_stage_list = [], []
    v_stage, a_stage = video, audio
    for i, (msa, vnet, anet) in enumerate(zip(p.msa, p.v_tcn, p.a_tcn)):
        masksize = 2 ** i * 2
        v_sa = mm_transformer_layer(msa.v_self, masksize, v_stage, v_stage, v_stage)
        a_sa = mm_transformer_layer(msa.a_self, masksize, a_stage, a_stage, a_stage)
        v_cma = mm_transformer_layer(msa.cross, masksize, v_stage, a_stage, a_stage)
        a_cma = mm_transformer_layer(msa.cross, masksize, a_stage, v_stage, v_stage)
        v_sq, a_sq = torch.cat((v_sa, v_cma), -1), torch.cat((a_sa, a_cma), -1)
        v_msa = torch.sigmoid(lin(msa.lv1, v_sq)) * v_sa + torch.sigmoid(lin(msa.lv2, v_sq)) * v_cma
        a_msa = torch.sigmoid(lin(msa.la1, a_sq)) * a_sa + torch.sigmoid(lin(msa.la2, a_sq)) * a_cma
        outs = []
        for net, x in ((vnet, v_msa), (anet, a_msa)):
            x = x.permute(0, 2, 1)
            y = F.conv1d(torch.relu(F.conv1d(x, net.conv1.weight, net.conv1.bias, padding=2 ** i, dilation=2 ** i)),
                         net.conv2.weight, net.conv2.bias)
            outs.append(torch.relu(y + x).permute(0, 2, 1))
        v_stage, a_stage = outs
        v_stage_list.append(v_stage)
        a_stage_list.append(a_stage)
    v_stage = torch.stack(v_stage_list, dim=2)
    a_stage = torch.stack(a_stage_list, dim=2)
    v_stage = v_stage.view(-1, v_stage.size(2), v_stage.size(3))
    a_stage = a_stage.view(-1, a_stage.size(2), a_stage.size(3))
    v_i = mm_transformer_layer(p.v_interact, 1, v_stage, v_stage, v_stage)
    a_i = mm_transformer_layer(p.a_interact, 1, a_stage, a_stage, a_stage)
    v_w, a_w = torch.sigmoid(lin(p.v_select, v_i)), torch.sigmoid(lin(p.a_select, a_i))
    v_out = torch.bmm(v_i.permute(0, 2, 1), v_w).view(-1, 10, D)
    a_out = torch.bmm(a_i.permute(0, 2, 1), a_w).view(-1, 10, D)
    return a_out, v_out


REFERENCES = {"ave": tbmrf_reference, "psp": psp_reference, "cmra": cmran_reference, "mm-pyramid": mpam_reference}


@pytest.mark.parametrize("name", NAMES)
def test_forward_equals_the_compiled_modules_behaviour(name):
    torch.manual_seed(7)
    head = build_head(HeadConfig(dim=D, head=name)).eval()
    for p in head.parameters():  # move every weight off its initial symmetry (copies, zero biases)
        p.data.add_(0.3 * torch.randn_like(p))
    audio, visual = torch.randn(3, 10, D), torch.randn(3, 10, D)
    with torch.no_grad():
        ours = head(audio, visual)
        ref = REFERENCES[name](head, audio, visual)
    for x, y in zip(ours, ref):
        assert x.shape == (3, 10, D)
        # float32 sums in another order: agreement to 1e-4 relative (values reach about 40 here)
        assert torch.allclose(x, y, atol=1e-4, rtol=1e-4), (name, (x - y).abs().max())
    assert not torch.allclose(ours[0], ours[1])  # the two streams differ (the check can fail)


# As the issue and released-comparison-heads.md give them (their counts of the layers the compiled
# forward uses), and worked out layer by layer:
def linear(i, o, bias=True):
    return i * o + (o if bias else 0)


MHA = 3 * 1024 * 1024 + 3 * 1024 + linear(1024, 1024)  # torch MultiheadAttention
MM_MHA = 4 * linear(1024, 1024)  # MM_Pyramid MultiHeadAttention (its LayerNorm unused)
MM_LAYER = MM_MHA + linear(1024, 2014) + linear(2014, 1024) + 2 * 2048  # + two sublayer norms
RELEASED_COUNTS = {
    "ave": 2 * 2 * linear(1024, 1024),
    "psp": 6 * linear(1024, 1024, False) + 2048,
    "cmra": 2 * (linear(1024, 1024) + 2 * (MHA + linear(1024, 2048) + linear(2048, 1024) + 2 * 2048)
                 + linear(1024, 1024) + MHA + linear(1024, 2048) + linear(2048, 1024) + 2 * 2048),
    "mm-pyramid": 3 * MM_LAYER + 4 * linear(2048, 1024) + 2 * (3 * 1024 * 1024 + 1024 + linear(1024, 1024))
                  + 2 * MM_LAYER + 2 * linear(1024, 1),
}


@pytest.mark.parametrize("name", NAMES)
def test_parameter_counts_at_1024(name):
    assert RELEASED_COUNTS[name] == {"ave": 4_198_400, "psp": 6_293_504, "cmra": 54_597_632,
                                     "mm-pyramid": 58_438_488}[name]
    assert count_parameters(build_head(HeadConfig(dim=1024, head=name))) == RELEASED_COUNTS[name]


def test_initial_copies_as_released():
    torch.manual_seed(0)
    cmra = build_head(HeadConfig(dim=D, head="cmra"))
    for enc in (cmra.video_encoder, cmra.audio_encoder):  # two deep copies of one encoder layer
        a, b = (dict(layer.named_parameters()) for layer in enc.layers)
        assert all(torch.equal(a[k], b[k]) for k in a)
    mm = build_head(HeadConfig(dim=D, head="mm-pyramid")).pyramid
    lins = mm.msa[0].v_self.attn.linears
    assert all(torch.equal(lins[0].weight, x.weight) for x in lins)
    assert torch.equal(mm.msa[0].v_self.ffn[0].weight, mm.msa[0].cross.ffn[0].weight)
    assert all(torch.equal(a, b) for a, b in zip(mm.v_interact.parameters(), mm.a_interact.parameters()))
    # different layers are not copies of each other
    assert not torch.equal(mm.msa[0].v_self.attn.linears[0].weight, mm.msa[0].a_self.attn.linears[0].weight)


def test_both_variants_are_registered_and_the_default_is_released():
    heads = load_heads()
    assert sorted(heads) == sorted(f"{n}/{v}" for n in NAMES for v in ("released", "source"))
    assert HeadConfig().variant == "released"
    assert type(build_head(HeadConfig(dim=D, head="ave"))).__name__ == "ReleasedAVE"
    assert type(build_head(HeadConfig(dim=D, head="ave", variant="source"))).__name__ == "AVEHead"


def test_a_run_saved_before_variants_loads_as_source(tmp_path):
    old = {"dim": D, "head": "psp", "temporal": "attention", "layers": 1, "share_temporal": False,
           "cross_modal": False, "fusion": "sqrt", "dropout": 0.1, "attention": "intra", "residual_dropout": 0.0,
           "width": 8}
    assert load_head_config(json.loads(json.dumps(old))).variant == "source"
    assert load_head_config({**old, "variant": "released"}).variant == "released"
    assert load_head_config({**old, "head": "released"}).variant == "released"  # not a comparison head


@pytest.mark.parametrize("name, heads", [("cmra", 4), ("mm-pyramid", 8)])
def test_a_feature_size_the_heads_cannot_split_is_named(name, heads):
    with pytest.raises(ValueError, match=rf"divisible by {heads} \({name}'s heads\), but got 10"):
        build_head(HeadConfig(dim=10, head=name))
