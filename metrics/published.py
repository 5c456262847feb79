"""The published figures of the OV-AVEL paper (ovavel/data/published_tables.csv: Tables 2-6 and
A7-A10, in percent, as printed) and the side-by-side of a user's scores with the nearest rows."""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

SUBSETS = ("seen", "unseen", "total")
METRICS = (("acc", "acc"), ("seg", "seg_f1"), ("eve", "event_f1"), ("avg", "avg"))  # (table column, report key)


@lru_cache(maxsize=1)
def _published_csv() -> tuple[dict[str, str], ...]:
    text = resources.files("ovavel").joinpath("data/published_tables.csv").read_text(encoding="utf-8")
    return tuple(csv.DictReader(text.splitlines()))


def published(table: str) -> dict[tuple[str, str], dict[str, float]]:
    """{(row, subset): {acc, seg, eve, avg}} in percent, as printed in the paper."""
    out = {}
    for r in _published_csv():
        if r["table"] == table:
            out[(r["row"], r["subset"])] = {m: float(r[m]) for m, _ in METRICS}
    return out


def published_rows(table: str = "2") -> dict[str, dict[str, dict[str, float]]]:
    """{row: {subset: {acc, seg, eve, avg}}} of one table, in its printed order."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for (row, subset), figures in published(table).items():
        out.setdefault(row, {})[subset] = figures
    return out


def nearest_rows(summary: dict[str, dict], count: int, table: str = "2") -> list[str]:
    """The `count` published rows whose total Avg is nearest to the summary's (report keys, 0..1)."""
    mine = 100 * summary["total"]["avg"]
    rows = published_rows(table)
    return sorted(rows, key=lambda r: (abs(rows[r]["total"]["avg"] - mine), r))[:count]


def comparison_table(summary: dict[str, dict], count: int, protocol_note: str, table: str = "2") -> str:
    """Markdown: your row (percent, one decimal) above the nearest published rows, each with its
    difference in total Avg from yours."""
    rows = published_rows(table)
    head = "| | " + " | ".join(f"{x} {m}" for x in SUBSETS for m, _ in METRICS) + " | total Avg - yours |"
    lines = [f"### Nearest published rows of Table {table} ({protocol_note})", "", head,
             "|---|" + "---:|" * (len(SUBSETS) * len(METRICS) + 1)]
    mine = {x: {m: round(100 * summary[x][key], 1) for m, key in METRICS} for x in SUBSETS}
    lines.append("| yours | " + " | ".join(f"{mine[x][m]:.1f}" for x in SUBSETS for m, _ in METRICS) + " | |")
    for name in nearest_rows(summary, count, table):
        cells = [f"{rows[name][x][m]:.1f}" for x in SUBSETS for m, _ in METRICS]
        diff = rows[name]["total"]["avg"] - mine["total"]["avg"]
        lines.append(f"| {name} (published) | " + " | ".join(cells) + f" | {diff:+.1f} |")
    return "\n".join(lines) + "\n"
