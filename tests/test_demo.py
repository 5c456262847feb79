"""`ovavel demo` end to end (with the session's Label Studio), and its report's sections and figures."""

from __future__ import annotations

import re
import shutil

import click
import pytest
from click.testing import CliRunner

from ovavel.app.cli import app
from ovavel.app.demo import run_demo

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
    # The shell examples that can run offline here: every input they name exists in the folder
    # (outputs: --out / -o), no network, cookies, weights, GPU or Label Studio server. Each runs in
    # a fresh copy of the folder, so one's outputs never change another's inputs.
    for name, target in [("classes.csv", out / "classes.csv"), ("classes.txt", out / "classes.txt")]:
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).symlink_to(target)
    ran = []
    for words in offline_commands(work):
        copy = tmp_path / f"run{len(ran)}"
        shutil.copytree(work, copy, symlinks=False)
        monkeypatch.chdir(copy)
        r = CliRunner().invoke(app, words[1:] if words[0] == "ovavel" else words)
        assert r.exit_code == 0, (" ".join(words), r.output[-2000:])
        ran.append(" ".join(words))
    assert len(ran) >= 8, ran


NOT_OFFLINE = ("--cookies", "--checkpoint", "cuda", "--push-to-hub", "--url", "--endpoint", "--official-root",
               "--official-meta", "--raw-videos")
OUTPUT_OPTIONS = ("--out", "-o", "--output")


def offline_commands(work) -> list[list[str]]:
    """The README's and docs' commands (as test_readme reads them) that need nothing this machine
    lacks: no network, cookies, weights, GPU or Label Studio server, and every input file present."""
    from .test_readme import DOCS, readme_commands

    out = []
    for words in readme_commands(DOCS):
        line = " ".join(words)
        if any(w in NOT_OFFLINE for w in words) or words[0] in ("annotate",) or "torchrun" in line:
            continue
        if words[:2] == ["curate", "download"] and "--url-template" not in words:
            continue  # YouTube
        if words[:2] in (["ovavel", "demo"], ["baseline", "llm-query"], ["baseline", "reproduce"]):
            continue  # covered by their own tests (a demo, an LLM server, the official features)
        inputs = [w for k, w in enumerate(words[1:], 1) if ("/" in w or w.endswith((".csv", ".txt", ".mp4")))
                  and not w.startswith("-") and words[k - 1] not in OUTPUT_OPTIONS]
        if all((work / w).exists() for w in inputs):
            out.append(words)
    return out
