"""The seen/unseen class partition.

Given: a file of unseen class names, or the catalog's split column. Auto: the unseen classes are
chosen from every group, each group's share of the unseen classes in proportion to its size
(largest remainders: 21 of 17/15/17/9/9 gives 5/5/5/3/3, as in OV-AVEBench), and within that,
the classes whose videos bring the unseen share of all videos closest to the target (a seeded
local search over swaps inside each group, with restarts).
"""

from __future__ import annotations

import math
import random

from ovavel.catalog import GROUPS, ClassCatalog
from ovavel.errors import OvavelError

OFFICIAL_UNSEEN_SHARE = 8303 / 24800


def group_quotas(group_sizes: dict[str, int], unseen_count: int) -> dict[str, int]:
    """Unseen classes per group in proportion to group sizes (largest remainder method)."""
    total = sum(group_sizes.values())
    if unseen_count < len(group_sizes):
        raise OvavelError(f"--unseen-count {unseen_count} cannot represent all {len(group_sizes)} groups "
                          f"({', '.join(group_sizes)}): expected at least {len(group_sizes)}")
    if unseen_count > total - len(group_sizes):
        raise OvavelError(f"--unseen-count {unseen_count} leaves some group without a seen class: expected at "
                          f"most {total - len(group_sizes)} of {total} classes")
    exact = {g: unseen_count * n / total for g, n in group_sizes.items()}
    quota = {g: max(1, math.floor(x)) for g, x in exact.items()}
    order = sorted(group_sizes, key=lambda g: (-(exact[g] - math.floor(exact[g])), list(group_sizes).index(g)))
    i = 0
    while sum(quota.values()) < unseen_count:
        g = order[i % len(order)]
        if quota[g] < group_sizes[g] - 1:
            quota[g] += 1
        i += 1
    while sum(quota.values()) > unseen_count:  # only when the max(1, .) floors overshot
        g = max((g for g in quota if quota[g] > 1), key=lambda g: quota[g] - exact[g])
        quota[g] -= 1
    for g, q in quota.items():
        if q >= group_sizes[g]:
            raise OvavelError(f"group {g!r} has {group_sizes[g]} classes; {q} unseen would leave none seen")
    return quota


def auto_partition(videos_per_class: dict[str, int], catalog: ClassCatalog, unseen_count: int = 21,
                   target_share: float = OFFICIAL_UNSEEN_SHARE, seed: int = 0,
                   restarts: int = 20, steps: int = 2000) -> list[str]:
    """Choose `unseen_count` unseen classes (see module doc). Deterministic for a seed."""
    classes = [c for c in catalog.names if videos_per_class.get(c, 0) > 0]
    missing_group = [c for c in classes if not catalog.get(c).group]
    if missing_group:
        raise OvavelError(f"--unseen auto needs every class's group; class {missing_group[0]!r} has none "
                          "(give a classes.csv with a group column)")
    by_group: dict[str, list[str]] = {}
    for c in classes:
        by_group.setdefault(catalog.get(c).group, []).append(c)
    groups = [g for g in GROUPS if g in by_group] + [g for g in by_group if g not in GROUPS]
    quotas = group_quotas({g: len(by_group[g]) for g in groups}, unseen_count)
    total = sum(videos_per_class[c] for c in classes)
    target = target_share * total
    rng = random.Random(seed)

    def cost(chosen: dict[str, list[str]]) -> float:
        return abs(sum(videos_per_class[c] for g in chosen for c in chosen[g]) - target)

    best, best_cost = None, math.inf
    for _ in range(restarts):
        chosen = {g: rng.sample(by_group[g], quotas[g]) for g in groups}
        current = cost(chosen)
        for _ in range(steps):
            g = rng.choice(groups)
            rest = [c for c in by_group[g] if c not in chosen[g]]
            if not rest:
                continue
            i = rng.randrange(len(chosen[g]))
            old = chosen[g][i]
            chosen[g][i] = rng.choice(rest)
            new = cost(chosen)
            if new <= current:
                current = new
            else:
                chosen[g][i] = old
            if current == 0:
                break
        if current < best_cost:
            best, best_cost = {g: sorted(v) for g, v in chosen.items()}, current
        if best_cost == 0:
            break
    unseen = {c for g in best for c in best[g]}
    return [c for c in catalog.names if c in unseen]


def given_partition(catalog: ClassCatalog, classes_in_labels: set[str], unseen_names: list[str] | None) -> list[str]:
    """The unseen classes from a file's names, or from the catalog's split column."""
    if unseen_names is not None:
        unknown = [n for n in unseen_names if n not in catalog]
        if unknown:
            raise OvavelError(f"--unseen: class {unknown[0]!r} is not in the class catalog {catalog.source}")
        return [c for c in catalog.names if c in set(unseen_names)]
    blank = [c for c in catalog.names if c in classes_in_labels and catalog.get(c).split not in ("seen", "unseen")]
    if blank:
        raise OvavelError(f"class {blank[0]!r} has no seen/unseen split in {catalog.source}; "
                          "pass --unseen auto or --unseen FILE")
    return catalog.by_split("unseen")

