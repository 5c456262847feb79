"""The layers DESIGN.md asks for, read from every import statement of the source (function-level
imports too): the core imports no stage, the app or the test doubles; a stage imports only the
core and earlier stages (models may use metrics; metrics uses no other stage); only the app, the
doubles themselves and the tests import the doubles (ovavel.testing)."""

from __future__ import annotations

import ast
import re

from .conftest import REPO

FOLDERS = {"ovavel": "core", "curation": "curation", "annotation": "annotation", "splits": "splits",
           "models": "models", "metrics": "metrics", "browse": "browse", "app": "app", "testing": "testing"}
# What each stage may import besides the core: the pipeline's earlier stages.
MAY_IMPORT = {"core": set(), "curation": set(), "annotation": {"curation"}, "splits": {"curation", "annotation"},
              "models": {"curation", "annotation", "splits", "metrics"}, "metrics": set(),
              "browse": {"curation", "annotation", "splits", "models", "metrics"}}
# Old module names kept as aliases for code outside the toolkit (each one line: the module it became).
ALIASES = {"ovavel/cli.py", "ovavel/demo.py", "ovavel/__main__.py", "ovavel/media_server.py", "curation/synthetic.py",
           "models/synthetic.py", "annotation/scripted.py", "annotation/browser_annotator.py",
           "annotation/session.py"}


def imported_layers(path) -> set[str]:
    """The layers (FOLDERS' values) whose modules a file imports, its own layer left out."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "ovavel":
                found.add(parts[1] if len(parts) > 1 and parts[1] in FOLDERS.values() else "core")
    return found


def layer_imports() -> dict[str, set[str]]:
    """{file: the other layers it imports} for every source file but the aliases."""
    out = {}
    for folder, layer in FOLDERS.items():
        for path in sorted((REPO / folder).rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            if rel not in ALIASES:
                out[rel] = imported_layers(path) - {layer}
    return out


def test_the_reader_of_imports_sees_every_form():
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "m.py"
        src.write_text("import ovavel.models.train\nfrom ovavel import metrics\nfrom ovavel.formats import X\n"
                       "def f():\n    from ovavel.app.cli import app\n")
        assert imported_layers(src) == {"models", "metrics", "core", "app"}


def test_the_core_imports_no_stage_no_app_no_double():
    imports = layer_imports()
    core = {f: layers for f, layers in imports.items() if f.startswith("ovavel/")}
    assert "ovavel/frames.py" in core and "ovavel/formats.py" in core  # the walk reached the core
    assert {f: layers - {"core"} for f, layers in core.items() if layers - {"core"}} == {}


def test_each_stage_imports_only_earlier_stages():
    imports = layer_imports()
    offenders = {}
    for f, layers in imports.items():
        layer = FOLDERS[f.split("/")[0]]
        if layer in MAY_IMPORT:
            extra = layers - {"core"} - MAY_IMPORT[layer]
            if extra:
                offenders[f] = sorted(extra)
    assert offenders == {}
    assert "curation" in imports["splits/official_import.py"]  # the walk sees real cross-stage imports


def test_only_the_app_and_the_tests_import_the_doubles():
    imports = layer_imports()
    users = sorted(f for f, layers in imports.items() if "testing" in layers and FOLDERS[f.split("/")[0]] != "app")
    assert users == []
    assert "testing" in imports["app/demo.py"]


def test_nothing_imports_the_old_names():
    old = [a.removesuffix(".py").replace("/", ".") for a in ALIASES if a != "ovavel/__main__.py"]
    names = ["ovavel." + n if not n.startswith("ovavel.") else n for n in old]
    used = []
    for folder in [*FOLDERS, "tests", "benchmarks"]:
        for path in sorted((REPO / folder).rglob("*.py")):
            if path.relative_to(REPO).as_posix() in ALIASES or path.name == "test_layers.py":
                continue
            text = path.read_text()
            used += [f"{path.relative_to(REPO)}: {n}" for n in names if re.search(rf"\b{re.escape(n)}\b", text)]
    assert used == []


def test_the_old_names_are_the_new_modules():
    import ovavel.app.cli
    import ovavel.app.demo
    import ovavel.cli
    import ovavel.demo

    assert ovavel.cli is ovavel.app.cli and ovavel.demo is ovavel.app.demo


def test_the_shared_marker_follows_the_fixture():
    import subprocess
    import sys

    listed = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "shared", "-p",
                             "no:cacheprovider", "tests/curation/test_index_catalog.py", "tests/core/test_catalog.py"],
                            cwd=REPO, capture_output=True, text=True).stdout
    assert "test_index_catalog.py::test_bundled_catalog_equals_one_built_from_the_release" in listed
    assert "test_index_catalog.py::test_filter_real_vggsound_index" in listed
    assert "test_bundled_catalog_shape" not in listed and "test_unknown_class_names_closest" not in listed
