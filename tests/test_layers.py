"""The layers DESIGN.md asks for, checked in the source: the core and the stages never import the
test and demo doubles (ovavel.testing); only the app (the CLI and the demo) and the tests do."""

from __future__ import annotations

import re

from .conftest import REPO

APP = {"ovavel/cli.py", "ovavel/demo.py"}
STAGES = ["ovavel", "curation", "annotation", "splits", "models", "metrics", "browse"]


def test_no_stage_imports_the_test_doubles():
    offenders = []
    for folder in STAGES:
        for path in sorted((REPO / folder).rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            if rel in APP:
                continue
            if re.search(r"^\s*(from|import)\s+ovavel\.testing\b", path.read_text(), re.M):
                offenders.append(rel)
    assert offenders == []
