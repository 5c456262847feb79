"""Secrets and owner-only files: generated passwords and tokens, and where they are kept.

A generated secret is hexadecimal, so it never begins with "-" and no argument parser can take
it for an option, whatever value it takes. Secrets never go on a command line (any local user
reads those with `ps`): they reach other programs through the environment or a file that only
its owner can read.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from ovavel.tables import atomic_write_text


def new_secret(nbytes: int = 20) -> str:
    """A random secret of 2*nbytes characters from [0-9a-f] (never starting with "-")."""
    return secrets.token_hex(nbytes)


def private_dir(path: str | os.PathLike) -> Path:
    """Create `path` (and parents) and make it readable by its owner alone (0700)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def write_private_text(path: str | os.PathLike, text: str) -> None:
    """Write `text` atomically into a file only its owner can read or write (0600)."""
    atomic_write_text(path, text, private=True)  # created 0600 and renamed into place


def make_private_tree(root: str | os.PathLike) -> None:
    """Folders 0700 and files 0600 under `root` (for trees written by an older version)."""
    root = Path(root)
    if not root.exists():
        return
    root.chmod(0o700)
    for folder, dirs, files in os.walk(root):
        for d in dirs:
            os.chmod(os.path.join(folder, d), 0o700, follow_symlinks=False)
        for f in files:
            p = os.path.join(folder, f)
            if not os.path.islink(p):
                os.chmod(p, 0o600)


def read_or_create_secret(path: str | os.PathLike) -> str:
    """The secret kept in `path`, generated and written owner-only on first use."""
    path = Path(path)
    if path.exists():
        return path.read_text().strip()
    secret = new_secret()
    write_private_text(path, secret)
    return secret
