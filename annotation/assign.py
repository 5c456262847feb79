"""Who annotates which clip: round 1 splits the clips among the annotators, balanced per class;
round 2 gives every clip to an annotator other than its round-1 annotator, again balanced."""

from __future__ import annotations

from collections import Counter

from ovavel.errors import OvavelError


def _pick(candidates: list[str], per_class: Counter, total: Counter, cls: str) -> str:
    # Fewest clips of this class, then fewest clips overall, then the listed order.
    return min(candidates, key=lambda a: (per_class[(a, cls)], total[a], candidates.index(a)))


def assign_round1(clips: list[tuple[str, str]], annotators: list[str]) -> dict[str, str]:
    """{clip_id: annotator} for (clip_id, class) pairs."""
    if not annotators:
        raise OvavelError("--annotators: expected at least one annotator")
    if len(set(annotators)) != len(annotators):
        raise OvavelError(f"--annotators: expected distinct names, but got {annotators}")
    per_class, total, out = Counter(), Counter(), {}
    for cid, cls in sorted(clips, key=lambda x: (x[1], x[0])):
        a = _pick(annotators, per_class, total, cls)
        out[cid] = a
        per_class[(a, cls)] += 1
        total[a] += 1
    return out


def assign_round2(clips: list[tuple[str, str]], round1: dict[str, str], annotators: list[str]) -> dict[str, str]:
    """{clip_id: annotator}, never the clip's round-1 annotator."""
    if len(annotators) < 2:
        raise OvavelError(f"round 2 needs at least two annotators to exchange clips, but got {annotators}")
    per_class, total, out = Counter(), Counter(), {}
    for cid, cls in sorted(clips, key=lambda x: (x[1], x[0])):
        if cid not in round1:
            raise OvavelError(f"clip {cid!r} has no round-1 annotator; export round 1 first")
        candidates = [a for a in annotators if a != round1[cid]]
        a = _pick(candidates, per_class, total, cls)
        out[cid] = a
        per_class[(a, cls)] += 1
        total[a] += 1
    return out
