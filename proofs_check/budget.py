"""A wall-clock budget for a check that runs in any thread (a dask worker's too).

`eqselect.theory.limits.deadline` uses the real-time interval timer, which
only the main thread receives; a sweep's cells run in dask's worker threads.
`call_with_budget` works in every thread:

1. a timer thread waits ``seconds``;
2. if the call is still running then, the timer raises `_Expired` (a
   ``BaseException``, so no ``except Exception`` swallows it) in the calling
   thread, through CPython's ``PyThreadState_SetAsyncExc``; it takes effect at
   the next bytecode the thread runs (like a signal handler, it cannot stop
   one long call into compiled code; the checks interleave Python between
   such calls);
3. once the call has ended the timer is disarmed and any exception it set but
   not yet delivered is cleared, so nothing fires after the function returns;
4. whatever the call returned or raised after the time ran out is dropped and
   `TimeBudgetExceeded` raised instead.
"""

from __future__ import annotations

import ctypes
import threading
from typing import Callable

from eqselect.theory.limits import TimeBudgetExceeded


class _Expired(BaseException):
    """Raised in the calling thread when its budget runs out."""


def _set_async_exc(thread_id: int, exc) -> None:
    """Schedule ``exc`` in thread ``thread_id`` (None clears a pending one)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                               None if exc is None else ctypes.py_object(exc))


def call_with_budget(fn: Callable, seconds: float, what: str):
    """``fn()``, or `TimeBudgetExceeded` once it has run ``seconds`` of wall time.

    Parameters
    ----------
    fn : callable
        Called without arguments in this thread.
    seconds : float
        The budget, > 0.
    what : str
        Named in the error.

    Raises
    ------
    TimeBudgetExceeded
        The call ran past its budget (it was interrupted).

    Examples
    --------
    >>> call_with_budget(lambda: 6 * 7, 5.0, "the answer")
    42
    """
    tid, lock = threading.get_ident(), threading.Lock()
    state = {"armed": True, "fired": False}

    def fire():
        with lock:
            if state["armed"]:
                state["fired"] = True
                _set_async_exc(tid, _Expired)

    def disarm():
        with lock:
            state["armed"] = False
            if state["fired"]:
                _set_async_exc(tid, None)  # set but perhaps not delivered yet

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    outcome: dict = {}
    timer.start()
    try:
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised below unless the time ran out
            outcome["error"] = exc
        finally:
            disarm()
    except _Expired:  # delivered between the end of fn and the disarming
        disarm()
    timer.cancel()
    if state["fired"]:
        raise TimeBudgetExceeded(f"{what} did not finish within its budget of {seconds:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
