"""Scripted annotators, for the demo and the tests: accounts created through the API (first name
"scripted") and answers posted on their behalf, recorded as theirs (`completed_by` is their
account, `lead_time` 0). Callers say in their output that the answers are scripted."""

from __future__ import annotations

from typing import Callable

from ovavel.annotation.config import result_for
from ovavel.annotation.state import AnnotationState


def ensure_accounts(client, emails: list[str], password: str = "scripted-annotator") -> dict[str, int]:
    """{email: user id}, creating the accounts that do not exist yet."""
    existing = {u.email: u.id for u in client.sdk.users.list()}
    for email in emails:
        if email not in existing:
            user = client.sdk.users.create(username=email.split("@")[0], email=email, password=password,
                                           first_name="scripted")
            existing[email] = user.id
    return {e: existing[e] for e in emails}


def answer_round(client, state: AnnotationState, round_name: str, answer: Callable[[str, str, str], str | None],
                 users: dict[str, int]) -> int:
    """Post, for every task of the round, `answer(annotator, clip_id, class)` (ten 0/1 characters,
    or None to leave the task) as that annotator. Returns the number of answers posted."""
    rnd = state.round(round_name)
    posted = 0
    for annotator, batch in rnd.batches.items():
        for task in client.sdk.tasks.list(project=batch.project_id, fields="all"):
            labels = answer(annotator, task.data["clip_id"], task.data["class"])
            if labels is None:
                continue
            client.sdk.annotations.create(task.id, result=result_for(labels, rnd.ui), completed_by=users[annotator],
                                          lead_time=0.0)
            posted += 1
    return posted
