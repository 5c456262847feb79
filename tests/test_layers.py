"""The layers DESIGN.md asks for, checked in the source: the core and the stages never import the
test and demo doubles (ovavel.testing); only the app (the CLI and the demo) and the tests do."""

from __future__ import annotations

import re

from .conftest import REPO

APP = {"ovavel/cli.py", "ovavel/demo.py"}
# The doubles' old module names, kept as aliases for code outside the toolkit (nothing here imports them).
ALIASES = {"ovavel/media_server.py", "curation/synthetic.py", "models/synthetic.py", "annotation/scripted.py",
           "annotation/browser_annotator.py", "annotation/session.py"}
STAGES = ["ovavel", "curation", "annotation", "splits", "models", "metrics", "browse"]


def test_no_stage_imports_the_test_doubles():
    offenders = []
    for folder in STAGES:
        for path in sorted((REPO / folder).rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            if rel in APP | ALIASES:
                continue
            if re.search(r"^\s*(from|import)\s+ovavel\.testing\b", path.read_text(), re.M):
                offenders.append(rel)
    assert offenders == []


def test_nothing_imports_the_old_names_of_the_doubles():
    old = [a.removesuffix(".py").replace("/", ".") for a in ALIASES]
    names = ["ovavel." + n if not n.startswith("ovavel.") else n for n in old]
    used = []
    for folder in [*STAGES, "tests", "benchmarks", "testing"]:
        for path in sorted((REPO / folder).rglob("*.py")):
            if path.relative_to(REPO).as_posix() in ALIASES or path.name == "test_layers.py":
                continue
            text = path.read_text()
            used += [f"{path.relative_to(REPO)}: {n}" for n in names if re.search(rf"\b{re.escape(n)}\b", text)]
    assert used == []
