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

