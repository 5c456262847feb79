"""The plugin mechanism the method and encoder registries share: a package whose modules register
entries by name at import; reading the registry imports every module of the package's path."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from typing import TypeVar

from ovavel.errors import OvavelError

T = TypeVar("T")


def add(registry: dict[str, T], name: str, entry: T, kind: str) -> T:
    """Register `entry` under `name`; a second, different entry of the same name is an error."""
    if name in registry and registry[name] is not entry:
        raise OvavelError(f"two {kind} are called {name!r}")
    registry[name] = entry
    return entry


def import_all(package: str, path: Iterable[str]) -> None:
    """Import every module of a package (and of any folder added to its path): they register."""
    for info in pkgutil.iter_modules(path):
        importlib.import_module(f"{package}.{info.name}")


def lookup(registry: dict[str, T], name: str, flag: str) -> T:
    if name not in registry:
        raise OvavelError(f"{flag}: expected one of {', '.join(sorted(registry))}, but got {name!r}")
    return registry[name]
