"""Metric rules on hand-worked examples, and the vectorised core against the plain reference loop."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import ovavel.metrics.core as core
from ovavel.metrics import accuracy, dataset_mean, event_f1, segment_f1, video_scores
from ovavel.metrics import reference
from ovavel.metrics.core import summarise
from ovavel.metrics.reference import dataset_figures

A, B, BG = 0, 1, 2  # two classes and the background index


def seq(*parts):
    """seq((A, 3), (BG, 7)) -> [A, A, A, BG, ...]."""
    out = [v for v, n in parts for _ in range(n)]
    assert len(out) == 10
    return out


def one(pred, true, **kw):
    s = video_scores([pred], [true], BG, **kw)
    return s.acc[0], s.seg_f1[0], s.event_f1[0]


def test_iou_exactly_half_matches():
    # Class row: predicted [0,4) vs true [0,2): IoU 2/4 = 0.5 -> match. Background: [4,10) vs [2,10): 6/8.
    acc, seg, eve = one(seq((A, 4), (BG, 6)), seq((A, 2), (BG, 8)))
    assert eve == 1.0
    assert seg == pytest.approx((4 / 6 + 12 / 14) / 2)
    assert acc == 0.8


def test_iou_below_half_does_not_match():
    # Class row: [0,5) vs [0,2): IoU 0.4 -> the predicted event is an FP and the true one an FN: F = 0.
    # Background: [5,10) vs [2,10): 5/8 -> F = 1.
    _, _, eve = one(seq((A, 5), (BG, 5)), seq((A, 2), (BG, 8)))
    assert eve == 0.5


def test_touching_events_of_two_classes():
    # Predicted A [0,3) then B [3,6) then background; true A [0,3) then background.
    acc, seg, eve = one(seq((A, 3), (B, 3), (BG, 4)), seq((A, 3), (BG, 7)))
    assert acc == 0.7
    # Rows: A F = 1; B: TP 0 FP 3 -> 0; background: TP 4 FP 0 FN 3 -> 8/11.
    assert seg == pytest.approx((1 + 0 + 8 / 11) / 3)
    # Events: A matches; B is a lone FP; background [6,10) vs [3,10): IoU 4/7 -> match.
    assert eve == pytest.approx(2 / 3)


def test_all_background_video():
    assert one(seq((BG, 10)), seq((BG, 10))) == (1.0, 1.0, 1.0)
    # A false alarm in a background video: A row TP 0 FP 2 -> 0; background TP 8 FN 2 -> 16/18.
    acc, seg, eve = one(seq((BG, 4), (A, 2), (BG, 4)), seq((BG, 10)))
    assert acc == 0.8
    assert seg == pytest.approx((0 + 16 / 18) / 2)
    # Background events: predicted [0,4) and [6,10) vs true [0,10): IoU 0.4 each -> 2 FP, 1 FN.
    assert eve == 0.0


def test_empty_prediction():
    # Nothing predicted for a video whose event is [2,8).
    acc, seg, eve = one(seq((BG, 10)), seq((BG, 2), (A, 6), (BG, 2)))
    assert acc == 0.4
    assert seg == pytest.approx((0 + 8 / 14) / 2)
    assert eve == 0.0  # background [0,10) vs [0,2) and [8,10): IoU 0.2 each


def test_fragmented_prediction():
    # True A everywhere; predicted A [0,4), background at 4, A [5,10).
    acc, seg, eve = one(seq((A, 4), (BG, 1), (A, 5)), seq((A, 10)))
    assert acc == 0.9
    assert seg == pytest.approx((18 / 19 + 0) / 2)
    # A events: [0,4) IoU 0.4 (FP), [5,10) IoU 0.5 (TP); the true event is matched: F = 2/3.
    assert eve == pytest.approx((2 / 3 + 0) / 2)


def test_foreground_only_variant():
    acc, seg, eve = one(seq((A, 4), (BG, 6)), seq((A, 2), (BG, 8)), background_row=False)
    assert (acc, seg, eve) == (0.8, pytest.approx(4 / 6), 1.0)
    # No foreground anywhere: nothing to find and nothing found.
    assert one(seq((BG, 10)), seq((BG, 10)), background_row=False) == (1.0, 1.0, 1.0)


def test_batched_protocol_pools_accuracy_and_batches_only_the_f1_figures():
    # Three videos, batches of 2: per-video accuracy 1, 1, 0 -> pooled 20/30 (the released meter
    # weighs each batch by bs * 10), not the batch mean (1 + 0) / 2. Segment F1 per video 1, 1,
    # 0 -> batch means (1 + 0) / 2 = 0.5.
    pred = np.array([[0] * 10, [0] * 10, [0] * 10])
    true = np.array([[0] * 10, [0] * 10, [1] * 10])
    s = summarise(video_scores(pred, true, background=2), protocol="official-batched", batch_size=2)
    assert s["acc"] == pytest.approx(2 / 3) and s["seg_f1"] == pytest.approx(0.5)
    assert s["event_f1"] == pytest.approx(0.5)
    plain = summarise(video_scores(pred, true, background=2))
    assert plain["acc"] == pytest.approx(2 / 3) and plain["seg_f1"] == pytest.approx(2 / 3)


def test_unassigned_seconds_are_in_no_row_and_background_for_accuracy():
    # Class 0 true in 0-2; predicted: unassigned (3) in 0-2, background after. Accuracy reads
    # unassigned as background: 7/10. Rows: class 0 (true only) F 0; background predicted 3-9 vs
    # true 3-9: F 1. Mean 0.5 (segment and event).
    pred = np.array([[3, 3, 3] + [2] * 7])
    true = np.array([[0, 0, 0] + [2] * 7])
    v = video_scores(pred, true, background=2)
    assert (v.acc[0], v.seg_f1[0], v.event_f1[0]) == pytest.approx((0.7, 0.5, 0.5))
    assert reference.video_figures(list(pred[0]), list(true[0]), num_rows=3) == pytest.approx((0.7, 0.5, 0.5))


def test_batched_protocol_on_a_partial_last_batch():
    values = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    assert dataset_mean(values) == pytest.approx(0.6)
    # Batches of 2: (0.5 + 1.0 + 0.0) / 3 -- the lone last video weighs as much as a full batch.
    assert dataset_mean(values, "official-batched", 2) == pytest.approx(0.5)
    assert dataset_mean(values, "official-batched", 5) == pytest.approx(0.6)  # one full batch: same


@pytest.mark.parametrize("background_row", [True, False])
@pytest.mark.parametrize("seed", range(4))
def test_vectorised_equals_reference_on_random_inputs(seed, background_row):
    rng = np.random.default_rng(seed)
    n, classes = 300, 5
    # Ground truth: one class per video; predictions may name several classes.
    cls = rng.integers(0, classes, n)
    labels = rng.random((n, 10)) < rng.random((n, 1))
    true = np.where(labels, cls[:, None], classes)
    pred = np.where(rng.random((n, 10)) < 0.6, true, rng.integers(0, classes + 1, (n, 10)))
    s = video_scores(pred, true, classes, background_row=background_row)
    ref = dataset_figures(pred.tolist(), true.tolist(), classes + 1, background_row)
    assert (s.acc.mean(), s.seg_f1.mean(), s.event_f1.mean()) == pytest.approx(ref, abs=1e-12)


def test_functional_api_matches_video_scores():
    rng = np.random.default_rng(7)
    true = rng.integers(0, 4, (50, 10))
    pred = rng.integers(0, 4, (50, 10))
    s = video_scores(pred, true, 3)
    assert accuracy(pred, true, 3) == pytest.approx(s.acc.mean())
    assert segment_f1(pred, true, 3) == pytest.approx(s.seg_f1.mean())
    assert event_f1(pred, true, 3) == pytest.approx(s.event_f1.mean())


@pytest.mark.parametrize("pred,true,match", [
    (np.zeros((2, 9), int), np.zeros((2, 9), int), r"shape \[N, 10\]"),
    (np.zeros((2, 10), int), np.zeros((3, 10), int), r"shape \[N, 10\]"),
    (np.full((1, 10), 5), np.zeros((1, 10), int), r"`pred` values in 0..4 \(background = 3, unassigned = 4\)"),
    (np.zeros((1, 10), int), np.full((1, 10), 4), r"`target` values in 0..3"),
    (np.zeros((1, 10), int), np.full((1, 10), -1), r"`target` values in 0..3"),
])
def test_array_validators(pred, true, match):
    with pytest.raises(ValueError, match=match):
        video_scores(pred, true, 3)


def test_protocol_validators():
    with pytest.raises(ValueError, match="Expected `protocol`"):
        dataset_mean(np.ones(3), "batched")
    with pytest.raises(ValueError, match="Expected `batch_size` >= 1"):
        dataset_mean(np.ones(3), "official-batched", 0)


def test_docstring_examples_run():
    assert doctest.testmod(core).failed == 0
