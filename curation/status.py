"""`curate status`: counts by status and by class, from the ledger (the last attempt per clip)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from ovavel.cli_common import format_table
from ovavel.curation.ledger import Ledger
from ovavel.curation.vggsound_index import read_index
from ovavel.layout import DataDir


@dataclass
class Status:
    by_status: Counter
    by_class: dict[str, Counter]
    segments: Counter
    total: int


def data_status(data: DataDir) -> Status:
    rows, _ = read_index(data.index) if data.index.exists() else ([], [])
    ledger = Ledger(data.ledger)
    latest = ledger.latest("download")
    segments = ledger.latest("segments")
    by_status: Counter = Counter()
    by_class: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        e = latest.get(r.clip_id)
        status = e.status if e else "pending"
        by_status[status] += 1
        by_class[r.cls][status] += 1
    return Status(by_status, dict(by_class), Counter(e.status for e in segments.values()), len(rows))


def format_status(s: Status) -> str:
    statuses = sorted(s.by_status, key=lambda k: (k != "ok", k))
    out = [format_table(["status", "clips"], [[k, s.by_status[k]] for k in statuses] + [["total", s.total]])]
    if s.by_class:
        rows = [[c] + [s.by_class[c].get(k, 0) for k in statuses] for c in sorted(s.by_class)]
        out.append(format_table(["class"] + statuses, rows))
    if s.segments:
        out.append(format_table(["segments", "clips"], [[k, v] for k, v in sorted(s.segments.items())]))
    return "\n\n".join(out)
