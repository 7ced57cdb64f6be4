"""Running a loaded basin kernel module over many starts: chunks on every core.

A kernel module (`eqselect.numerics.dynamics.kernels.fused`,
`eqselect.numerics.dynamics.kernels.chain`) exposes ``run(x0, steps, q,
final, first_hit, start)``, a compiled loop that releases the GIL;
`run_compiled` hands it chunks of starts on one thread per core. Nothing
here derives or generates anything: a process that has a kernel module from
the disk cache runs it without importing sympy (docs/architecture.md, "5. Dynamics").
"""

from __future__ import annotations

import importlib.util
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["CHUNK", "available", "run_compiled", "stopping", "threads"]

#: Starts per chunk handed to one kernel call (one thread runs one chunk).
CHUNK = 1 << 14
#: The stop event of the `run_compiled` call a worker thread runs a chunk for.
_RUN = threading.local()


def stopping() -> bool:
    """Whether the `run_compiled` call this thread runs a chunk for is stopping
    (Ctrl-C, a failed chunk): a kernel whose call is long (a network's,
    `eqselect.numerics.network.kernel`) asks between slices of its steps. Each
    call has its own event, so a run stopping in one thread never cuts short
    another's."""
    event = getattr(_RUN, "stop", None)
    return event is not None and event.is_set()


def available() -> bool:
    """Whether numba can be imported (the compiled kernel's only requirement)."""
    return importlib.util.find_spec("numba") is not None


def run_compiled(module, x0, steps: int, q=(), progress=None, start: int = 0):
    """Run a kernel module over x0 in chunks: (final, first_hit).

    Parameters
    ----------
    module : a module from `compiled_kernel`
    x0 : array_like, shape (n, d)
    steps : int
    q : sequence of float
        Values of the kernel's run-time symbols, in the order of its ``extras``.
    progress : object with ``update(n)`` or None
    start : int
        The schedule's step at x0: the run takes steps start .. start + steps - 1
        (lr_k, lambda_k), and first-hit steps count from 0 at x0.
    """
    x0 = np.ascontiguousarray(x0, dtype=float)
    q = np.ascontiguousarray(q, dtype=float).reshape(-1)
    final, hit = np.empty_like(x0), np.empty(len(x0), dtype=np.int64)

    stop = threading.Event()

    def work(part):
        _RUN.stop = stop
        try:
            module.run(x0[part], int(steps), q, final[part], hit[part], int(start))
        finally:
            _RUN.stop = None
        return part.stop - part.start

    workers = threads()
    size = max(256, min(CHUNK, -(-len(x0) // (4 * workers))))  # >= 4 chunks a thread
    parts = [slice(a, min(len(x0), a + size)) for a in range(0, len(x0), size)]
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        for done in pool.map(work, parts):
            if progress is not None:
                progress.update(done)
    except BaseException:  # Ctrl-C, or a chunk that failed: run no chunk not yet begun
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return final, hit.astype(int, copy=False)


def threads() -> int:
    """Threads running kernel chunks: ``NUMBA_NUM_THREADS`` when set (as numba reads
    it), else the cores this process may run on."""
    given = os.environ.get("NUMBA_NUM_THREADS", "").strip()
    if given.isdigit() and int(given) > 0:
        return int(given)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # no affinity call (macOS, Windows)
        return max(1, os.cpu_count() or 1)
