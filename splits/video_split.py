"""The class-stratified video split, as the official one was made (checked on its files).

Per seen class of n videos: ceil((1 - f) n) go to evaluation (f = --seen-train-frac, 0.8), the
rest to train; of the evaluation videos ceil(half) go to test, the rest to val. Per unseen class:
ceil(n / 2) to test, the rest to val. These counts reproduce every class of OV-AVEBench exactly
(train 13,182 / val 5,798 / test 5,820). Within a class the videos are drawn with scikit-learn's
stratified train_test_split over event length (labelled seconds per video), so each part has
the same mix of short and long events. `--train-ratio r` keeps ceil(r * train) per class, also
stratified (the official smaller training sets have exactly these sizes).
"""

from __future__ import annotations

import math
import zlib
from collections import Counter

from sklearn.model_selection import train_test_split

# Coarser and coarser event-length bins: stratification falls back to the next when a bin is too
# small for the draw (scikit-learn needs two members per bin and a draw of at least one per bin).
_BINNINGS = [
    lambda n: n,
    lambda n: 0 if n == 0 else 10 if n == 10 else 1 + (n - 1) // 3,
    lambda n: 0 if n == 0 else 10 if n == 10 else 5,
]


def ceil_share(n: int, share: float) -> int:
    return math.ceil(round(share * n, 9))


def part_sizes(n: int, seen: bool, seen_train_frac: float = 0.8) -> tuple[int, int, int]:
    """(train, val, test) counts of one class of n videos."""
    if seen:
        n_eval = ceil_share(n, 1 - seen_train_frac)
        n_test = ceil_share(n_eval, 0.5)
        return n - n_eval, n_eval - n_test, n_test
    n_test = ceil_share(n, 0.5)
    return 0, n - n_test, n_test


def class_seed(seed: int, name: str) -> int:
    return (seed * 1_000_003 + zlib.crc32(name.encode())) % (2**32)


def stratified_take(ids: list[str], lengths: list[int], k: int, seed: int) -> tuple[list[str], list[str]]:
    """(taken, rest): k of `ids`, stratified by event length where the sizes allow it."""
    if k <= 0:
        return [], list(ids)
    if k >= len(ids):
        return list(ids), []
    for binning in _BINNINGS:
        strata = [binning(n) for n in lengths]
        counts = Counter(strata)
        if min(counts.values()) >= 2 and len(counts) <= min(k, len(ids) - k):
            rest, taken = train_test_split(ids, test_size=k, stratify=strata, random_state=seed)
            return taken, rest
    rest, taken = train_test_split(ids, test_size=k, random_state=seed)
    return taken, rest


def split_class(ids: list[str], lengths: list[int], seen: bool, seed: int,
                seen_train_frac: float = 0.8) -> tuple[list[str], list[str], list[str]]:
    """(train, val, test) ids of one class."""
    n_train, n_val, n_test = part_sizes(len(ids), seen, seen_train_frac)
    length_of = dict(zip(ids, lengths))
    evaluation, train = stratified_take(ids, lengths, n_val + n_test, seed)
    test, val = stratified_take(evaluation, [length_of[i] for i in evaluation], n_test, seed + 1)
    assert (len(train), len(val), len(test)) == (n_train, n_val, n_test)
    return train, val, test


def subsample(ids: list[str], lengths: list[int], ratio: float, seed: int) -> list[str]:
    """ceil(ratio * len) of a class's training videos, stratified by event length."""
    taken, _ = stratified_take(ids, lengths, ceil_share(len(ids), ratio), seed)
    return taken
