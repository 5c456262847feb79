"""Agreement between round 1 and round 2: per-segment percent agreement and Cohen's kappa
(scikit-learn), overall, per annotator pair and per class, and the clips with any disagreement."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.metrics import cohen_kappa_score

from ovavel.formats import SEGMENTS_PER_CLIP


def bits(labels: str) -> list[int]:
    return [int(c) for c in labels]


def kappa(a: np.ndarray, b: np.ndarray) -> float | None:
    """Cohen's kappa of two raters' 0/1 segment labels; None where it is undefined (both raters
    used one single value, so chance agreement is 1)."""
    if a.size == 0:
        return None
    if len(set(a.tolist()) | set(b.tolist())) < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = cohen_kappa_score(a, b)
    return None if np.isnan(value) else float(value)


def _figures(a: np.ndarray, b: np.ndarray, clips: int) -> dict:
    return {"clips": clips, "segments": int(a.size),
            "percent_agreement": round(100 * float((a == b).mean()), 2) if a.size else None,
            "kappa": None if (k := kappa(a, b)) is None else round(k, 4)}


def agreement_report(r1: dict[str, dict], r2: dict[str, dict]) -> dict:
    common = [c for c in r1 if c in r2]
    a = np.array([bits(r1[c]["labels"]) for c in common], dtype=int).reshape(-1, SEGMENTS_PER_CLIP)
    b = np.array([bits(r2[c]["labels"]) for c in common], dtype=int).reshape(-1, SEGMENTS_PER_CLIP)
    report = {"overall": _figures(a.ravel(), b.ravel(), len(common))}
    pairs: dict[str, list[int]] = {}
    classes: dict[str, list[int]] = {}
    for i, c in enumerate(common):
        pair = " & ".join(sorted({r1[c]["annotator"], r2[c]["annotator"]}))
        pairs.setdefault(pair, []).append(i)
        classes.setdefault(r1[c]["class"], []).append(i)
    report["per_pair"] = {p: _figures(a[idx].ravel(), b[idx].ravel(), len(idx)) for p, idx in sorted(pairs.items())}
    report["per_class"] = {k: _figures(a[idx].ravel(), b[idx].ravel(), len(idx)) for k, idx in sorted(classes.items())}
    disagreements = []
    for i, c in enumerate(common):
        disputed = [k for k in range(SEGMENTS_PER_CLIP) if a[i, k] != b[i, k]]
        if disputed:
            disagreements.append({"clip_id": c, "class": r1[c]["class"], "r1_annotator": r1[c]["annotator"],
                                  "r1_labels": r1[c]["labels"], "r2_annotator": r2[c]["annotator"],
                                  "r2_labels": r2[c]["labels"], "disputed": ",".join(map(str, disputed))})
    report["disagreeing_clips"] = len(disagreements)
    report["only_round1"] = [c for c in r1 if c not in r2]
    report["only_round2"] = [c for c in r2 if c not in r1]
    return report, disagreements


def agreement_markdown(report: dict) -> str:
    def row(name, f):
        k = "–" if f["kappa"] is None else f"{f['kappa']:.3f}"
        pct = "–" if f["percent_agreement"] is None else f"{f['percent_agreement']:.1f}"
        return f"| {name} | {f['clips']} | {pct} | {k} |"

    head = ["| | clips | agreement (%) | Cohen's kappa |", "|---|---:|---:|---:|"]
    lines = ["# Annotation agreement (round 1 vs round 2, per segment)", "", *head, row("overall", report["overall"]),
             "", "## Per annotator pair", "", *head, *[row(p, f) for p, f in report["per_pair"].items()],
             "", "## Per class", "", *head, *[row(c, f) for c, f in report["per_class"].items()],
             "", f"Clips with any disagreement: {report['disagreeing_clips']} (listed in disagreements.csv)."]
    if report["only_round1"] or report["only_round2"]:
        lines.append(f"Clips answered in one round only: {len(report['only_round1'])} in round 1, "
                     f"{len(report['only_round2'])} in round 2.")
    return "\n".join(lines) + "\n"
