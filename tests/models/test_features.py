"""baseline features / eval / predict with imagebind-tiny --random-init on real curated clips."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from click.testing import CliRunner

from ovavel.app.cli import app
from ovavel.feature_store import FeatureStore
from ovavel.tables import read_csv

TINY = ["--encoder", "imagebind-tiny", "--random-init", "--device", "cpu", "--num-workers", "0", "--no-progress"]


def features(data, out, *extra):
    r = CliRunner().invoke(app, ["baseline", "features", "--data", str(data.root), "--out", str(out), *TINY, *extra])
    assert r.exit_code == 0, r.output
    return r


def test_shapes_ids_texts_and_determinism(segmented, tmp_path):
    root, data, ids = segmented
    r = features(data, tmp_path / "f1")
    assert "RANDOM WEIGHTS" in r.output
    f = FeatureStore(tmp_path / "f1").load()
    assert sorted(f.clip_ids) == sorted(ids)
    assert f.audio.shape == (6, 10, 32) and f.visual.shape == (6, 10, 32)
    assert f.texts[-2:] == ["other", "background"] and len(f.texts) == 69 and f.text_emb.shape == (69, 32)
    assert f.meta["random_init"] is True and "RANDOM WEIGHTS" in f.meta["warning"]
    # Audio embeddings are ImageBind's postprocessed outputs: L2-normalised, scaled x20.
    assert np.allclose(np.linalg.norm(f.audio, axis=-1), 20.0, atol=1e-3)
    assert np.allclose(np.linalg.norm(f.visual, axis=-1), 1.0, atol=1e-4)
    features(data, tmp_path / "f2")
    g = FeatureStore(tmp_path / "f2").load()
    order = [g.clip_ids.index(c) for c in f.clip_ids]
    assert np.array_equal(f.audio, g.audio[order]) and np.array_equal(f.text_emb, g.text_emb)
    # A rerun extracts nothing new.
    r = features(data, tmp_path / "f1")
    assert "extracted now: 0" in r.output and "already in the store: 6" in r.output


def test_split_restricts_and_orders(segmented, tmp_path):
    root, data, ids = segmented
    features(data, tmp_path / "f", "--split", str(root / "test.csv"))
    assert FeatureStore(tmp_path / "f").load().clip_ids == ids


@pytest.mark.slow
def test_resume_after_sigkill(segmented, tmp_path):
    root, data, ids = segmented
    out = tmp_path / "f"
    cmd = [sys.executable, "-m", "ovavel", "baseline", "features", "--data", str(data.root), "--out", str(out),
           *TINY, "--part-size", "1", "--batch-size", "1"]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((out / "parts").glob("part-*.npz")) if (out / "parts").exists() else []) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    store = FeatureStore(out)
    before = store.load()  # a killed run leaves a valid store
    assert 2 <= len(before.clip_ids) < 6
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert f"already in the store: {len(before.clip_ids)}" in r.stdout
    after = store.load()
    assert sorted(after.clip_ids) == sorted(ids)
    assert not list(out.glob(".*.part")) and not list((out / "parts").glob("*"))


def test_official_layout_reader(segmented, tmp_path):
    root, data, ids = segmented
    # Lay out the official release tree from our segments (as splits export-release does).
    rel = tmp_path / "release"
    for cid in ids[:3]:
        (rel / "test" / "video" / "dog barking" / cid).mkdir(parents=True)
        (rel / "test" / "audio" / "dog barking").mkdir(parents=True, exist_ok=True)
        (rel / "test" / "audio" / "dog barking" / f"{cid}.wav").write_bytes((data.segments(cid) / "audio.wav").read_bytes())
        for k in range(10):
            (rel / "test" / "video" / "dog barking" / cid / f"{k:02d}.jpg").write_bytes(
                (data.segments(cid) / f"frame_{k}.jpg").read_bytes())
    r = CliRunner().invoke(app, ["baseline", "features", "--official-root", str(rel), "--out", str(tmp_path / "o"), *TINY])
    assert r.exit_code == 0, r.output
    official = FeatureStore(tmp_path / "o").load()
    features(data, tmp_path / "d")
    ours = FeatureStore(tmp_path / "d").load()
    assert sorted(official.clip_ids) == sorted(ids[:3])
    for cid in ids[:3]:
        assert np.allclose(official.audio[official.clip_ids.index(cid)], ours.audio[ours.clip_ids.index(cid)], atol=1e-5)


@pytest.mark.slow
def test_torchrun_two_cpu_processes(segmented, tmp_path):
    root, data, ids = segmented
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29533",
           "-m", "ovavel", "baseline", "features", "--data", str(data.root), "--out", str(tmp_path / "dist"), *TINY]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stderr[-3000:]
    dist = FeatureStore(tmp_path / "dist").load()
    features(data, tmp_path / "single")
    single = FeatureStore(tmp_path / "single").load()
    assert sorted(dist.clip_ids) == sorted(single.clip_ids)
    for cid in ids:
        assert np.allclose(dist.audio[dist.clip_ids.index(cid)], single.audio[single.clip_ids.index(cid)], atol=1e-5)
    assert list((tmp_path / "dist" / "parts").glob("*")) == []


def test_eval_and_predict_end_to_end(segmented, tmp_path):
    root, data, ids = segmented
    features(data, tmp_path / "f")
    runner = CliRunner()
    r = runner.invoke(app, ["baseline", "eval", "--method", "training-free", "--features", str(tmp_path / "f"),
                            "--split", str(root / "test.csv"), "--labels", str(root / "labels.csv"),
                            "--out", str(tmp_path / "res")])
    assert r.exit_code == 0, r.output
    preds = read_csv(tmp_path / "res" / "predictions.csv")
    assert [p["clip_id"] for p in preds] == ids
    report = json.loads((tmp_path / "res" / "report.json").read_text())
    assert report["total"]["videos"] == 6 and report["unseen"]["videos"] == 4
    assert "RANDOM WEIGHTS" in (tmp_path / "res" / "report.md").read_text()
    # The same predictions scored by `ovavel metrics` give the same report.
    r2 = runner.invoke(app, ["metrics", "--pred", str(tmp_path / "res" / "predictions.csv"), "--labels",
                             str(root / "labels.csv"), "--split", str(root / "test.csv"), "--out", str(tmp_path / "m")])
    assert r2.exit_code == 0 and json.loads((tmp_path / "m" / "report.json").read_text()) == report
    r = runner.invoke(app, ["baseline", "predict", "--features", str(tmp_path / "f"), "--out", str(tmp_path / "p.csv")])
    assert r.exit_code == 0 and len(read_csv(tmp_path / "p.csv")) == 6
    missing = tmp_path / "other.csv"
    missing.write_text("clip_id,class,split_type\nnopenopenop,dog barking,unseen\n")
    r = runner.invoke(app, ["baseline", "eval", "--method", "training-free", "--features", str(tmp_path / "f"),
                            "--split", str(missing), "--labels", str(root / "labels.csv"), "--out", str(tmp_path / "x")])
    assert r.exit_code == 1 and "lacks 1 clip(s)" in r.output and "'nopenopenop'" in r.output


def test_predict_on_any_video(media_root, tmp_path):
    from ..curation.conftest import STEREO

    r = CliRunner().invoke(app, ["predict", str(media_root / f"{STEREO}.mp4"), "--classes", "dog barking,playing piano",
                                 "--encoder", "imagebind-tiny", "--random-init", "--device", "cpu", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    result = json.loads((tmp_path / "timeline.json").read_text())
    assert result["seconds"] == 12 and len(result["timeline"]) == 12 and result["random_weights"] is True
    allowed = {"dog barking", "playing piano", "background"}
    assert all(set(row.values()) - {row["second"]} <= allowed for row in result["timeline"])
    assert all(row["audio_visual"] in (row["audio"], "background") for row in result["timeline"])
    assert (tmp_path / "timeline.png").read_bytes()[:4] == b"\x89PNG"
    assert "audio-visual" in r.output and "RANDOM WEIGHTS" in r.output


def test_offline_checkpoint_download_names_the_url_and_the_flag(segmented, tmp_path):
    from ovavel.errors import OvavelError
    from ovavel.models.imagebind_loader import download_checkpoint

    with pytest.raises(OvavelError, match=r"http://127.0.0.1:9/huge.pth.*--checkpoint PATH.*OVAVEL_IMAGEBIND_CHECKPOINT"):
        download_checkpoint(tmp_path / "imagebind_huge.pth", tmp_path / "rec.json", url="http://127.0.0.1:9/huge.pth")
    assert list(tmp_path.iterdir()) == []
    r = CliRunner().invoke(app, ["baseline", "features", "--data", str(segmented[1].root), "--out",
                                 str(tmp_path / "f"), "--checkpoint", str(tmp_path / "nope.pth"), "--device", "cpu"])
    assert r.exit_code == 1 and "ImageBind checkpoint not found" in r.output


def test_a_clip_extracted_twice_keeps_its_later_copy(tmp_path):
    # A rerun after a crash can extract a clip that a part file of the killed run already holds;
    # the store keeps the later copy, in load() and after compact().
    store = FeatureStore(tmp_path / "feats")
    store.init({"encoder": "imagebind-tiny", "random_init": True, "dim": 4}, ["other"], np.zeros((1, 4), np.float32))
    first = np.full((1, 10, 4), 1.0, np.float32)
    second = np.full((1, 10, 4), 2.0, np.float32)
    store.write_part(0, ["xxxxxxxxxxx", "yyyyyyyyyyy"], np.concatenate([first, first]), np.concatenate([first, first]))
    store.write_part(0, ["xxxxxxxxxxx"], second, second)
    loaded = store.load()
    assert loaded.clip_ids == ["yyyyyyyyyyy", "xxxxxxxxxxx"]
    assert loaded.audio[1].max() == loaded.audio[1].min() == 2.0 and loaded.visual[1].min() == 2.0
    assert store.compact() == 2
    store.write_part(0, ["yyyyyyyyyyy"], second, second)  # again, on top of features.npz
    again = store.load()
    assert dict(zip(again.clip_ids, again.audio[:, 0, 0])) == {"xxxxxxxxxxx": 2.0, "yyyyyyyyyyy": 2.0}
    # a run killed while writing a part left its temporary file: compact removes it
    (store.parts / ".part-r0-00001.npz.1a2b3c4d.part").write_bytes(b"half a part")
    (store.root / ".features.npz.5e6f7a8b.part").write_bytes(b"half a store")
    assert store.compact() == 2
    assert not list(store.parts.glob("*")) and not list(store.root.glob(".*.part"))


def test_online_encoder_reencodes_each_batch_in_training_mode(segmented, tmp_path, monkeypatch):
    from ovavel.formats import read_split, write_split
    from ovavel.models.features import FeatureOptions
    from ovavel.models.online import OnlineEncoder
    from ovavel.models.sources import from_data_dir

    root, data, ids = segmented
    features(data, tmp_path / "f")
    feats = FeatureStore(tmp_path / "f").load()
    seen = [r for r in read_split(root / "test.csv") if r.split_type == "seen"]
    clips, _ = from_data_dir(data.root)
    online = OnlineEncoder(clips, FeatureOptions("imagebind-tiny", None, True, "cpu", seed=feats.meta["seed"]))
    modes = []
    online.encoder.model.modality_trunks["audio"].register_forward_pre_hook(lambda m, _: modes.append(m.training))
    audio, visual = online([seen[0].clip_id, seen[1].clip_id])
    assert modes == [True] and not online.encoder.model.training  # train mode for the pass, eval after
    # The tiny model has no drop-path, so its training-mode embeddings are the cached ones: the same
    # inputs, preprocessing and weights reach the encoder.
    cached = feats.select([seen[0].clip_id, seen[1].clip_id])
    assert np.allclose(audio, cached.audio, atol=1e-4) and np.allclose(visual, cached.visual, atol=1e-5)

    write_split(tmp_path / "train.csv", seen)
    args = ["baseline", "train", "--features", str(tmp_path / "f"), "--train", str(tmp_path / "train.csv"),
            "--val", str(tmp_path / "train.csv"), "--labels", str(root / "labels.csv"), "--select-on", "val",
            "--epochs", "1", "--device", "cpu", "--no-progress", "--online-encoder"]
    r = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "run")])
    assert r.exit_code == 1 and "needs exactly one of --data DIR and --official-root ROOT" in r.output
    r = CliRunner().invoke(app, [*args, "--data", str(data.root), "--out", str(tmp_path / "run")])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "run" / "settings.json").read_text())["online_encoder"] is True
    assert (tmp_path / "run" / "best.pt").exists()

    # With drop-path in the audio trunk (ImageBind-Huge has 0 to 0.1), training-mode audio
    # embeddings differ from pass to pass; the visual ones (no drop-path) do not.
    import ovavel.models.imagebind_loader as loader

    monkeypatch.setitem(loader.TINY, "audio_drop_path", 0.5)  # rates rise linearly over the blocks from 0:
    monkeypatch.setitem(loader.TINY, "audio_num_blocks", 2)  # the second block drops with p = 0.5
    stochastic = OnlineEncoder(clips, FeatureOptions("imagebind-tiny", None, True, "cpu", seed=0))
    a1, v1 = stochastic([seen[0].clip_id])
    a2, v2 = stochastic([seen[0].clip_id])
    assert not np.allclose(a1, a2, atol=1e-3) and np.allclose(v1, v2, atol=1e-6)
