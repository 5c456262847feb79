"""One writer per folder: an exclusive lock that the operating system releases when its holder
exits in any way (a kill -9 included), so a lock is never left stale.

The lock of FOLDER is the file `.FOLDER.lock` beside it (the same file whether or not FOLDER
exists yet, so a command that creates the folder and one that finds it take the same lock). It
holds the PID and command line of the holder, for the message a second writer gets.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import time
from pathlib import Path

from ovavel.errors import OvavelError


def lock_path(folder: str | os.PathLike) -> Path:
    folder = Path(folder).resolve()
    return folder.parent / f".{folder.name}.lock"


@contextlib.contextmanager
def folder_lock(folder: str | os.PathLike, wait: bool = False, echo=None):
    """Hold the exclusive lock of `folder` for the duration of the block; a second writer stops at
    once with the holder's PID and command, or with `wait` waits for it."""
    path = lock_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            if not wait:
                raise OvavelError(f"{Path(folder)} is being written by another process ({holder}); wait for it to "
                                  "finish, or pass --wait to queue behind it") from None
            if echo:
                echo(f"waiting for {holder} to finish with {Path(folder)} ...")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "command": command_words(sys.argv),
                                  "since": time.strftime("%Y-%m-%d %H:%M:%S")}).encode(), 0)
        yield path
    finally:
        os.close(fd)  # closing releases the lock


def command_words(argv: list[str]) -> str:
    """The program and its subcommands, up to the first option: the lock file is readable by the
    group, and an option's value may be a secret (`--token X`), so no option or value goes in.

    >>> command_words(["/x/.venv/bin/annotate", "export", "--token", "s3cret", "--round", "1"])
    'annotate export'
    """
    words = [os.path.basename(argv[0])] if argv else []
    for w in argv[1:]:
        if w.startswith("-"):
            break
        words.append(w)
    return " ".join(words)


def _holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        info = {}
    if not info:
        return "PID unknown"
    return f"PID {info.get('pid')}, `{info.get('command', '?')}`, since {info.get('since', '?')}"
