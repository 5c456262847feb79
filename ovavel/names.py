"""What a clip id, a class name and a label-version name may be: one rule each, applied where a
name enters (index, official import, labels, splits, predictions, corrections, feature stores,
results) and again by every function that turns a name into a path.

- **Clip id**: a YouTube id (11 characters of A-Z a-z 0-9 `_` `-`; 550 official ids start with
  `-`), optionally followed by `_{start:06d}` (the clips this toolkit builds). No dot, no slash, no
  space: an id is always a single, harmless file-name part, and a WebDataset key (everything before
  the first dot of a member name) is the whole id.
- **Class name**: 1 to 100 printable characters; spaces and commas allowed (VGGSound labels have
  them); no `/`, `\\`, control character, leading or trailing space, leading `-` or `.`. The official
  media layout uses class names as folder names (`<split>/audio/<class>/<id>.wav`): `class_dir`
  refuses any name outside this rule, so a name is never `..` or a path of several parts.
- **Version name**: 1 to 64 characters of A-Z a-z 0-9 `.` `_` `-`, starting with a letter or digit
  (so never `.`, `..` or an option).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ovavel.errors import InputError

CLIP_ID_RULE = "a YouTube id (11 characters of A-Z a-z 0-9 _ -), optionally followed by _ and 6 digits"
CLASS_NAME_RULE = ("1 to 100 printable characters without / or \\, not starting with '-', '.' or a space "
                   "and not ending with a space")
VERSION_RULE = "1 to 64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit"

_CLIP_ID = re.compile(r"[A-Za-z0-9_-]{11}(?:_[0-9]{6})?")
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MAX_CLASS_NAME = 100


def is_clip_id(value: object) -> bool:
    """True for a YouTube id, with or without `_{start:06d}`.

    >>> [is_clip_id(x) for x in ("-abcdefghij", "abcdefghijk_000030", "a.b_000000", "../x", "")]
    [True, True, False, False, False]
    """
    return isinstance(value, str) and _CLIP_ID.fullmatch(value) is not None


def is_class_name(value: object) -> bool:
    """
    >>> [is_class_name(x) for x in ("bird chirping, tweeting", "..", "a/b", " dog", "-x", "")]
    [True, False, False, False, False, False]
    """
    return (isinstance(value, str) and 0 < len(value) <= MAX_CLASS_NAME and value.isprintable()
            and "/" not in value and "\\" not in value and value[0] not in "-. " and not value.endswith(" "))


def is_version_name(value: object) -> bool:
    """
    >>> [is_version_name(x) for x in ("v2", "fix-2026.11", "..", " ", "../other")]
    [True, True, False, False, False]
    """
    return isinstance(value, str) and _VERSION.fullmatch(value) is not None and value not in (".", "..")


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "...'"


def check_clip_id(value: object, *, path: object | None = None, line: int | None = None,
                  what: str = "clip id") -> str:
    """`value` if it is a clip id, else an InputError naming the file, line and value."""
    if not is_clip_id(value):
        raise InputError(f"{what} {_shown(value)}: expected {CLIP_ID_RULE}", path=path, line=line)
    return value  # type: ignore[return-value]


def check_class_name(value: object, *, path: object | None = None, line: int | None = None) -> str:
    if not is_class_name(value):
        raise InputError(f"class name {_shown(value)}: expected {CLASS_NAME_RULE}", path=path, line=line)
    return value  # type: ignore[return-value]


def check_version_name(value: object, *, what: str = "version name") -> str:
    if not is_version_name(value):
        raise InputError(f"{what} {_shown(value)}: expected {VERSION_RULE}")
    return value  # type: ignore[return-value]


def clip_path(folder: str | os.PathLike, clip_id: str, suffix: str = "") -> Path:
    """`folder/{clip_id}{suffix}`, refusing anything that is not a clip id (whoever called)."""
    return Path(folder) / f"{check_clip_id(clip_id)}{suffix}"


def class_dir(folder: str | os.PathLike, name: str) -> Path:
    """`folder/{class name}` (the official media layout), refusing names outside the rule."""
    return Path(folder) / check_class_name(name)


def version_dir(folder: str | os.PathLike, name: str) -> Path:
    return Path(folder) / check_version_name(name)
