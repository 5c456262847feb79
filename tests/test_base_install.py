"""A base install (`pip install ovavel`, no extras) explains itself: the wheel built from this
checkout, installed into a fresh virtualenv. The base dependencies come from the development
virtualenv (no network in CI); the extras' modules (torch, ImageBind, label-studio-sdk, ...) are
made unimportable there, as on a machine without them."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

from ovavel.extras import EXTRA_OF

from .conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def base_install(tmp_path_factory):
    root = tmp_path_factory.mktemp("base-install")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(root / "dist")], check=True, capture_output=True)
    wheel = next((root / "dist").glob("ovavel-*.whl"))
    venv.create(root / "venv", with_pip=True)
    py = root / "venv" / "bin" / "python"
    subprocess.run([py, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True,
                   capture_output=True)
    site = Path(subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "base_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    (site / "sitecustomize.py").write_text(textwrap.dedent(f"""
        import importlib.abc, sys
        class _NoExtras(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {sorted(EXTRA_OF)!r}:
                    raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        sys.meta_path.insert(0, _NoExtras())
        """))
    return root, wheel


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(root / "venv" / "bin" / "ovavel"), *args], capture_output=True, text=True, cwd=root)


def test_commands_that_need_an_extra_say_which_in_one_line(base_install, tmp_path):
    root, wheel = base_install
    (root / "s.csv").write_text("clip_id\n")
    feats = root / "feats"
    feats.mkdir(exist_ok=True)
    cases = [
        (["baseline", "train", "--features", str(feats), "--train", "s.csv", "--val", "s.csv", "--labels", "s.csv",
          "--out", "r"], "`ovavel baseline train` needs torch (the models extra): pip install 'ovavel[models]'"),
        (["baseline", "eval", "--method", "fine-tuned", "--features", str(feats), "--split", "s.csv", "--labels",
          "s.csv", "--out", "r"], "`ovavel baseline eval` needs torch (the models extra): pip install 'ovavel[models]'"),
        (["predict", "s.csv", "--classes", "dog barking", "--out", "p"],
         "`ovavel predict` needs torch (the models extra): pip install 'ovavel[models]'"),
        (["demo", "--out", "d"], "`ovavel demo` needs torch (the models extra): pip install 'ovavel[models]'"),
    ]
    for args, message in cases:
        r = run(root, *args)
        assert r.returncode == 1 and r.stderr.strip().splitlines()[-1] == f"Error: {message}", (args, r.stderr)
        assert "Traceback" not in r.stderr
    assert not (root / "d").exists()  # the demo stopped before making anything
    # What needs no extra works: scoring a predictions file.
    (root / "labels.csv").write_text("clip_id,class,labels\nvvvvvvvvvv1,dog barking,0011110000\n")
    (root / "pred.csv").write_text("clip_id," + ",".join(f"seg_{k}" for k in range(10)) + "\nvvvvvvvvvv1,"
                                   + ",".join(["background"] * 10) + "\n")
    r = run(root, "metrics", "--pred", "pred.csv", "--labels", "labels.csv", "--out", "res")
    assert r.returncode == 0, r.stderr
    assert (root / "res" / "report.json").exists()


def test_the_wheel_carries_its_data_files_and_the_app(base_install):
    root, wheel = base_install
    names = zipfile.ZipFile(wheel).namelist()
    for name in ("ovavel/annotation/label_studio_guard/ovavel_ls_guard.py", "ovavel/data/dataset_card.md",
                 "ovavel/data/classes.csv", "ovavel/app/cli.py", "ovavel/app/demo.py"):
        assert name in names
    r = subprocess.run([str(root / "venv" / "bin" / "python"), "-c", "from ovavel.splits.hf_card import card_template; "
                        "print(card_template().template.splitlines()[0])"], capture_output=True, text=True, cwd=root)
    assert r.stdout == "---\n", r.stderr
