"""`ovavel demo` end to end (with the session's Label Studio), and its report's sections and figures."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from ovavel.cli import app
from ovavel.demo import run_demo

from .conftest import REPO, shared_root

pytest.importorskip("torch", reason="the demo runs the baselines: needs ovavel[models]")
pytestmark = pytest.mark.slow


def test_demo_report(label_studio, tmp_path, ffmpeg_available):
    shared = shared_root() / "data"
    out = tmp_path / "demo_out"
    lines = []
    report = run_demo(out, app, shared if shared.is_dir() else None, ls_url=label_studio.url, ls_token=label_studio.token,
                      epochs=3, echo=lambda m="": lines.append(str(m)))
    text = report.read_text()
    for section in ("## 1. Curation", "## 2. Annotation", "## 3. Splits", "## 4. Baselines on the test split",
                    "## 5. Timelines of test clips", "## Commands run"):
        assert section in text
    assert "RANDOM WEIGHTS" in text and "SCRIPTED ANNOTATORS" in text
    assert "### Training-free ImageBind" in text and "### Fine-tuned ImageBind" in text
    assert len(re.findall(r"^\| (seen|unseen|total) \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| \d+ \|$", text, re.M)) == 6
    assert re.search(r"^ok\s+12$", text, re.M)
    if shared.is_dir():  # the real videos end as too short and without audio
        assert re.search(r"^too_short\s+1$", text, re.M) and re.search(r"^no_audio\s+1$", text, re.M)
    images = re.findall(r"!\[[^\]]*\]\((figures/[^)]+\.png)\)", text)
    assert len(images) == 6 and all((out / p).read_bytes()[:4] == b"\x89PNG" for p in images)
    # Every stage's command was printed as it ran, and listed in the report.
    for cmd in ("curate download", "curate segments", "curate check", "annotate export", "annotate import",
                "annotate reconcile", "splits make", "baseline features", "baseline eval", "baseline train"):
        assert any(click.unstyle(line).strip().startswith(f"$ {cmd}") for line in lines), cmd
        assert f"$ {cmd}" in text
    # The results browser was written over the test split, both methods and the annotation rounds.
    site = (out / "site" / "data.js").read_text()
    assert (out / "site" / "index.html").exists() and '"name":"training-free"' in site and '"name":"fine-tuned"' in site
    assert '"scripted":true' in site  # the site says the answers were scripted, as report.md does
    assert '"annotation":{"agreement":' in site and any(line.startswith("$ browse") for line in
                                                         map(lambda m: click.unstyle(m).strip(), lines))
    labels = (out / "data" / "annotation" / "labels.csv").read_text().splitlines()
    assert len(labels) == 13 and labels[0] == "clip_id,class,labels,provenance"


def python_examples() -> list[str]:
    """Every ```python block of the README and docs/."""
    texts = [(REPO / "README.md").read_text()] + [p.read_text() for p in sorted((REPO / "docs").glob("*.md"))]
    return [block for text in texts for block in re.findall(r"```python\n(.*?)```", text, re.S)]


def test_readme_python_examples_run(label_studio, tmp_path, ffmpeg_available, monkeypatch):
    """Each example runs as written, in a folder laid out as the README's paths say (data/ovave,
    splits/v1, results/..., release/), made by the demo and `splits export-hf`."""
    pytest.importorskip("datasets", reason="the loading example uses datasets (the dev extra)")
    pytest.importorskip("webdataset", reason="the loading example uses webdataset (the dev extra)")
    out = tmp_path / "demo_out"
    run_demo(out, app, None, ls_url=label_studio.url, ls_token=label_studio.token, epochs=1, echo=lambda m="": None)
    work = tmp_path / "work"
    for link, target in [("data/ovave", out / "data"), ("splits/v1", out / "splits"),
                         ("results/training_free", out / "results" / "training_free"),
                         ("results/fine_tuned", out / "results" / "fine_tuned")]:
        (work / link).parent.mkdir(parents=True, exist_ok=True)
        (work / link).symlink_to(target)
    r = CliRunner().invoke(app, ["splits", "export-hf", "--splits", str(work / "splits/v1"), "--data",
                                 str(work / "data/ovave"), "--out", str(work / "release"), "--media", "segments"])
    assert r.exit_code == 0, r.output
    monkeypatch.chdir(work)
    examples = python_examples()
    assert len(examples) >= 3
    for code in examples:
        exec(compile(code, "README example", "exec"), {})
