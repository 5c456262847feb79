"""The dataset card (README.md) of a Hugging Face export: the Hub's YAML header (configs for the
parquet tables and the WebDataset shards, features, split sizes) and the text, true to what was
exported (an official import names its source files and says it has no annotation rounds)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

from ovavel.tables import sha256_file

if TYPE_CHECKING:
    from ovavel.splits.hf_export import ExportSummary

HUB_SPLIT = {"train": "train", "val": "validation", "test": "test"}
FEATURES = [("clip_id", "string"), ("youtube_id", "string"), ("start_s", "int32"), ("class", "string"),
            ("group", "string"), ("split_type", "string")]  # then labels, provenance, agreement (in the template)
MEDIA_TEXT = {
    "none": "No media in this release (metadata and labels only).",
    "segments": "`segments/{split}-{k:05d}.tar`: WebDataset shards, one sample per clip: ten frames (`frame_0` .. "
                "`frame_9`, the middle of each second), the 16 kHz wav, and a json.",
    "clips": "`clips/{split}-{k:05d}.tar`: WebDataset shards of the normalised 10-second mp4 clips."}


def card_template() -> Template:
    """The card's fixed text (ovavel/data/dataset_card.md). A `$name` there stands for YAML lines, or
    for paragraphs that each end in a blank line (none at all where the export has nothing to say)."""
    return Template(files("ovavel").joinpath("data", "dataset_card.md").read_text(encoding="utf-8"))


def dataset_card(out: Path, frames: dict, catalog, stats: dict, summary: ExportSummary, media: str, features: bool,
                 labels_version: str | None, problems: list[dict], official: dict | None = None) -> str:
    from ovavel.splits.stats import stats_markdown

    configs = [f"  - split: {HUB_SPLIT[name]}\n    path: data/{name}.parquet" for name in frames]
    for kind in ([media] if media != "none" else []) + (["features"] if features else []):
        configs.append(f"- config_name: {kind}\n  data_files:")  # the WebDataset shards, for the Hub's viewer
        configs += [f"  - split: {HUB_SPLIT[name]}\n    path: {kind}/{name}-*.tar"
                    for name in frames if any((out / kind).glob(f"{name}-*.tar"))]
    splits = [f"  - name: {HUB_SPLIT[name]}\n    num_examples: {len(df)}\n"
              f"    num_bytes: {(out / 'data' / f'{name}.parquet').stat().st_size}" for name, df in frames.items()]
    labels = _official_text(official, frames) if official else [
        f"Labels: {'version `' + labels_version + '`' if labels_version else 'the final labels'}; `provenance` says "
        "per second whether both annotation rounds agreed, an adjudicator decided, a policy resolved it, or a later "
        "correction changed it; `agreement` is the share of seconds on which the two rounds agreed."]
    notes = []
    if features:
        notes.append("`features/{split}-{k:05d}.tar`: the encoder's audio and visual embeddings per clip (`audio.npy`, "
                     "`visual.npy`, [10, D]); `features/texts.json` and `texts*.npy` hold the text embeddings.")
    if problems:
        notes.append(f"Official release check: {len(problems)} problem(s) with raw or preprocessed files, listed in "
                     "`official_report.csv`.")
    if summary.missing_media:
        notes.append(f"{len(set(summary.missing_media))} clip(s) without media in the shards.")
    figures = [f"![{n.replace('_', ' ')}](figures/{n}.png)" for n in ("videos_per_class", "event_length")
               if (out / "figures" / f"{n}.png").exists()]
    return card_template().substitute(
        configs="\n".join(configs), features="\n".join(f"  - name: {n}\n    dtype: {t}" for n, t in FEATURES),
        splits="\n".join(splits), labels=_paragraphs(labels), media=_paragraphs([MEDIA_TEXT[media]]),
        notes=_paragraphs(notes), stats=stats_markdown(stats) + "\n", figures=_paragraphs(figures),
        classes="\n".join(f"| {c.name} | {c.vggsound_label} | {c.group} | {c.split} |" for c in catalog.classes))


def _paragraphs(texts: list[str]) -> str:
    return "".join(f"{t}\n\n" for t in texts)


def _official_text(official: dict, frames: dict) -> list[str]:
    """What the card says of labels imported from the official release (`splits import-official`)."""
    def named(path: str) -> str:
        p = Path(path)
        return f"`{p.name}` (sha256 `{sha256_file(p)}`)" if p.is_file() else f"`{p.name}`"

    clips = sum(len(df) for df in frames.values())
    timed = sum(int(df["start_s"].notna().sum()) for df in frames.values())
    return [f"Labels and split: the official OV-AVEBench release, imported with `splits import-official` from "
            f"{named(official['meta'])} and {named(official['anno'])}. Clip ids are the official YouTube ids. The "
            "official release has no annotation rounds: `provenance` and `agreement` are null in every row.",
            f"`start_s`: the VGGSound start time where `official_ids.csv` maps the id to one VGGSound clip "
            f"({timed:,} of {clips:,} clips); null where the index has none or several."]
