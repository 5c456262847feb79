"""The progress bar of a long command: one tqdm bar on stderr (none with --no-progress), and the
lines the command prints while it runs written above the bar rather than through it."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from tqdm import tqdm


@contextmanager
def progress_bar(total: int, desc: str, unit: str, enabled: bool = True,
                 echo: Callable[..., None] = print) -> Iterator[tuple[tqdm, Callable[..., None]]]:
    """(bar, echo): advance the bar with bar.update(); print with the echo given back."""
    bar = tqdm(total=total, desc=desc, unit=unit, disable=not enabled, dynamic_ncols=True)

    def above_the_bar(*args, **kwargs):
        with tqdm.external_write_mode():
            echo(*args, **kwargs)

    try:
        yield bar, above_the_bar if enabled else echo
    finally:
        bar.close()
