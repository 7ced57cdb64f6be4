"""Run an exact (symbolic) computation under a wall-clock budget that really stops it.

sympy's ``solve``, ``groebner`` and ``solve_poly_system`` cannot be
interrupted from inside: a thread cannot be killed and a signal is not seen
while C code runs. `run_with_budget` therefore runs the work in a forked
child process and terminates it when the budget is spent; the caller gets a
`Budgeted` answer saying whether it finished and how long it took. Where
``fork`` is not available the work runs in-process (the budget is then
only checked afterwards, and the answer says so).
"""

from __future__ import annotations

import multiprocessing as mp
import time
from dataclasses import dataclass

#: Default seconds for an exact route (raise with ``--budget``).
DEFAULT_BUDGET = 5.0


@dataclass(frozen=True)
class Budgeted:
    """The outcome of one budgeted computation.

    Attributes
    ----------
    finished : bool
        False when the budget ran out (the work was stopped) or it raised.
    value : object
        The work's return value (None unless finished).
    seconds : float
        Wall-clock time spent.
    error : str
        Why it did not finish ("" when it did).
    """

    finished: bool
    value: object
    seconds: float
    error: str = ""


def _child(conn, fn, args):
    try:
        conn.send((True, fn(*args)))
    except BaseException as exc:  # noqa: BLE001 -- report every failure to the parent
        conn.send((False, f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def run_with_budget(fn, args=(), seconds: float = DEFAULT_BUDGET) -> Budgeted:
    """``fn(*args)`` in a forked process, stopped after ``seconds``.

    The return value must be picklable (sympy expressions are).

    Examples
    --------
    >>> run_with_budget(sum, ([1, 2, 3],), 5.0).value
    6
    >>> run_with_budget(time.sleep, (10,), 0.2).finished
    False
    """
    start = time.monotonic()
    if not seconds > 0:
        return Budgeted(False, None, 0.0, f"no time budget ({seconds} s)")
    try:
        ctx = mp.get_context("fork")
    except ValueError:
        return _in_process(fn, args, seconds, start)
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args), daemon=True)
    proc.start()
    child.close()
    try:
        ready = parent.poll(seconds)
        if ready:
            ok, value = parent.recv()
            return Budgeted(ok, value if ok else None, time.monotonic() - start,
                            "" if ok else value)
        return Budgeted(False, None, time.monotonic() - start,
                        f"stopped after the budget of {seconds:g} s")
    except EOFError:
        return Budgeted(False, None, time.monotonic() - start, "the exact route crashed")
    finally:
        parent.close()
        if proc.is_alive():
            proc.terminate()
        proc.join(1.0)
        if proc.is_alive():
            proc.kill()
            proc.join()


def _in_process(fn, args, seconds, start) -> Budgeted:
    try:
        value = fn(*args)
    except Exception as exc:  # noqa: BLE001 -- same contract as the forked route
        return Budgeted(False, None, time.monotonic() - start, f"{type(exc).__name__}: {exc}")
    spent = time.monotonic() - start
    if spent > seconds:
        return Budgeted(False, None, spent, f"took {spent:.3g} s, over the budget of "
                                            f"{seconds:g} s (no fork: not stopped)")
    return Budgeted(True, value, spent)


__all__ = ["Budgeted", "DEFAULT_BUDGET", "run_with_budget"]
