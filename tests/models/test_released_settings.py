"""The released training and scoring switches: temporal layers that start as copies of one block,
batches with NaN scores left out, the v0 decision without "other", and the event IoU rule."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from ovavel.catalog import ClassCatalog, EventClass
from ovavel.errors import OvavelError
from ovavel.formats import SplitRow
from ovavel.metrics.core import video_scores
from ovavel.metrics.report import ScoreSettings, score_arrays
from ovavel.models.head import HeadConfig, build_head
from ovavel.testing.synthetic_features import planted_features
from ovavel.models.train import TrainSettings, predict_rows, train
from ovavel.models.training_free import decide

NAMES = ["dog barking", "helicopter", "cat purring"]
CATALOG = ClassCatalog([EventClass(n, n, "animal", "seen" if i < 2 else "unseen") for i, n in enumerate(NAMES)])


def params(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


@pytest.mark.parametrize("layers, attention", [(1, "intra"), (3, "intra"), (2, "intra+cross")])
def test_released_init_copies_one_block_everywhere(layers, attention):
    torch.manual_seed(0)
    head = build_head(HeadConfig(dim=8, layers=layers, attention=attention))
    blocks = [*head.audio_layers, *head.visual_layers] + ([*head.cross_audio, *head.cross_visual] if head.cross else [])
    first = params(blocks[0])
    assert len(blocks) == (4 * layers if head.cross else 2 * layers)
    assert all(all(torch.equal(first[k], v) for k, v in params(b).items()) for b in blocks)
    assert len({id(p) for b in blocks for p in b.parameters()}) == sum(1 for b in blocks for _ in b.parameters())
    torch.manual_seed(0)
    independent = build_head(HeadConfig(dim=8, layers=layers, attention=attention, init="independent"))
    assert not torch.equal(independent.audio_layers[0].q.weight, independent.visual_layers[0].q.weight)


@pytest.fixture(scope="module")
def planted():
    feats, labels = planted_features(NAMES, 8, dim=8, noise=0.2, seed=1)
    rows = [SplitRow(c, labels[c].cls, "seen") for c in feats.clip_ids if labels[c].cls != "cat purring"]
    return feats, labels, rows


def test_nan_batches_raise_by_default_and_are_skipped_and_counted_on_request(planted, tmp_path):
    feats, labels, rows = planted
    feats.audio[3] = np.nan  # one clip with NaN features: its batch's scores are NaN
    s = TrainSettings(epochs=2, batch_size=4, lr=1e-3, device="cpu", seed=0)
    with pytest.raises(OvavelError, match=r"the loss became nan .*--nan-batches skip"):
        train(feats, rows, rows[:4], labels, CATALOG, tmp_path / "raise", s, progress=False, echo=lambda *_: None)
    said = []
    train(feats, rows, rows[4:8], labels, CATALOG, tmp_path / "skip", TrainSettings(**{**s.__dict__, "nan_batches": "skip"}),
          progress=False, echo=said.append)
    log = [json.loads(x) for x in (tmp_path / "skip" / "log.jsonl").read_text().splitlines()]
    assert [x["nan_batches_skipped"] for x in log] == [1, 1]  # one batch of 4 holds the clip, each epoch
    assert all(np.isfinite(x["loss"]) for x in log) and "1 batch(es) with NaN scores skipped" in said[1]
    feats.audio[3] = 0.0


def test_without_other_released_v0_takes_one_class_per_video(planted):
    feats, labels, _ = planted
    torch.manual_seed(0)
    head = build_head(HeadConfig(dim=8)).eval()
    texts = feats.text_emb[[feats.text_index(n) for n in NAMES]]
    rows = predict_rows(head, feats.audio, feats.visual, texts, 3, "none", "cpu", without_other="released-v0")
    with torch.no_grad():
        a, v = head(torch.from_numpy(feats.audio), torch.from_numpy(feats.visual))
    t = torch.nn.functional.normalize(torch.from_numpy(texts), dim=-1)
    sa = (torch.nn.functional.normalize(a, dim=-1) @ t.T).numpy()
    sv = (torch.nn.functional.normalize(v, dim=-1) @ t.T).numpy()
    assert np.array_equal(rows, decide(sa, sv, 3, "released-v0"))
    for r in rows:  # one class per video, on the seconds where audio and visual agree
        assert len(set(r[r < 3].tolist())) <= 1
    paper = predict_rows(head, feats.audio, feats.visual, texts, 3, "none", "cpu")
    agree = sa.argmax(-1) == sv.argmax(-1)
    assert np.array_equal(paper, np.where(agree, sa.argmax(-1), 3))
    assert np.array_equal(rows == 3, paper == 3)  # the same seconds are background under both rules


def test_event_iou_released_inclusive_paper_strict():
    # Truth: class 0 on seconds 0-5; prediction: seconds 0-2 (IoU 3/6 = 0.5 exactly).
    truth = np.array([[0] * 6 + [1] * 4])
    pred = np.array([[0] * 3 + [1] * 7])
    released = video_scores(pred, truth, background=1).event_f1[0]
    paper = video_scores(pred, truth, background=1, event_iou="paper").event_f1[0]
    # class row: matched (1) or not (0); background row: [3, 10) vs [6, 10), IoU 4/7: matched in both
    assert released == pytest.approx((1 + 1) / 2) and paper == pytest.approx((0 + 1) / 2)
    report = score_arrays(["aaaaaaaaaaa"], ["dog barking"], ["1111110000"], [["dog barking"] * 3 + ["background"] * 7],
                          CATALOG, ScoreSettings(event_iou="paper"))
    assert report.summary["total"]["event_f1"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="event_iou"):
        video_scores(pred, truth, background=1, event_iou=">=")
