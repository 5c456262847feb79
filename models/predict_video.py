"""`ovavel predict VIDEO`: open-vocabulary localisation on any video a user has.

The video is cut into whole seconds (frame shown at k + 0.5 s, 16 kHz audio, as the benchmark
does), embedded with ImageBind, and each second gets the class both modalities point to
(training-free), or the fine-tuned head's answer with --head RUN. Writes timeline.json and
timeline.png (audio, visual and audio-visual rows) and prints the timeline.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import wave
from pathlib import Path

from ovavel import BACKGROUND
from ovavel.curation.ffmpeg_tools import FFmpegError, probe, require_ffmpeg
from ovavel.curation.segments import extract_segments
from ovavel.errors import OvavelError
from ovavel.layout import AUDIO_FILE, frame_file
from ovavel.models.encoders import AUDIO, JOINT, VISUAL, FeatureOptions, build_encoder
from ovavel import BACKGROUND_TEXT
from ovavel.models.training_free import cosine
from ovavel.tables import atomic_write_text


def predict_video(video: str | os.PathLike, class_names: list[str], out: str | os.PathLike,
                  opts: FeatureOptions = FeatureOptions(), head_run: str | None = None) -> dict:
    import torch

    require_ffmpeg()
    if not Path(video).is_file() or Path(video).stat().st_size == 0:
        raise OvavelError(f"{video}: no such file, or an empty one")
    try:
        info = probe(video)
    except FFmpegError as e:
        raise OvavelError(f"{video}: not a video ffmpeg can read ({e.message})") from None
    if not info.has_video or not info.has_audio:
        raise OvavelError(f"{video}: needs both a video and an audio stream")
    seconds = int(math.floor(info.duration or 0))
    if seconds < 1:
        raise OvavelError(f"{video}: shorter than one second")
    encoder = build_encoder(opts)
    if head_run and encoder.space != "joint":
        raise OvavelError(f"--head needs an encoder with one joint space (imagebind-*), not {opts.encoder}")
    texts = list(class_names) + [BACKGROUND_TEXT]
    with tempfile.TemporaryDirectory() as tmp:
        try:
            extract_segments(video, tmp, seconds=seconds, verify=False)
            frames = [Path(tmp) / frame_file(k) for k in range(seconds)]
            audio, images = encoder.inputs(Path(tmp) / AUDIO_FILE, frames)  # zero-pads a short track
        except (FFmpegError, OSError) as e:
            raise OvavelError(f"{video}: the video could not be cut into seconds (damaged or truncated?): "
                              f"{getattr(e, 'message', e)}") from None
        audio_s = wav_seconds(Path(tmp) / AUDIO_FILE)
    notes = []
    if audio_s < seconds - 0.05:
        notes.append(f"the audio covers {audio_s:.1f} s of the {seconds} s; the rest is padded with silence "
                     "(those seconds cannot hold an audio-visual event)")
    a_emb, v_emb = (x[0] for x in encoder.segments(audio[None], images[None]))  # all seconds in one pass
    tables = encoder.texts(texts)
    t_audio, t_visual = tables.get(AUDIO, tables.get(JOINT)), tables.get(VISUAL, tables.get(JOINT))
    if head_run:
        from ovavel.models.run import load_head

        head, _ = load_head(head_run, encoder.device)
        with torch.inference_mode():
            ha, hv = head(torch.from_numpy(a_emb[None]).to(encoder.device), torch.from_numpy(v_emb[None]).to(encoder.device))
        a_emb, v_emb = ha[0].cpu().numpy(), hv[0].cpu().numpy()
    a_idx, v_idx = cosine(a_emb, t_audio).argmax(-1), cosine(v_emb, t_visual).argmax(-1)
    n = len(class_names)
    name = lambda i: class_names[i] if i < n else BACKGROUND  # noqa: E731
    timeline = [{"second": k, "audio": name(a), "visual": name(v), "audio_visual": name(a) if a == v and a < n else BACKGROUND}
                for k, (a, v) in enumerate(zip(a_idx, v_idx))]
    result = {"video": str(video), "seconds": seconds, "classes": class_names, "encoder": opts.encoder,
              "random_weights": opts.random_init, "head": head_run, "notes": notes, "timeline": timeline}
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "timeline.json", json.dumps(result, indent=2) + "\n")
    plot_timeline(timeline, class_names, out / "timeline.png", title=Path(video).name, random=opts.random_init)
    return result


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def format_timeline(timeline: list[dict]) -> str:
    width = max(len(r[k]) for r in timeline for k in ("audio", "visual", "audio_visual"))
    lines = [f"{'second':>6}  {'audio':<{width}}  {'visual':<{width}}  audio-visual"]
    lines += [f"{r['second']:>6}  {r['audio']:<{width}}  {r['visual']:<{width}}  {r['audio_visual']}" for r in timeline]
    return "\n".join(lines)


def plot_timeline(timeline: list[dict], class_names: list[str], path: Path, title: str = "", random: bool = False) -> None:
    rows = [("audio", [r["audio"] for r in timeline]), ("visual", [r["visual"] for r in timeline]),
            ("audio-visual", [r["audio_visual"] for r in timeline])]
    plot_rows(rows, path, title + ("  [RANDOM WEIGHTS]" if random else ""))


def plot_rows(rows: list[tuple[str, list[str]]], path: Path, title: str = "") -> None:
    """One row of coloured seconds per named sequence of class names (background in grey)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    length = max(len(seq) for _, seq in rows)
    names = sorted({n for _, seq in rows for n in seq} - {BACKGROUND})
    cmap = plt.get_cmap("tab10")
    colour = {n: cmap(i % 10) for i, n in enumerate(names)}
    colour[BACKGROUND] = (0.88, 0.88, 0.88, 1.0)
    fig, ax = plt.subplots(figsize=(max(6, 0.6 * length + 2), 0.6 * len(rows) + 1.4))
    for y, (_, seq) in enumerate(reversed(rows)):
        for x, n in enumerate(seq):
            ax.add_patch(plt.Rectangle((x, y + 0.1), 0.95, 0.8, color=colour[n]))
    ax.set_xlim(0, length)
    ax.set_ylim(0, len(rows))
    ax.set_yticks([y + 0.5 for y in range(len(rows))], [r[0] for r in reversed(rows)])
    ax.set_xlabel("second")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colour[n]) for n in names + [BACKGROUND]]
    ax.legend(handles, names + [BACKGROUND], loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=4, fontsize=7)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.part")
    fig.savefig(tmp, dpi=100, format="png")
    plt.close(fig)
    os.replace(tmp, path)
