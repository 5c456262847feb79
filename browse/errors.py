"""Error types of one clip's prediction against its ground truth, as the results browser filters
them (the page and the README define them the same way).

An event is a maximal run of seconds with the same class; background and `unassigned` seconds
hold no event. For a clip of class C with its ten 0/1 labels:
- `missed`: a true event of C with no second of it predicted as C.
- `false`: a predicted event (any class) that overlaps no second of a true event.
- `wrong-class`: a second predicted as a class other than C.
- `boundary`: the seconds predicted as C form as many events as the truth, each over a true
  event whose start and end are each off by at most one second, and at least one is off: right
  but for a one-second edge.
A clip has none of them exactly when its prediction is right on every second.
"""

from __future__ import annotations

from ovavel import BACKGROUND, UNASSIGNED

ERROR_TYPES = ("missed", "false", "wrong-class", "boundary")


def runs(values: list[str]) -> list[tuple[str, int, int]]:
    """(class, start, end exclusive) of every run of equal non-background values."""
    out, k = [], 0
    while k < len(values):
        v, j = values[k], k
        while j < len(values) and values[j] == v:
            j += 1
        if v not in (BACKGROUND, UNASSIGNED):
            out.append((v, k, j))
        k = j
    return out


def error_types(cls: str, labels: str, pred: list[str]) -> list[str]:
    truth = [cls if b == "1" else BACKGROUND for b in labels]
    true_events = runs(truth)
    pred_events = runs(pred)
    event_seconds = {k for _, s, e in true_events for k in range(s, e)}
    found = []
    if any(all(pred[k] != cls for k in range(s, e)) for _, s, e in true_events):
        found.append("missed")
    if any(not any(k in event_seconds for k in range(s, e)) for _, s, e in pred_events):
        found.append("false")
    if any(p not in (cls, BACKGROUND, UNASSIGNED) for p in pred):
        found.append("wrong-class")
    mine = [(s, e) for c, s, e in pred_events if c == cls]
    if len(mine) == len(true_events) and mine != [(s, e) for _, s, e in true_events] and all(
            abs(ps - ts) <= 1 and abs(pe - te) <= 1 for (ps, pe), (_, ts, te) in zip(mine, true_events)):
        found.append("boundary")
    return found
