"""The Table 2 comparison heads (ave, psp, cmra, mm-pyramid), both variants: the source adaptations'
parameter counts at the sizes of their authors' training scripts, shapes for batch 1 and 32, and
learnability on planted features. The released variant's counts and forward: test_released_heads.py."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ovavel.catalog import ClassCatalog, EventClass
from ovavel.formats import SplitRow
from ovavel.metrics.report import score_arrays
from ovavel.models.comparison import NAMES as HEAD_NAMES, VARIANTS
from ovavel.models.comparison.ave import AVEHead
from ovavel.models.comparison.cmra import CMRAHead
from ovavel.models.comparison.mm_pyramid import PyramidAttention
from ovavel.models.comparison.psp import PSPHead, _prune
from ovavel.models.head import HeadConfig, build_head, count_parameters
from ovavel.testing.synthetic_features import planted_features
from ovavel.models.train import TrainSettings, predict_with_run, train


def linear(i, o, bias=True):
    return i * o + (o if bias else 0)


def lstm_bi(i, h):  # one layer, both directions: 4 gates x (input + recurrent weights + two biases)
    return 2 * 4 * (h * i + h * h + 2 * h)


def mha(d):  # in-projection 3 x d x d (+ 3d bias), out-projection
    return 3 * d * d + 3 * d + linear(d, d)


def layer_norm(d):
    return 2 * d


# The fusion modules at the sizes the authors' scripts build (classifiers excluded), worked out
# layer by layer from their code:
AVGA = linear(128, 512) + linear(512, 512) + 2 * 512 * 49 + 49  # affine_audio, affine_video, affine_v/g, affine_h
SOURCE_COUNTS = {
    # AVE-ECCV18 att_Net(128, 128, 512, 29): AVGA (audio 128, visual 512) + bi-LSTMs 128 -> 128, 512 -> 128
    "ave": (AVEHead(), AVGA + lstm_bi(128, 128) + lstm_bi(512, 128)),
    # PSP psp_net(128, 512, 128, 29): fa, fv (no bias), AVGA on fa (128), bi-LSTMs 128 -> 128 x 2,
    # PSP(256): six bias-free 256 x 256 + one LayerNorm
    "psp": (PSPHead(), linear(128, 256, False) + linear(256, 128, False) + linear(512, 256, False)
            + linear(256, 128, False) + AVGA + 2 * lstm_bi(128, 128) + 6 * 256 * 256 + layer_norm(256)),
    # CMRAN supv_main_model: v_fc, spatial-channel attention (7 layers used), encoders (Linear + 2
    # layers of d 256, FFN 2048), decoders (Linear + 1 layer, its used attention only), AVInter
    "cmra": (CMRAHead(), linear(512, 512)
             + linear(512, 512) + linear(128, 512) + linear(512, 256) + linear(256, 512) + linear(512, 256)
             + linear(128, 256) + linear(256, 1)
             + (linear(512, 256) + linear(128, 256)) + 4 * (mha(256) + linear(256, 2048) + linear(2048, 256)
                                                           + 2 * layer_norm(256))
             + (linear(512, 256) + linear(128, 256)) + 2 * (mha(256) + linear(256, 2048) + linear(2048, 256)
                                                           + 2 * layer_norm(256))
             + mha(256) + layer_norm(256)),
    # MM-Pyramid MMP(512, 512, [512] x 4, nhead 8): per level one integrated attention block
    # (3 pre-norm layers: 4 linears + FFN 512 + 2 norms; 4 gates 1024 -> 512) and two temporal
    # blocks (dilated conv k3 + 1x1 conv); fusion: 2 pre-norm layers + 2 Linear(512, 1)
    "mm-pyramid": (PyramidAttention(), 4 * (3 * (4 * linear(512, 512) + 2 * linear(512, 512) + 2 * layer_norm(512))
                                            + 4 * linear(1024, 512) + 2 * ((512 * 512 * 3 + 512) + linear(512, 512)))
                   + 2 * (4 * linear(512, 512) + 2 * linear(512, 512) + 2 * layer_norm(512)) + 2 * linear(512, 1)),
}


@pytest.mark.parametrize("name", sorted(SOURCE_COUNTS))
def test_parameter_count_is_the_source_configuration(name):
    module, expected = SOURCE_COUNTS[name]
    assert count_parameters(module) == expected
    # The head built for ImageBind-Huge adds the input sizes and one Linear(width, 1024) per modality.
    assert count_parameters(build_head(HeadConfig(dim=1024, head=name, variant="source"))) > expected


def test_source_figures_as_printed():
    """The same counts as plain numbers (so a slip in the arithmetic above shows)."""
    assert {k: v for k, (_, v) in SOURCE_COUNTS.items()} == {
        "ave": 1_300_529, "psp": 1_530_417, "cmra": 9_501_697, "mm-pyramid": 38_886_402}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", HEAD_NAMES)
@pytest.mark.parametrize("batch", [1, 32])
def test_forward_shapes(name, variant, batch):
    torch.manual_seed(0)
    head = build_head(HeadConfig(dim=24, head=name, variant=variant)).eval()
    a, v = head(torch.randn(batch, 10, 24), torch.randn(batch, 10, 24))
    assert a.shape == v.shape == (batch, 10, 24)
    assert head.scores(torch.randn(batch, 10, 24), torch.randn(batch, 10, 24), torch.randn(7, 24)).shape == (batch, 10, 7)
    assert torch.isfinite(a).all() and torch.isfinite(v).all()


def test_psp_pruning_by_hand():
    att = torch.tensor([[[0.5, 0.3, 0.2, 0.0]], [[0.05, 0.05, 0.9, 0.0]]])
    # row 1: already normalised, nothing at or below 0.099 but the 0 -> unchanged
    # row 2: 0.05s pruned, 0.9 renormalised to 1
    out = _prune(att, 0.099)
    assert torch.allclose(out[0, 0], torch.tensor([0.5, 0.3, 0.2, 0.0]), atol=1e-6)
    assert torch.allclose(out[1, 0], torch.tensor([0.0, 0.0, 1.0, 0.0]), atol=1e-6)


def test_one_region_attention_passes_the_frame_through():
    head = AVEHead(8, 8).eval()
    audio, regions = torch.randn(2, 10, 8), torch.randn(2, 10, 1, 8)
    assert torch.allclose(head.attention(audio, regions), regions[:, :, 0])
    # with several regions it is a convex mix of them
    many = torch.randn(2, 10, 3, 8)
    mixed = head.attention(audio, many)
    assert mixed.shape == (2, 10, 8) and not torch.allclose(mixed, many[:, :, 0])


NAMES = [f"class {i:02d}" for i in range(12)]
CATALOG = ClassCatalog([EventClass(n, n, "other", "unseen" if i >= 9 else "seen") for i, n in enumerate(NAMES)])


@pytest.fixture(scope="module")
def planted():
    feats, labels = planted_features(NAMES, 24, dim=16, noise=0.2, seed=3)
    seen = [c for c in feats.clip_ids if CATALOG.get(labels[c].cls).split == "seen"]
    train_rows = [SplitRow(c, labels[c].cls, "seen") for c in seen if int(c[-4:]) < 18]
    held = [c for c in seen if int(c[-4:]) >= 18]
    return feats, labels, train_rows, held


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", HEAD_NAMES)
def test_learns_the_seen_classes(name, variant, planted, tmp_path):
    feats, labels, train_rows, held = planted
    held_rows = [SplitRow(c, labels[c].cls, "seen") for c in held]
    # Source variant at width 32 (cmra and mm-pyramid at the authors' widths take minutes per run on
    # a CPU), lr 3e-3; released variant (no width but the features' 16) at lr 1e-2. 18 training clips
    # per class leave a wide margin under every CPU kernel: with ATEN_CPU_CAPABILITY default / avx2 /
    # avx512 and 1 or 2 threads the lowest accuracy seen was 0.743 source, 0.754 released (threshold
    # 0.648), the lowest share of event seconds named right 0.494 source, 0.546 released (threshold
    # 0.35). 16 clips at lr 1e-3 sat on the edge (source 0.594 .. 0.836 across kernels); the
    # released psp at lr 3e-3 too (0.656).
    lr = 3e-3 if variant == "source" else 1e-2
    settings = TrainSettings(epochs=20, lr=lr, batch_size=16, device="cpu", seed=0, method=name,
                             head=HeadConfig(head=name, variant=variant, width=32 if variant == "source" else None))
    train(feats, train_rows, held_rows, labels, CATALOG, tmp_path / "run", settings, progress=False,
          echo=lambda *_: None)
    test = feats.select(held)
    pred = predict_with_run(tmp_path / "run", test, NAMES, "cpu")
    summary = score_arrays(held, [labels[c].cls for c in held], [labels[c].labels for c in held],
                           [pred[c] for c in held], CATALOG).summary["total"]
    # Chance: calling every second background is right on the background seconds (269 of 540 here);
    # naming an event second's class by guessing among the 9 seen classes + background, 1 in 10.
    event_seconds = sum(labels[c].labels.count("1") for c in held)
    all_background = 1 - event_seconds / (10 * len(held))
    assert all_background == pytest.approx(269 / 540)
    assert summary["acc"] > all_background + 0.15, summary
    right = sum(p == labels[c].cls and b == "1" for c in held for p, b in zip(pred[c], labels[c].labels))
    assert right / event_seconds > 0.35, (right, event_seconds)
    assert np.isfinite(summary["avg"])
