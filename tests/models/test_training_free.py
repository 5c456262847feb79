"""The training-free rule on hand-built similarities, and the preprocessing against ImageBind's own."""

from __future__ import annotations

import numpy as np

from ovavel.feature_store import Features
from ovavel.models.training_free import decide, predict_training_free

C = 3  # classes 0..2; index 3 is the background text


def sims(rows):
    """[1, 10, 4] similarities with the argmax at the given candidate per second."""
    out = np.zeros((1, 10, C + 1))
    for k, r in enumerate(rows):
        out[0, k, r] = 1.0
    return out


def test_agreement_disagreement_and_other():
    a = sims([0, 0, 1, 3, 2, 2, 0, 0, 0, 0])
    v = sims([0, 1, 1, 3, 3, 2, 0, 0, 0, 0])
    # agree on 0 -> 0; disagree -> background (3); agree on "other" -> background; ...
    assert decide(a, v, C).tolist() == [[0, 3, 1, 3, 3, 2, 0, 0, 0, 0]]


def test_ties_go_to_the_first_candidate():
    a = np.zeros((1, 10, C + 1))
    a[0, :, 1] = a[0, :, 2] = 1.0  # classes 1 and 2 tie
    v = a.copy()
    assert decide(a, v, C).tolist() == [[1] * 10]


def test_released_postprocessing_one_class_per_video():
    a = sims([3, 2, 0, 0, 1, 3, 1, 3, 3, 3])
    v = sims([3, 1, 0, 0, 1, 3, 2, 3, 3, 3])
    # Agreement at seconds 2, 3, 4 (on 0, 0, 1): the video class is the audio argmax at the first, 0.
    # Seconds 0, 5, 7, 8, 9 agree on "other" (3) and second 0 is the first agreement: the video's
    # class is "other", so every agreeing second is unassigned (4) and the rest background.
    assert decide(a, v, C, "released").tolist() == [[4, 3, 4, 4, 4, 4, 3, 4, 4, 4]]
    assert decide(a, v, C, "paper").tolist() == [[3, 3, 0, 0, 1, 3, 3, 3, 3, 3]]
    # Without the first second the first agreement is second 2 (class 0): the agreements on
    # "other" become class 0 too.
    a2, v2 = a.copy(), v.copy()
    v2[0, 0] = sims([1] * 10)[0, 0]
    assert decide(a2, v2, C, "released").tolist() == [[3, 3, 0, 0, 0, 0, 3, 0, 0, 0]]
    none = sims([3] * 10)
    assert decide(none, none, C, "released").tolist() == [[4] * 10]
    apart = sims([0] * 10), sims([1] * 10)
    assert decide(*apart, C, "released").tolist() == [[3] * 10]  # no agreement: all background


def test_predictions_by_name_with_background_text_choices():
    texts = ["dog", "cat", "bird", "other", "background"]
    emb = np.eye(5, 8, dtype=np.float32)
    # Second 0: both modalities closest to "dog"; second 1: closest to "other"; rest: to "background".
    audio = np.tile(emb[4], (1, 10, 1))
    audio[0, 0], audio[0, 1] = emb[0], emb[3]
    f = Features(["v"], audio, audio.copy(), texts, emb, {})
    assert predict_training_free(f, ["dog", "cat", "bird"], "other")["v"][:3] == ["dog", "background", "dog"]
    # With "background" as the background text, seconds 2.. agree on it -> background.
    assert predict_training_free(f, ["dog", "cat", "bird"], "background")["v"][:3] == ["dog", "dog", "background"]
    # Without a background text, agreement on any class is an event (here all seconds tie -> dog).
    assert predict_training_free(f, ["dog", "cat", "bird"], "none")["v"][:2] == ["dog", "dog"]


def test_preprocessing_equals_imagebind(segmented):
    import soundfile
    import torch
    import torchaudio

    from ovavel.models.imagebind_loader import import_imagebind
    from ovavel.models.preprocess import audio_segments, image_segments

    _, data, ids = segmented
    seg = data.segments(ids[0])
    _, ib_data = import_imagebind()
    frames = [seg / f"frame_{k}.jpg" for k in range(10)]
    assert torch.allclose(image_segments(frames), ib_data.load_and_transform_vision_data(frames, "cpu"), atol=1e-6)
    # Audio, recomputed from the official parameters with Kaldi fbank directly (not our code path).
    wave, rate = soundfile.read(seg / "audio.wav", dtype="float32")
    assert rate == 16000 and wave.shape == (160000,)
    ours = audio_segments(seg / "audio.wav")
    for k in (0, 4, 9):
        chunk = torch.from_numpy(wave[k * 16000:(k + 1) * 16000]).repeat(2).unsqueeze(0)
        chunk = chunk - chunk.mean()
        fbank = torchaudio.compliance.kaldi.fbank(chunk, htk_compat=True, sample_frequency=16000, use_energy=False,
                                                  window_type="hanning", num_mel_bins=128, dither=0.0,
                                                  frame_length=25, frame_shift=10).T
        fbank = torch.nn.functional.pad(fbank, (0, 204 - fbank.shape[1]))
        expected = ((fbank - (-4.268)) / 9.138).unsqueeze(0)
        assert torch.allclose(ours[k], expected, atol=1e-5)
    assert ours.shape == (10, 1, 128, 204)
