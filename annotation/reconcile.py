"""`annotate reconcile`: the agreement report, and the final labels with their provenance.

Per segment: agreed by both rounds (a), adjudicated (j, from the adjudication round), or resolved
by policy (p: prefer-round1, prefer-round2, or dawid-skene over every annotator's answers). A clip
with a disputed segment that nobody and no policy resolved stays out of labels.csv and is listed.
Every final label can be traced to the round files it came from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ovavel.annotation.agreement import agreement_markdown, agreement_report
from ovavel.annotation.dawid_skene import dawid_skene
from ovavel.annotation.rounds import read_round
from ovavel.annotation.state import AnnotationState
from ovavel.errors import OvavelError
from ovavel.formats import SEGMENTS_PER_CLIP
from ovavel.layout import DataDir
from ovavel.tables import atomic_write_text, write_csv

POLICIES = ("prefer-round1", "prefer-round2", "dawid-skene")
DISAGREEMENT_COLUMNS = ["clip_id", "class", "r1_annotator", "r1_labels", "r2_annotator", "r2_labels", "disputed"]


@dataclass
class ReconcileSummary:
    report: dict
    final: int = 0
    provenance: dict[str, int] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)


def reconcile(data: DataDir, policy: str | None = None) -> ReconcileSummary:
    if policy is not None and policy not in POLICIES:
        raise OvavelError(f"--policy: expected one of {', '.join(POLICIES)}, but got {policy!r}")
    state = AnnotationState(data.root)
    r1, r2 = read_round(state, "1"), read_round(state, "2")
    adjudicated = read_round(state, "adjudicate") if state.round_file("adjudicate").exists() else {}
    report, disagreements = agreement_report(r1, r2)
    atomic_write_text(state.dir / "agreement.json", json.dumps(report, indent=2) + "\n")
    atomic_write_text(state.dir / "agreement.md", agreement_markdown(report))
    write_csv(state.dir / "disagreements.csv", disagreements, DISAGREEMENT_COLUMNS)
    by_policy = _policy_labels(policy, r1, r2, adjudicated) if policy else {}
    summary = ReconcileSummary(report)
    final = []
    counts = {"a": 0, "j": 0, "p": 0}
    for cid in (c for c in r1 if c in r2):
        labels, prov = [], []
        for k in range(SEGMENTS_PER_CLIP):
            x, y = r1[cid]["labels"][k], r2[cid]["labels"][k]
            if x == y:
                value, source = x, "a"
            elif cid in adjudicated:
                value, source = adjudicated[cid]["labels"][k], "j"
            elif policy:
                value, source = by_policy[(cid, k)], "p"
            else:
                break
            labels.append(value)
            prov.append(source)
        if len(labels) < SEGMENTS_PER_CLIP:
            summary.pending.append(cid)
            continue
        for p in prov:
            counts[p] += 1
        final.append({"clip_id": cid, "class": r1[cid]["class"], "labels": "".join(labels),
                      "provenance": "".join(prov)})
    write_csv(state.dir / "labels.csv", final, ["clip_id", "class", "labels", "provenance"])
    summary.final = len(final)
    summary.provenance = counts
    summary.pending += report["only_round1"] + report["only_round2"]
    return summary


def _policy_labels(policy: str, r1: dict, r2: dict, adjudicated: dict) -> dict[tuple[str, int], str]:
    if policy == "prefer-round1":
        return {(c, k): r1[c]["labels"][k] for c in r1 if c in r2 for k in range(SEGMENTS_PER_CLIP)}
    if policy == "prefer-round2":
        return {(c, k): r2[c]["labels"][k] for c in r1 if c in r2 for k in range(SEGMENTS_PER_CLIP)}
    votes = [(f"{c}#{k}", rnd[c]["annotator"], int(rnd[c]["labels"][k]))
             for rnd in (r1, r2, adjudicated) for c in rnd for k in range(SEGMENTS_PER_CLIP)]
    p1 = dawid_skene(votes)
    # A tie (0.5) keeps round 2, the review round.
    return {(c, k): ("1" if p1[f"{c}#{k}"] > 0.5 else "0" if p1[f"{c}#{k}"] < 0.5 else r2[c]["labels"][k])
            for c in r1 if c in r2 for k in range(SEGMENTS_PER_CLIP)}
