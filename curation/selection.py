"""Choosing the clips of a run: read the index (raw VGGSound csv or index.csv), keep the chosen
classes, cap per class, keep one shard."""

from __future__ import annotations

from collections import Counter

from ovavel.catalog import ClassCatalog
from ovavel.tables import read_csv
from ovavel.curation.shards import in_shard
from ovavel.curation.vggsound_index import (IndexRow, Reject, cached_vggsound_index, filter_vggsound,
                                            is_index_csv, read_index, resolve_classes, vggsound_labels)


def select_index(index: str | None, class_names: list[str], catalog: ClassCatalog,
                 max_per_class: int | None = None, shard: tuple[int, int] | None = None
                 ) -> tuple[list[IndexRow], list[Reject]]:
    index = index or str(cached_vggsound_index())
    if is_index_csv(index):
        table = read_csv(index, required=["class"])  # the names in it, to resolve --classes against
        labels = {r.get("vggsound_label", "") for r in table} | {r["class"].strip() for r in table}
        classes = resolve_classes(class_names, catalog, labels)
        rows, rejects = read_index(index, catalog=None, classes=classes)
    else:
        classes = resolve_classes(class_names, catalog, vggsound_labels(index))
        rows, rejects = filter_vggsound(index, classes)
    if max_per_class is not None:
        taken: Counter = Counter()
        kept = []
        for r in rows:
            if taken[r.cls] < max_per_class:
                taken[r.cls] += 1
                kept.append(r)
        rows = kept
    rows = [r for r in rows if in_shard(r.clip_id, shard)]
    return rows, rejects
