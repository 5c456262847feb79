"""Every command in the README and docs/*.md parses: it names a real command, uses only options that command
has, and gives every required one. (The commands themselves run in the stage tests, with the
loopback server for YouTube and the tiny model for ImageBind-Huge; this catches a README that
drifts from the code, and covers what cannot run here, such as multi-node torchrun.)"""

from __future__ import annotations

import re
import shlex

import click

from ovavel.app.cli import app

from .conftest import REPO

ENTRY = {"curate": ["curate"], "annotate": ["annotate"], "splits": ["splits"], "baseline": ["baseline"], "ovavel": []}


DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def readme_commands(paths=(REPO / "README.md",)) -> list[list[str]]:
    """The commands of the ```bash blocks of `paths` (the README by default)."""
    text = "\n".join(p.read_text() for p in paths)
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("  #")[0].strip()
            if not line or line.startswith("#"):
                continue
            words = shlex.split(line)
            if words[0] == "torchrun":  # torchrun [its options] -m ovavel ...
                words = ["ovavel"] + words[words.index("ovavel") + 1:]
            if words[0] in ENTRY:
                commands.append(words)
            elif words[0].startswith(".venv/bin/python") or words[0] == "make":
                continue
    return commands


def resolve(words: list[str]) -> tuple[click.Command, list[str]]:
    cmd: click.Command = app
    args = ENTRY[words[0]] + words[1:]
    while isinstance(cmd, click.Group) and args and not args[0].startswith("-"):
        assert args[0] in cmd.commands, f"no command {args[0]!r} in {cmd.name}"
        cmd, args = cmd.commands[args[0]], args[1:]
    return cmd, args


def test_readme_has_the_commands_of_every_stage():
    firsts = {tuple(c[:2]) for c in readme_commands()}
    for expected in [("curate", "download"), ("annotate", "export"), ("splits", "make"), ("baseline", "features"),
                     ("baseline", "train"), ("ovavel", "metrics"), ("ovavel", "predict")]:
        assert expected in firsts, expected


def test_every_readme_command_parses():
    for words in readme_commands(DOCS):  # the README and every page of docs/
        cmd, args = resolve(words)
        assert not isinstance(cmd, click.Group), f"{' '.join(words)}: names a group, not a command"
        names = {opt for p in cmd.params for opt in getattr(p, "opts", []) + getattr(p, "secondary_opts", [])}
        used = [a.split("=")[0] for a in args if a.startswith("-") and not re.fullmatch(r"-\d.*", a)]
        unknown = [a for a in used if a not in names]
        assert not unknown, f"{' '.join(words)}: unknown option(s) {unknown}"
        for p in cmd.params:
            if isinstance(p, click.Option) and p.required:
                assert any(o in used for o in p.opts), f"{' '.join(words)}: missing required {p.opts[0]}"


def every_command(group: click.Group = app, path: tuple[str, ...] = ()):
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            yield from every_command(cmd, path + (name,))
        else:
            yield path + (name,), cmd


def test_every_help_example_parses():
    """The examples in every command's --help (of it, or of the command to run next) name real options
    and give the required ones (an example shortened with `...` is checked for its options only)."""
    checked = 0
    for path, cmd in every_command():
        epilog = cmd.epilog or ""
        assert "Examples:" in epilog, f"{' '.join(path)}: --help has no examples"
        for line in epilog.split("Examples:", 1)[1].strip().splitlines():
            words = [w for w in shlex.split(line.strip()) if w != "..."]
            if words[0] not in ENTRY and words[0] not in app.commands and words[0] != "torchrun":
                continue  # another program (python -m http.server ...)
            if words[0] == "torchrun":
                words = ["ovavel"] + words[words.index("ovavel") + 1:]
            target, args = resolve(words if words[0] in ENTRY else ["ovavel", *words])
            names = {o for p in target.params for o in getattr(p, "opts", []) + getattr(p, "secondary_opts", [])}
            used = [a.split("=")[0] for a in args if a.startswith("-") and not re.fullmatch(r"-\d.*", a)]
            assert not [a for a in used if a not in names], f"{line}: unknown option(s)"
            if "..." not in line:
                for p in target.params:
                    if isinstance(p, click.Option) and p.required:
                        assert any(o in used for o in p.opts), f"{line}: missing required {p.opts[0]}"
            checked += 1
    assert checked > 40


def test_links_between_the_docs_resolve():
    for page in DOCS:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / target).exists(), f"{page.name}: link to {target} goes nowhere"
