"""Table I/O: CSV and JSONL, every value read as a string, every write atomic.

A labels value such as "0111000000" must never become a number, so nothing here converts types.
Writes go to a temporary name beginning with a dot and are renamed into place, so a killed run
never leaves a half-written file under a final name.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

from ovavel.errors import InputError


def read_text(path: str | os.PathLike) -> str:
    """A UTF-8 text file, a byte-order mark dropped (editors on Windows write one); bytes that are
    not UTF-8 (a Latin-1 export, say) stop with the file and line."""
    path = Path(path)
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise InputError(f"byte 0x{data[e.start]:02x} is not UTF-8; save the file as UTF-8", path=path,
                         line=line) from None


def read_csv(path: str | os.PathLike, required: Sequence[str] = ()) -> list[dict[str, str]]:
    """Read a CSV with a header row into dicts of strings.

    Checks that the header holds every `required` column and that every row has as many fields
    as the header; errors name the file and line.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", path=path)
    with io.StringIO(read_text(path), newline="") as f:
        reader = csv.reader(f)
        try:
            header = next(reader)
        except StopIteration:
            raise InputError("empty file; expected a header row", path=path) from None
        header = [h.strip() for h in header]
        missing = [c for c in required if c not in header]
        if missing:
            raise InputError(
                f"missing column(s) {', '.join(missing)}; expected a header with "
                f"{', '.join(required)}, but got {', '.join(header)}",
                path=path,
                line=1,
            )
        rows = []
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                raise InputError(
                    f"expected {len(header)} fields, but got {len(row)}", path=path, line=reader.line_num
                )
            rows.append(dict(zip(header, row)))
    return rows


def csv_header(path: str | os.PathLike) -> list[str]:
    """The first row of a CSV file (empty for an empty file)."""
    with io.StringIO(read_text(path), newline="") as f:
        for row in csv.reader(f):
            return [h.strip() for h in row]
    return []


def current_umask() -> int:
    """The process umask (read from /proc where it can be, so no other thread sees it change)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def shared_mode(bits: int = 0o777) -> int:
    """`bits` less the umask: the mode a folder made with mkdtemp (0700) should have once it holds
    outputs for the group (0755 under umask 022)."""
    return bits & ~current_umask()


def _create_temp(path: Path, mode: int) -> tuple[int, str]:
    """A new dot-named `.part` file beside `path`, created with `mode` less the umask (mkstemp would
    make every output 0600, unreadable by the group that shares the folder)."""
    for _ in range(100):
        tmp = os.path.join(path.parent, f".{path.name}.{secrets.token_hex(4)}.part")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), mode), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], object], *, private: bool = False) -> None:
    """Write bytes through `write(file)` into a dot-named temporary file beside `path`, flush it to
    disk and rename it into place: readers see the old file or the whole new one, never a part.

    The file gets the mode the umask gives (0644 under umask 022: outputs are for the group that
    shares the folder); `private=True` makes it 0600 from its creation on (secrets)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temp(path, 0o600 if private else 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike, text: str, *, private: bool = False) -> None:
    """Write text (UTF-8) to `path` atomically (atomic_write)."""
    atomic_write(path, lambda f: f.write(text.encode("utf-8")), private=private)


def write_csv(path: str | os.PathLike, rows: Iterable[Mapping[str, object]], columns: Sequence[str]) -> None:
    """Write rows (dicts) with the given columns, atomically. Missing keys become empty strings."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    atomic_write_text(path, buf.getvalue())


def write_json(path: str | os.PathLike, obj: object) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=False) + "\n")


def append_jsonl(path: str | os.PathLike, record: Mapping[str, object]) -> None:
    """Append one JSON line and fsync it: an append-only log survives a kill at any moment
    (at worst its last line is cut short, which `read_jsonl` reports and skips)."""
    line = json.dumps(record, sort_keys=False) + "\n"
    with open(path, "a", encoding="utf-8") as f:
        f.write(line)
        f.flush()
        os.fsync(f.fileno())


def read_jsonl(path: str | os.PathLike, *, tolerate_torn_tail: bool = True) -> list[dict]:
    """Read a JSONL file. A torn last line (a run killed mid-write) is skipped; a malformed line
    elsewhere is an error naming the line."""
    path = Path(path)
    if not path.exists():
        return []
    records = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    # The text after the last newline is a line that was never finished.
    complete, tail = lines[:-1], lines[-1]
    for number, line in enumerate(complete, start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as e:
            raise InputError(f"malformed JSON line ({e.msg})", path=path, line=number) from None
    if tail.strip() and not tolerate_torn_tail:
        raise InputError("last line is incomplete", path=path, line=len(lines))
    return records


def repair_jsonl_tail(path: str | os.PathLike) -> bool:
    """Cut a torn last line (no final newline) off an append-only JSONL file before appending to
    it again, so the next record does not glue onto the fragment. Returns True if it cut."""
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return False
    with open(path, "rb+") as f:
        data = f.read()
        if data.endswith(b"\n"):
            return False
        f.truncate(data.rfind(b"\n") + 1)
    return True


def sha256_file(path: str | os.PathLike) -> str:
    """The sha256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()
