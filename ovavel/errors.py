"""The toolkit's errors. Every message names the file (and line or id) and what was expected."""

from __future__ import annotations


class OvavelError(Exception):
    """Base class: a problem a user can fix (bad argument, malformed file). The CLI prints it and
    exits non-zero without a traceback."""


class InputError(OvavelError):
    """A malformed input file or value."""

    def __init__(self, message: str, *, path: object | None = None, line: int | None = None):
        where = ""
        if path is not None:
            where = f"{path}"
            if line is not None:
                where += f", line {line}"
            where += ": "
        super().__init__(where + message)
        self.path = path
        self.line = line



class DiskFull(OvavelError):
    """The machine's problem, not an item's: out of space (ENOSPC) or over quota (EDQUOT). A long run
    stops, records nothing permanent, and a rerun after freeing space finishes the work."""

    def __init__(self, path: object):
        super().__init__(f"disk full at {path}: free space and rerun the same command (finished work is kept)")
        self.path = path
