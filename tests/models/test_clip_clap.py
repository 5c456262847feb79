"""The clip-clap encoders (CLIP for frames, CLAP for audio, each with its own texts) on real
curated clips: the store's two text tables, the real loading path from saved folders, the offline
message, and the clip-clap method against a hand-computed rule."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from ovavel.app.cli import app
from ovavel.models.encoders import FeatureOptions, build_encoder
from ovavel.feature_store import FeatureStore
from ovavel.tables import read_csv

pytest.importorskip("transformers", reason="needs the ovavel[models] extra (transformers)")

CPU = ["--device", "cpu", "--num-workers", "0", "--no-progress"]


def features(data, out, *extra):
    r = CliRunner().invoke(app, ["baseline", "features", "--data", str(data.root), "--out", str(out), *CPU, *extra])
    assert r.exit_code == 0, r.output
    return r


@pytest.fixture(scope="module")
def tiny_store(segmented, tmp_path_factory):
    root, data, ids = segmented
    out = tmp_path_factory.mktemp("cc") / "feats"
    features(data, out, "--encoder", "clip-clap-tiny", "--random-init")
    return out


def test_store_has_one_text_table_per_space(segmented, tiny_store):
    root, data, ids = segmented
    f = FeatureStore(tiny_store).load()
    assert f.meta["space"] == "separate" and f.meta["dim"] == 16 and f.meta["visual_dim"] == 24
    assert sorted(f.clip_ids) == sorted(ids)
    assert f.audio.shape == (6, 10, 16) and f.visual.shape == (6, 10, 24)
    assert f.text_emb.shape == (69, 16) and f.visual_text_emb.shape == (69, 24)
    assert (tiny_store / "texts-audio.npy").exists() and (tiny_store / "texts-visual.npy").exists()
    assert not (tiny_store / "texts.npy").exists()
    # The stored embeddings are the encoder's, recomputed here for one clip (seed 0 weights).
    enc = build_encoder(FeatureOptions("clip-clap-tiny", random_init=True, device="cpu"))
    clip = data.segments(ids[0])
    audio, frames = enc.inputs(clip / "audio.wav", [clip / f"frame_{k}.jpg" for k in range(10)])
    a, v = enc.segments(audio[None], frames[None])
    i = f.clip_ids.index(ids[0])
    assert np.allclose(f.audio[i], a[0], atol=1e-5) and np.allclose(f.visual[i], v[0], atol=1e-5)
    t = enc.texts(["dog barking", "other"])
    assert np.allclose(f.text_table(["dog barking", "other"], "audio"), t["audio"], atol=1e-5)
    assert np.allclose(f.text_table(["dog barking", "other"], "visual"), t["visual"], atol=1e-5)
    # CLAP's projected audio embeddings come out L2-normalised.
    assert np.allclose(np.linalg.norm(f.audio, axis=-1), 1.0, atol=1e-4)


def test_saved_checkpoints_load_through_the_real_path(segmented, tiny_store, tmp_path):
    """clip-clap with --clip-model / --clap-model folders (save_pretrained) gives the tiny store's numbers."""
    from ovavel.models.encoders.clip_clap import tiny_parts

    root, data, ids = segmented
    torch.manual_seed(0)  # as build_encoder seeds the tiny weights
    clip, clip_tok, image_processor, clap, clap_tok, feature_extractor, _ = tiny_parts()
    for folder, parts in ((tmp_path / "clip", (clip, clip_tok, image_processor)),
                          (tmp_path / "clap", (clap, clap_tok, feature_extractor))):
        for part in parts:
            part.save_pretrained(folder)
    out = tmp_path / "feats"
    features(data, out, "--encoder", "clip-clap", "--clip-model", str(tmp_path / "clip"), "--clap-model",
             str(tmp_path / "clap"))
    real, tiny = FeatureStore(out).load(), FeatureStore(tiny_store).load()
    order = [tiny.clip_ids.index(c) for c in real.clip_ids]
    assert np.allclose(real.audio, tiny.audio[order], atol=1e-5)
    assert np.allclose(real.visual, tiny.visual[order], atol=1e-5)
    assert np.allclose(real.visual_text_emb, tiny.visual_text_emb, atol=1e-5)
    assert real.meta["clip_model"] == str(tmp_path / "clip") and real.meta["random_init"] is False


def test_a_model_that_is_not_there_says_how_to_get_it(segmented, tmp_path, monkeypatch):
    root, data, ids = segmented
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-cache"))
    r = CliRunner().invoke(app, ["baseline", "features", "--data", str(data.root), "--out", str(tmp_path / "f"),
                                 "--encoder", "clip-clap", "--clip-model", "someone/not-cached", *CPU])
    assert r.exit_code == 1
    assert "could not load the CLIP model 'someone/not-cached'" in r.output
    assert "huggingface-cli download someone/not-cached --local-dir DIR) and pass --clip-model DIR" in r.output
    assert not (tmp_path / "f" / "meta.json").exists()
    r = CliRunner().invoke(app, ["baseline", "features", "--data", str(data.root), "--out", str(tmp_path / "g"),
                                 "--encoder", "clip-clap-tiny", *CPU])
    assert r.exit_code == 1 and "clip-clap-tiny exists only with random weights: pass --random-init" in r.output


def test_clip_clap_method_is_the_rule_per_space(segmented, tiny_store, tmp_path):
    root, data, ids = segmented
    r = CliRunner().invoke(app, ["baseline", "eval", "--method", "clip-clap", "--features", str(tiny_store),
                                 "--split", str(root / "test.csv"), "--labels", str(root / "labels.csv"),
                                 "--out", str(tmp_path / "res")])
    assert r.exit_code == 0, r.output
    f = FeatureStore(tiny_store).load()
    from ovavel.catalog import load_catalog

    names = load_catalog().names
    cands = names + ["other"]

    def cos(x, t):
        x = x / np.linalg.norm(x, axis=-1, keepdims=True)
        return x @ (t / np.linalg.norm(t, axis=-1, keepdims=True)).T

    rows = {row["clip_id"]: row for row in read_csv(tmp_path / "res" / "predictions.csv")}
    for i, c in enumerate(f.clip_ids):
        a = cos(f.audio[i], f.text_table(cands, "audio")).argmax(-1)
        v = cos(f.visual[i], f.text_table(cands, "visual")).argmax(-1)
        expected = [cands[x] if x == y and x < len(names) else "background" for x, y in zip(a, v)]
        assert [rows[c][f"seg_{k}"] for k in range(10)] == expected
    # A joint store is refused by clip-clap; training needs a joint store.
    r = CliRunner().invoke(app, ["baseline", "train", "--features", str(tiny_store), "--train", str(root / "test.csv"),
                                 "--val", str(root / "test.csv"), "--labels", str(root / "labels.csv"),
                                 "--out", str(tmp_path / "run"), "--device", "cpu", "--no-progress"])
    assert r.exit_code == 1 and "needs features in one joint audio-visual-text space" in r.output
