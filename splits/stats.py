"""`splits stats DIR`: the tables a paper needs, as Markdown and JSON, and two plots."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from ovavel.catalog import ClassCatalog
from ovavel.errors import OvavelError
from ovavel.formats import SPLIT_NAMES, read_labels, read_split
from ovavel.layout import SplitDir
from ovavel.tables import atomic_write_text, write_json


def split_stats(split_dir: str | os.PathLike) -> dict:
    d = SplitDir.at(split_dir)
    parts = {name: read_split(d.split(name)) for name in d.present()}
    if not parts:
        raise OvavelError(f"{d.root}: no train.csv, val.csv or test.csv")
    catalog = ClassCatalog.read(d.classes) if d.classes.exists() else None
    labels = read_labels(d.labels) if d.labels.exists() else {}
    stats: dict = {"videos": {k: len(v) for k, v in parts.items()}}
    stats["videos"]["total"] = sum(stats["videos"].values())
    stats["seen_unseen"] = {k: dict(sorted(Counter(r.split_type for r in v).items())) for k, v in parts.items()}
    ev = [r for k in ("val", "test") for r in parts.get(k, [])]
    stats["unseen_share_val_test"] = round(sum(r.split_type == "unseen" for r in ev) / len(ev), 4) if ev else None
    order = catalog.names if catalog else sorted({r.cls for v in parts.values() for r in v})
    per_class = []
    for c in order:
        counts = {k: sum(r.cls == c for r in v) for k, v in parts.items()}
        if any(counts.values()):
            st = next((r.split_type for v in parts.values() for r in v if r.cls == c), "")
            group = catalog.get(c).group if catalog and c in catalog else ""
            per_class.append({"class": c, "group": group, "split_type": st, **counts, "total": sum(counts.values())})
    stats["per_class"] = per_class
    ids = [r.clip_id for v in parts.values() for r in v]
    lengths = Counter(labels[i].labels.count("1") for i in ids if i in labels)
    n = sum(lengths.values())
    if n:
        stats["event_length"] = {str(k): {"videos": lengths.get(k, 0), "percent": round(100 * lengths.get(k, 0) / n, 2)}
                                 for k in range(11)}
        stats["event_length_mean_s"] = round(sum(k * v for k, v in lengths.items()) / n, 3)
    return stats


def stats_markdown(stats: dict) -> str:
    splits = [k for k in SPLIT_NAMES if k in stats["videos"]]
    lines = ["## Videos per split", "", "| split | videos | seen | unseen |", "|---|---:|---:|---:|"]
    for k in splits:
        su = stats["seen_unseen"][k]
        lines.append(f"| {k} | {stats['videos'][k]} | {su.get('seen', 0)} | {su.get('unseen', 0)} |")
    lines.append(f"| total | {stats['videos']['total']} | | |")
    if stats.get("unseen_share_val_test") is not None:
        lines += ["", f"Unseen share of val + test: {100 * stats['unseen_share_val_test']:.1f}%"]
    lines += ["", "## Videos per class", "", "| class | group | type | " + " | ".join(splits) + " | total |",
              "|---|---|---|" + "---:|" * (len(splits) + 1)]
    for r in stats["per_class"]:
        lines.append(f"| {r['class']} | {r['group']} | {r['split_type']} | " +
                     " | ".join(str(r[k]) for k in splits) + f" | {r['total']} |")
    if "event_length" in stats:
        lines += ["", "## Event length per video (labelled seconds)", "", "| seconds | videos | % |", "|---:|---:|---:|"]
        for k, v in stats["event_length"].items():
            lines.append(f"| {k} | {v['videos']} | {v['percent']:.2f} |")
        lines += ["", f"Mean event length: {stats['event_length_mean_s']:.2f} s"]
    return "\n".join(lines) + "\n"


def plot_stats(stats: dict, out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    rows = sorted(stats["per_class"], key=lambda r: -r["total"])
    colours = {"seen": "#4c72b0", "unseen": "#dd8452"}
    fig, ax = plt.subplots(figsize=(max(6, 0.18 * len(rows) + 2), 4))
    ax.bar(range(len(rows)), [r["total"] for r in rows], color=[colours.get(r["split_type"], "#888") for r in rows])
    ax.set_xticks(range(len(rows)), [r["class"] for r in rows], rotation=90, fontsize=6)
    ax.set_ylabel("videos")
    ax.set_title("Videos per class")
    ax.legend([plt.Rectangle((0, 0), 1, 1, color=c) for c in colours.values()], list(colours), fontsize=8)
    fig.tight_layout()
    written.append(_save(fig, out / "videos_per_class.png"))
    if "event_length" in stats:
        fig, ax = plt.subplots(figsize=(5, 3.2))
        ks = list(range(11))
        ax.bar(ks, [stats["event_length"][str(k)]["percent"] for k in ks], color="#55a868")
        ax.set_xticks(ks)
        ax.set_xlabel("labelled seconds per video")
        ax.set_ylabel("% of videos")
        ax.set_title("Event length")
        fig.tight_layout()
        written.append(_save(fig, out / "event_length.png"))
    plt.close("all")
    return written


def _save(fig, path: Path) -> Path:
    tmp = path.with_name(f".{path.name}.part")
    fig.savefig(tmp, dpi=110, format="png")
    os.replace(tmp, path)
    return path


def write_stats(split_dir: str | os.PathLike, out: str | os.PathLike | None = None) -> tuple[dict, Path]:
    stats = split_stats(split_dir)
    out = Path(out or split_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "stats.json", stats)
    atomic_write_text(out / "stats.md", stats_markdown(stats))
    plot_stats(stats, out)
    return stats, out
