"""`splits make`: the class partition and the video split from final labels."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ovavel.catalog import ClassCatalog, EventClass
from ovavel.errors import OvavelError
from ovavel.formats import SPLIT_NAMES, Label, SplitRow, write_labels, write_split
from ovavel.splits.invariants import violations
from ovavel.splits.partition import OFFICIAL_UNSEEN_SHARE, auto_partition, given_partition
from ovavel.splits.video_split import class_seed, split_class, subsample
from ovavel.tables import shared_mode, write_json

TRAIN_RATIOS = (0.25, 0.5, 0.75)


@dataclass(frozen=True)  # default arguments are instances of it: never changed in place
class MakeSettings:
    seed: int = 0
    unseen: str | None = None  # None: the catalog's split column; "auto"; or a list file's names
    unseen_names: list[str] | None = None
    unseen_count: int = 21
    unseen_share: float = OFFICIAL_UNSEEN_SHARE
    seen_train_frac: float = 0.8
    train_ratio: float | None = None
    allow_partial: bool = False  # labels may cover only some of the catalog's classes


@dataclass
class SplitResult:
    parts: dict[str, list[SplitRow]]
    catalog: ClassCatalog  # with the split column as used
    unseen: list[str]
    report: dict = field(default_factory=dict)


def make_splits(labels: dict[str, Label], catalog: ClassCatalog, settings: MakeSettings = MakeSettings()) -> SplitResult:
    if not 0 < settings.seen_train_frac < 1:
        raise OvavelError(f"--seen-train-frac: expected a fraction in (0, 1), but got {settings.seen_train_frac}")
    if settings.train_ratio is not None and not 0 < settings.train_ratio <= 1:
        raise OvavelError(f"--train-ratio: expected a fraction in (0, 1], but got {settings.train_ratio}")
    unknown = sorted({l.cls for l in labels.values()} - set(catalog.names))
    if unknown:
        raise OvavelError(f"labels name class {unknown[0]!r}, which the class catalog {catalog.source} lacks")
    per_class: dict[str, list[str]] = defaultdict(list)
    for cid, lab in labels.items():
        per_class[lab.cls].append(cid)
    absent = [c for c in catalog.names if c not in per_class]
    if absent and not settings.allow_partial:
        raise OvavelError(f"the labels hold {len(catalog.names) - len(absent)} of the {len(catalog.names)} classes of "
                          f"{catalog.source} ({len(absent)} missing, first {', '.join(repr(c) for c in absent[:3])}); "
                          "pass --allow-partial to split the classes present, or --classes with a catalog of "
                          "just those")
    videos = {c: len(v) for c, v in per_class.items()}
    if settings.unseen == "auto":
        unseen = auto_partition(videos, catalog, settings.unseen_count, settings.unseen_share, settings.seed)
    else:
        unseen = given_partition(catalog, set(per_class), settings.unseen_names)
    unseen_set = set(unseen)
    parts: dict[str, list[SplitRow]] = {name: [] for name in SPLIT_NAMES}
    for c in catalog.names:
        ids = per_class.get(c, [])
        if not ids:
            continue
        lengths = [labels[i].labels.count("1") for i in ids]
        seed = class_seed(settings.seed, c)
        train, val, test = split_class(ids, lengths, c not in unseen_set, seed, settings.seen_train_frac)
        if settings.train_ratio is not None and train:
            train = subsample(train, [labels[i].labels.count("1") for i in train], settings.train_ratio, seed + 2)
        order = {cid: k for k, cid in enumerate(ids)}  # stable: class order, then labels-file order
        st = "unseen" if c in unseen_set else "seen"
        for name, chosen in (("train", train), ("val", val), ("test", test)):
            parts[name] += [SplitRow(cid, c, st) for cid in sorted(chosen, key=order.get)]
    empty = [name for name, rows in parts.items() if not rows]
    if empty:
        raise OvavelError(f"the split would leave {' and '.join(empty)} empty ({len(labels)} labelled videos in "
                          f"{len(per_class)} classes, {len(unseen_set & set(per_class))} of them unseen): label more "
                          "videos or classes, or choose other unseen classes")
    covered = None if settings.train_ratio is not None else set(labels)
    problems = violations(parts, unseen_set, covered)
    if problems:
        raise OvavelError("the split breaks its constraints: " + "; ".join(problems[:5]))
    used = ClassCatalog([EventClass(c.name, c.vggsound_label, c.group, "unseen" if c.name in unseen_set else "seen")
                         for c in catalog], source=catalog.source)
    return SplitResult(parts, used, unseen, summary(parts, unseen_set, settings))


def summary(parts: dict[str, list[SplitRow]], unseen: set[str], settings: MakeSettings | None = None) -> dict:
    out: dict = {"sizes": {k: len(v) for k, v in parts.items()}}
    ev = [r for k in ("val", "test") for r in parts.get(k, [])]
    out["unseen_share_val_test"] = round(sum(r.cls in unseen for r in ev) / len(ev), 4) if ev else None
    out["unseen_classes"] = len(unseen)
    out["unseen_classes_present"] = len({r.cls for rows in parts.values() for r in rows} & set(unseen))
    out["per_split"] = {k: dict(Counter(r.split_type for r in v)) for k, v in parts.items()}
    if settings is not None:
        out["settings"] = {k: v for k, v in settings.__dict__.items() if k != "unseen_names"}
    return out


def write_split_dir(result: SplitResult, labels: dict[str, Label], out: str | os.PathLike, force: bool = False) -> Path:
    """Write the split folder whole or not at all: it is written under a temporary name beside
    `out` and renamed into place, so a failure (a full disk) leaves the previous state."""
    out = Path(out)
    existing = [n for n in ("train.csv", "val.csv", "test.csv") if (out / n).exists()]
    if existing and not force:
        raise OvavelError(f"{out} already holds a split ({', '.join(existing)}); pass --force to overwrite it")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent))
    try:
        if out.is_dir():  # keep what else the folder holds (figures, notes)
            shutil.copytree(out, tmp, dirs_exist_ok=True)
        for name, rows in result.parts.items():
            write_split(tmp / f"{name}.csv", rows)
        result.catalog.write(tmp / "classes.csv")
        in_split = [r.clip_id for rows in result.parts.values() for r in rows]
        write_labels(tmp / "labels.csv", {c: labels[c] for c in in_split})
        write_json(tmp / "split_report.json", result.report)
        tmp.chmod(shared_mode())  # mkdtemp made it 0700: the split is for the group
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
