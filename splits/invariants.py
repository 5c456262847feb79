"""Invariants every split must keep, checked in code (every `splits make` and import) and in tests."""

from __future__ import annotations

from collections import Counter, defaultdict

from ovavel.formats import SplitRow


def violations(parts: dict[str, list[SplitRow]], unseen: set[str], all_ids: set[str] | None = None,
               min_eval_per_class: int = 2) -> list[str]:
    """What is wrong with a split (empty when nothing is). `all_ids`: the clips it must cover."""
    problems = []
    where: dict[str, list[str]] = defaultdict(list)
    for name, rows in parts.items():
        for r in rows:
            where[r.clip_id].append(name)
            expected = "unseen" if r.cls in unseen else "seen"
            if r.split_type != expected:
                problems.append(f"{name}: clip {r.clip_id!r} of class {r.cls!r} marked {r.split_type!r}, expected {expected!r}")
    twice = [c for c, names in where.items() if len(names) > 1]
    if twice:
        problems.append(f"clip {twice[0]!r} is in {' and '.join(where[twice[0]])} ({len(twice)} clips in two splits)")
    in_train = [r for r in parts.get("train", []) if r.cls in unseen]
    if in_train:
        problems.append(f"train holds unseen class {in_train[0].cls!r} (clip {in_train[0].clip_id!r})")
    if all_ids is not None:
        missing = all_ids - set(where)
        extra = set(where) - all_ids
        if missing:
            problems.append(f"{len(missing)} labelled clip(s) in no split, e.g. {sorted(missing)[0]!r}")
        if extra:
            problems.append(f"{len(extra)} clip(s) without labels in a split, e.g. {sorted(extra)[0]!r}")
    per_class = {name: Counter(r.cls for r in rows) for name, rows in parts.items()}
    classes = set().union(*(set(c) for c in per_class.values())) if per_class else set()
    for c in sorted(classes):
        total_eval = per_class.get("val", Counter())[c] + per_class.get("test", Counter())[c]
        if c not in unseen and "train" in per_class and per_class["train"][c] == 0:
            problems.append(f"seen class {c!r} has no training video")
        if total_eval >= min_eval_per_class and (per_class.get("val", Counter())[c] == 0 or
                                                 per_class.get("test", Counter())[c] == 0):
            problems.append(f"class {c!r} is missing from val or test")
    return problems
