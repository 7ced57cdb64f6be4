"""A minimal progress bar: shown on a terminal, silent under --json or a pipe."""

from __future__ import annotations

import sys
import time


class Progress:
    """Progress over ``total`` units of work, written to stderr.

    Silent when ``quiet`` or when stderr is not a terminal, so scripted runs
    and ``--json`` output stay clean.
    """

    def __init__(self, total: int, label: str, quiet: bool = False, stream=None):
        self.total, self.label, self.done = max(int(total), 1), label, 0
        self.stream = stream or sys.stderr
        self.active = not quiet and self.stream.isatty()
        self.start = time.perf_counter()

    def update(self, n: int = 1) -> None:
        self.done = min(self.done + n, self.total)
        if self.active:
            frac = self.done / self.total
            bar = "#" * int(30 * frac)
            elapsed = time.perf_counter() - self.start
            self.stream.write(f"\r{self.label} [{bar:<30}] {100 * frac:5.1f}% {elapsed:6.1f}s")
            self.stream.flush()

    def close(self) -> None:
        if self.active:
            self.stream.write("\n")
            self.stream.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
