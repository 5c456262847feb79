"""The dataset card (README.md) of a Hugging Face export: the Hub's YAML header (configs for the
parquet tables and the WebDataset shards, features, split sizes) and the text, true to what was
exported (an official import names its source files and says it has no annotation rounds)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ovavel.tables import sha256_file

if TYPE_CHECKING:
    from ovavel.splits.hf_export import ExportSummary

HUB_SPLIT = {"train": "train", "val": "validation", "test": "test"}
CITATION = """@inproceedings{zhou2025towards,
  title={Towards Open-Vocabulary Audio-Visual Event Localization},
  author={Zhou, Jinxing and Guo, Dan and Guo, Ruohao and Mao, Yuxin and Hu, Jingjing and Zhong, Yiran and
          Chang, Xiaojun and Wang, Meng},
  booktitle={CVPR},
  year={2025}
}"""

def dataset_card(out: Path, frames: dict, catalog, stats: dict, summary: ExportSummary, media: str, features: bool,
                 labels_version: str | None, problems: list[dict], official: dict | None = None) -> str:
    from ovavel.splits.stats import stats_markdown

    feats = [("clip_id", "string"), ("youtube_id", "string"), ("start_s", "int32"), ("class", "string"),
             ("group", "string"), ("split_type", "string")]
    yaml = ["---", "license: unknown  # to be filled in by the dataset's owner (the videos come from YouTube via "
                   "VGGSound)", "pretty_name: OV-AVEL benchmark (built with ovavel)",
            "task_categories:", "- video-classification", "- audio-classification", "tags:", "- audio-visual",
            "- event-localization", "- open-vocabulary", "configs:", "- config_name: default", "  data_files:"]
    for name in frames:  # the Hub's split names: val.parquet is the "validation" split, as load_dataset names it
        yaml += [f"  - split: {HUB_SPLIT[name]}", f"    path: data/{name}.parquet"]
    for kind in ([media] if media != "none" else []) + (["features"] if features else []):
        yaml += [f"- config_name: {kind}", "  data_files:"]  # the WebDataset shards, for the Hub's viewer
        for name in frames:
            if any((out / kind).glob(f"{name}-*.tar")):
                yaml += [f"  - split: {HUB_SPLIT[name]}", f"    path: {kind}/{name}-*.tar"]
    yaml += ["dataset_info:", "  features:"]
    for n, t in feats:
        yaml += [f"  - name: {n}", f"    dtype: {t}"]
    yaml += ["  - name: labels", "    sequence: int8", "  - name: provenance", "    sequence: string",
             "  - name: agreement", "    dtype: float64", "  splits:"]
    for name, df in frames.items():
        yaml += [f"  - name: {HUB_SPLIT[name]}", f"    num_examples: {len(df)}",
                 f"    num_bytes: {(out / 'data' / f'{name}.parquet').stat().st_size}"]
    yaml.append("---")
    class_rows = ["| class | VGGSound label | group | seen/unseen |", "|---|---|---|---|"] + [
        f"| {c.name} | {c.vggsound_label} | {c.group} | {c.split} |" for c in catalog.classes]
    media_text = {"none": "No media in this release (metadata and labels only).",
                  "segments": "`segments/{split}-{k:05d}.tar`: WebDataset shards, one sample per clip: ten frames "
                              "(`frame_0` .. `frame_9`, the middle of each second), the 16 kHz wav, and a json.",
                  "clips": "`clips/{split}-{k:05d}.tar`: WebDataset shards of the normalised 10-second mp4 clips."}[media]
    lines = yaml + ["", "# OV-AVEL benchmark", "",
                    "Open-vocabulary audio-visual event localization: each 10-second clip is labelled per second "
                    "(1: the audio-visual event of its class, 0: background). Built and exported with the ovavel "
                    "toolkit (`splits export-hf`).", "",
                    *(_official_text(official, frames) if official else [
                        f"Labels: {'version `' + labels_version + '`' if labels_version else 'the final labels'}; "
                        "`provenance` says per second whether both annotation rounds agreed, an adjudicator decided, "
                        "a policy resolved it, or a later correction changed it; `agreement` is the share of seconds "
                        "on which the two rounds agreed.", ""]),
                    "## Loading", "", "```python", "from datasets import load_dataset",
                    'ds = load_dataset("parquet", data_dir="RELEASE/data")   # or load_dataset("RELEASE")',
                    "```", "", media_text, ""]
    if features:
        lines += ["`features/{split}-{k:05d}.tar`: the encoder's audio and visual embeddings per clip "
                  "(`audio.npy`, `visual.npy`, [10, D]); `features/texts.json` and `texts*.npy` hold the text "
                  "embeddings.", ""]
    if problems:
        lines += [f"Official release check: {len(problems)} problem(s) with raw or preprocessed files, listed in "
                  "`official_report.csv`.", ""]
    if summary.missing_media:
        lines += [f"{len(set(summary.missing_media))} clip(s) without media in the shards.", ""]
    figures = [f"![{n.replace('_', ' ')}](figures/{n}.png)" for n in ("videos_per_class", "event_length")
               if (out / "figures" / f"{n}.png").exists()]
    lines += [stats_markdown(stats), *[x for f in figures for x in (f, "")],
              "## Classes", "", *class_rows, "", "## Citation", "", "```bibtex", CITATION, "```", "",
              "Checksums of every file: `checksums.sha256` (`sha256sum -c checksums.sha256`).", ""]
    return "\n".join(lines)


def _official_text(official: dict, frames: dict) -> list[str]:
    """What the card says of labels imported from the official release (`splits import-official`)."""
    def named(path: str) -> str:
        p = Path(path)
        return f"`{p.name}` (sha256 `{sha256_file(p)}`)" if p.is_file() else f"`{p.name}`"

    clips = sum(len(df) for df in frames.values())
    timed = sum(int(df["start_s"].notna().sum()) for df in frames.values())
    return [f"Labels and split: the official OV-AVEBench release, imported with `splits import-official` from "
            f"{named(official['meta'])} and {named(official['anno'])}. Clip ids are the official YouTube ids. The "
            "official release has no annotation rounds: `provenance` and `agreement` are null in every row.", "",
            f"`start_s`: the VGGSound start time where `official_ids.csv` maps the id to one VGGSound clip "
            f"({timed:,} of {clips:,} clips); null where the index has none or several.", ""]
