"""The optional parts of an install (pyproject's extras) and the one-line message when one is
missing: a command that needs an extra checks for it before it starts (`needs`), and any
command that still reaches a missing module of an extra says the same (ovavel.cli_common.Group)."""

from __future__ import annotations

import functools
import importlib.util

import click

from ovavel.errors import OvavelError

# extra -> the modules a command of it imports (the first missing one is named)
EXTRAS: dict[str, tuple[str, ...]] = {
    "models": ("torch", "torchvision", "torchaudio", "imagebind", "einops", "soundfile"),
    "annotation": ("label_studio_sdk",),
}
EXTRA_OF = {module: extra for extra, modules in EXTRAS.items() for module in modules} | {"transformers": "models"}


def missing_message(command: str, module: str, extra: str) -> str:
    return f"`{command}` needs {module} (the {extra} extra): pip install 'ovavel[{extra}]'"


def require(command: str, *extras: str) -> None:
    """Raise the one-line message when a module of one of `extras` is not importable."""
    for extra in extras:
        for module in EXTRAS[extra]:
            if not importable(module):
                raise OvavelError(missing_message(command, module, extra))


def importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def needs(*extras: str):
    """Decorator of a click command: check the extras before anything else runs."""
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            require(click.get_current_context().command_path, *extras)
            return fn(*args, **kwargs)
        return wrapper
    return decorate


def message_for(error: ModuleNotFoundError, command: str) -> str | None:
    """The one-line message for a module of an extra that was imported anyway, else None."""
    root = (error.name or "").split(".")[0]
    return missing_message(command, root, EXTRA_OF[root]) if root in EXTRA_OF else None
