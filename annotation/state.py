"""DIR/annotation/: where a round's state lives, so a round exported today can be imported next week.

projects.json records, per round and annotator, the Label Studio project id (or offline file) and
the clips assigned, with a status that is "creating" until every task is in and "ready" after.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ovavel.errors import OvavelError
from ovavel.tables import atomic_write_text

ROUNDS = ("1", "2", "adjudicate")
ROUND_COLUMNS = ["clip_id", "class", "labels", "round", "annotator", "annotation_id", "lead_time", "created_at"]
REJECT_COLUMNS = ["round", "annotator", "clip_id", "annotation_id", "reason"]


@dataclass
class Batch:
    """One annotator's share of a round: a Label Studio project or an offline file."""

    clips: list[str]
    project_id: int | None = None
    file: str | None = None
    status: str = "creating"
    storage_id: int | None = None  # the Local Files storage that serves the project's clips


@dataclass
class RoundState:
    mode: str  # server | offline
    batches: dict[str, Batch] = field(default_factory=dict)  # annotator -> batch
    prefill: str = "none"  # none | round1 | predictions
    review: bool = False
    ui: str = "grid"  # seconds | timeline; "grid" = a round exported by a version before the views
    timeline_fps: int = 25  # steps a second on the timeline view's ruler (rounds before it: the clips' 25)

    def annotator_of(self) -> dict[str, str]:
        return {c: a for a, b in self.batches.items() for c in b.clips}


class AnnotationState:
    def __init__(self, data_dir: Path):
        self.dir = data_dir / "annotation"
        self.path = self.dir / "projects.json"
        self.rounds: dict[str, RoundState] = {}
        if self.path.exists():
            raw = json.loads(self.path.read_text())
            for name, r in raw.get("rounds", {}).items():
                batches = {a: Batch(**b) for a, b in r.pop("batches", {}).items()}
                self.rounds[name] = RoundState(batches=batches, **r)

    def save(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        raw = {"rounds": {n: {**asdict(r)} for n, r in self.rounds.items()}}
        atomic_write_text(self.path, json.dumps(raw, indent=2) + "\n")

    def round(self, name: str) -> RoundState:
        if name not in self.rounds:
            raise OvavelError(f"round {name} has not been exported yet (annotate export --round {name})")
        return self.rounds[name]

    def round_file(self, name: str) -> Path:
        return self.dir / f"labels_round{name}.csv"

    def rejects_file(self, name: str) -> Path:
        return self.dir / f"rejects_round{name}.csv"


def check_round(name: str) -> str:
    if name not in ROUNDS:
        raise OvavelError(f"--round: expected one of {', '.join(ROUNDS)}, but got {name!r}")
    return name
