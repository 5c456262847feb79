"""The class catalog: `name,vggsound_label,group,split` (DESIGN.md).

The bundled default (ovavel/data/classes.csv) holds the 67 OV-AVEBench classes. Names are the
OV-AVEBench display names ("bird chirping"); vggsound_label is the exact VGGSound string
("bird chirping, tweeting").
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ovavel.errors import InputError, OvavelError
from ovavel.names import check_class_name
from ovavel.tables import read_csv, read_text, write_csv

COLUMNS = ["name", "vggsound_label", "group", "split"]
GROUPS = ["human activity", "animal", "music", "vehicle", "other"]
# "other" and "background" are the background candidate texts; "background" and "unassigned" are
# values of predictions.csv. A class of one of these names would be read as background.
RESERVED_NAMES = ("other", "background", "unassigned")
SPLITS = ["seen", "unseen"]


@dataclass(frozen=True)
class EventClass:
    name: str
    vggsound_label: str
    group: str
    split: str


class ClassCatalog:
    """An ordered set of event classes, looked up by OV name or exact VGGSound label."""

    def __init__(self, classes: list[EventClass], source: str = "<catalog>"):
        self.classes = list(classes)
        self.source = source
        self._by_name: dict[str, EventClass] = {}
        self._by_label: dict[str, EventClass] = {}
        for c in self.classes:
            if c.name in self._by_name:
                raise InputError(f"duplicate class name {c.name!r}", path=source)
            self._by_name[c.name] = c
            if c.vggsound_label:
                self._by_label[c.vggsound_label] = c

    # -- lookup -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.classes)

    def __iter__(self):
        return iter(self.classes)

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.classes]

    def get(self, name: str) -> EventClass:
        try:
            return self._by_name[name]
        except KeyError:
            raise OvavelError(unknown_class_message(name, self.names, self.source)) from None

    def resolve(self, name_or_label: str) -> EventClass | None:
        """The class named by an OV name or an exact VGGSound label, else None."""
        return self._by_name.get(name_or_label) or self._by_label.get(name_or_label)

    def by_split(self, split: str) -> list[str]:
        return [c.name for c in self.classes if c.split == split]

    def subset(self, names: list[str]) -> "ClassCatalog":
        return ClassCatalog([self.get(n) for n in names], source=self.source)

    # -- I/O ----------------------------------------------------------------------------------
    @classmethod
    def read(cls, path: str | os.PathLike) -> "ClassCatalog":
        rows = read_csv(path, required=["name"])
        classes = []
        for line, row in enumerate(rows, start=2):
            split = row.get("split", "").strip()
            group = row.get("group", "").strip()
            if split and split not in SPLITS:
                raise InputError(f"split must be one of {SPLITS}, but got {split!r}", path=path, line=line)
            if not row["name"].strip():
                raise InputError("empty class name", path=path, line=line)
            check_class_name(row["name"].strip(), path=path, line=line)
            if row["name"].strip().lower() in RESERVED_NAMES:
                raise InputError(f"{row['name'].strip()!r} cannot be a class name: {', '.join(RESERVED_NAMES)} are "
                                 "the background texts and prediction values", path=path, line=line)
            classes.append(
                EventClass(row["name"].strip(), row.get("vggsound_label", "").strip(), group, split)
            )
        return cls(classes, source=str(path))

    def write(self, path: str | os.PathLike) -> None:
        write_csv(path, [c.__dict__ for c in self.classes], COLUMNS)


def bundled_catalog_path() -> Path:
    return Path(str(resources.files("ovavel") / "data" / "classes.csv"))


def load_catalog(path: str | os.PathLike | None = None) -> ClassCatalog:
    """The catalog at `path`, or the bundled 67 OV-AVEBench classes."""
    return ClassCatalog.read(path if path is not None else bundled_catalog_path())


def unknown_class_message(name: str, known: list[str], source: str | None = None) -> str:
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    hint = f"; closest known: {', '.join(repr(c) for c in close)}" if close else ""
    where = f" in {source}" if source else ""
    return f"unknown class {name!r}{where}{hint}"


def read_class_list(path: str | os.PathLike) -> list[str]:
    """A class list: one name per line (OV name or exact VGGSound label), '#' comments allowed.
    CRLF and a missing final newline are fine."""
    path = Path(path)
    if not path.is_file():
        raise InputError("class list not found", path=path)
    names = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        line = line.strip()
        if line and not line.startswith("#"):
            if line.lower() in RESERVED_NAMES:
                raise InputError(f"{line!r} cannot be a class name: {', '.join(RESERVED_NAMES)} are the background "
                                 "texts and prediction values", path=path, line=number)
            names.append(line)
    if not names:
        raise InputError("no class names (expected one name per line)", path=path)
    return names


def select_classes(names: list[str], catalog: ClassCatalog, source: str = "--classes") -> ClassCatalog:
    """Resolve a list of names (OV names or VGGSound labels) against the catalog; an unknown name
    stops with the closest known names."""
    chosen: list[EventClass] = []
    seen: set[str] = set()
    for n in names:
        c = catalog.resolve(n)
        if c is None:
            known = catalog.names + [c.vggsound_label for c in catalog if c.vggsound_label]
            raise OvavelError(unknown_class_message(n, known, source))
        if c.name not in seen:
            chosen.append(c)
            seen.add(c.name)
    return ClassCatalog(chosen, source=source)
