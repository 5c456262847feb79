"""Scripted annotators, for the demo, the tests and the benchmarks: accounts made through the lead's
invitation link (a known password) and answers submitted by each annotator's own session, as a
person's page submits them (`completed_by` and `updated_by` are their account, `lead_time` 0).
Callers say in their output that the answers are scripted."""

from __future__ import annotations

from typing import Callable

from ovavel.annotation.config import result_for
from ovavel.testing.person_session import PersonSession, invite_token
from ovavel.annotation.state import AnnotationState

PASSWORD = "scripted-annotator"


def ensure_accounts(client, emails: list[str], password: str = PASSWORD) -> dict[str, PersonSession]:
    """{email: that person's logged-in session}, signing up (through the invitation link) the
    accounts that do not exist yet."""
    existing = {e.lower() for e in client.user_emails().values()}
    token = None
    sessions = {}
    for email in emails:
        if email.lower() in existing:
            sessions[email] = PersonSession(client.url).login(email, password)
        else:
            token = token or invite_token(client)
            sessions[email] = PersonSession(client.url).signup(token, email, password)
    return sessions


def answer_round(client, state: AnnotationState, round_name: str, answer: Callable[[str, str, str], str | None],
                 people: dict[str, PersonSession]) -> int:
    """Submit, for every task of the round, `answer(annotator, clip_id, class)` (ten 0/1 characters,
    or None to leave the task) with that annotator's own session. Returns the number submitted."""
    rnd = state.round(round_name)
    posted = 0
    for annotator, batch in rnd.batches.items():
        for task in client.sdk.tasks.list(project=batch.project_id, fields="all"):
            labels = answer(annotator, task.data["clip_id"], task.data["class"])
            if labels is None:
                continue
            people[annotator].post_answer(task.id, result_for(labels, rnd.ui, rnd.timeline_fps))
            posted += 1
    return posted
