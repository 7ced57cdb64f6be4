"""The wall-clock budget of eqselect: one mechanism for every route and every check.

sympy's ``solve``, ``groebner`` and ``solve_poly_system`` cannot be
interrupted from inside: a thread cannot be killed, and a signal is not seen
while compiled code runs. Work under a budget therefore runs in a child
process that is stopped when the budget is spent:

1. `run_with_budget` forks (``os.fork``, so it also works in a dask worker
   process, whose ``multiprocessing`` refuses children) and the child
   sends back its value, or the exception it raised, pickled through a pipe;
2. the parent waits at most ``seconds`` for the answer, then kills the
   child; it answers a `Budgeted` record: finished or not, expired or not,
   the value or the error, and the time spent;
3. `call_with_budget` is the same as a call: the value, the child's own
   exception re-raised, or `TimeBudgetExceeded`.

The child is a copy of the calling thread only, so this works in any
thread (a sweep's cells run in dask's worker threads); a child stuck on a
lock held at the fork is stopped like any slow child. Without ``os.fork``
the work runs in-process: long loops call `check_deadline`, which raises
`TimeBudgetExceeded` once the time is spent; a late result is dropped.

`deadline` bounds a block of the main thread that cannot move to a child
(a derivation whose result is a large symbolic object) by the real-time
interval timer, never raised inside the deadline's own exits; in other
threads it leaves the block to the cooperative checks.
`eqselect.theory.limits` keeps the size limits and the default time limits.

The sizes of the work an option asks for (basin starts x steps x methods,
Monte-Carlo samples, Newton seeds, digits of precision) are estimated here,
from the arguments alone and before anything is allocated: `WORK_LIMITS`
holds the limits (docs/limits.md), `basin_work` and `seed_work` the
estimates, `check_work` the refusal, one line naming the option that raises
the limit.
"""

from __future__ import annotations

import contextvars
import os
import pickle
import select
import signal
import sys
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Callable

from eqselect.theory.errors import EqselectError, LimitError

#: Default seconds for an exact route (raise with ``--budget``).
DEFAULT_BUDGET = 5.0


class TimeBudgetExceeded(EqselectError):
    """A computation ran past its wall-clock budget."""


# -- Work sizes, estimated from the arguments before the work (docs/limits.md) --

@dataclass(frozen=True)
class WorkLimits:
    """The limits of the work one call may ask for (docs/limits.md).

    ``updates_per_second``: basin updates (one start, one step) per second on
    one core (301 x 301 starts x 1 000 steps of Stag Hunt: about 10 s);
    ``seed_seconds``: one Newton seed per policy parameter (the discounted
    IPD's 320 seeds in 10 parameters: about 14 s); ``bytes_per_coordinate``:
    memory of a basin run per start and coordinate (start, current and end
    point, step; float64); ``max_bytes``: memory one run may hold;
    ``library_seconds``: the time an estimate may reach where no time limit
    is in force (`eqselect.theory.limits.using(time_limit=...)` sets one);
    seeds are integers in [0, ``max_seed``] (32 bits); ``max_seeds`` Newton
    seeds per search; ``dps`` the (lowest, highest) digits of an mpmath
    evaluation; ``max_arc_steps`` the arc-length steps of one separatrix
    branch (25 000 by default); ``max_tau`` the largest entropy temperature
    (past 10^12 the payoffs fall below double precision beside the entropy
    term: the fixed-point search of tau = 10^32 fails).
    """

    updates_per_second: float = 1e7
    seed_seconds: float = 0.0044
    bytes_per_coordinate: int = 32
    max_bytes: int = 2 * 10**9
    library_seconds: float = 3600.0
    max_seed: int = 2**32 - 1
    max_seeds: int = 10_000
    dps: tuple = (5, 1000)
    max_tau: float = 1e12
    max_arc_steps: int = 10**7


#: The limits in force.
WORK_LIMITS = WorkLimits()


@dataclass(frozen=True)
class WorkEstimate:
    """What a call asks for, from its arguments: the work in the user's words,
    its seconds on one core, the bytes it holds at once, and the option (or
    keyword) that sets its size."""

    what: str
    seconds: float
    bytes: int
    option: str


def basin_work(starts: int, steps: int, dim: int, methods: int = 1,
               option: str = "steps") -> WorkEstimate:
    """The work of ``methods`` basin runs of ``starts`` starts x ``steps`` steps.

    Time is starts x steps x methods / ``updates_per_second``; memory is
    starts x dim x ``bytes_per_coordinate`` (one run at a time). Python
    integers: nothing is allocated, whatever the sizes.

    Examples
    --------
    >>> basin_work(441, 140, 2, 3).seconds < 0.1
    True
    >>> basin_work(10**9, 140, 2, option="--samples").bytes
    64000000000
    """
    lim = WORK_LIMITS
    updates = int(starts) * int(steps) * int(methods)
    per = f" x {methods} methods" if methods != 1 else ""
    return WorkEstimate(f"{starts} starts x {steps} steps{per}",
                        updates / lim.updates_per_second,
                        int(starts) * int(dim) * lim.bytes_per_coordinate, option)


def seed_work(n_seeds: int, dim: int, option: str = "n_seeds") -> WorkEstimate:
    """The work of a Newton search from ``n_seeds`` seeds in ``dim`` parameters."""
    return WorkEstimate(f"{n_seeds} Newton seeds in {dim} parameters",
                        int(n_seeds) * max(int(dim), 1) * WORK_LIMITS.seed_seconds,
                        int(n_seeds) * max(int(dim), 1) * 8 * 4, option)


def check_work(estimate: WorkEstimate, seconds: float | None, hint: str) -> None:
    """Refuse ``estimate`` past the time ``seconds`` (None: ``library_seconds``)
    or past ``max_bytes`` of memory, before any work.

    Raises
    ------
    LimitError
        One line: the work, its estimate, the limit, ``hint`` (how to raise
        the time limit) or, for memory, the option to lower.
    """
    limit = WORK_LIMITS.library_seconds if seconds is None else float(seconds)
    if estimate.bytes > WORK_LIMITS.max_bytes:
        raise LimitError(f"{estimate.what} needs about {estimate.bytes / 1e9:.3g} GB; eqselect "
                         f"holds at most {WORK_LIMITS.max_bytes / 1e9:g} GB at once (lower "
                         f"{estimate.option}; docs/limits.md)")
    if estimate.seconds > limit:
        raise LimitError(f"{estimate.what} takes about {estimate.seconds:.3g} s, past the "
                         f"time limit of {limit:g} s ({hint}; lower {estimate.option})")


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
    expired : bool
        True when the budget ran out (as opposed to the work raising).
    raised : BaseException or None
        The exception the work raised, when it raised one.
    """

    finished: bool
    value: object
    seconds: float
    error: str = ""
    expired: bool = False
    raised: BaseException | None = None


_DEADLINE = contextvars.ContextVar("eqselect_deadline", default=None)


def check_deadline() -> None:
    """Raise `TimeBudgetExceeded` when an in-process budget is spent (else nothing).

    Long loops call it between steps, so the in-process fallback of
    `run_with_budget` and `deadline` in a non-main thread stop cooperatively.
    """
    limit = _DEADLINE.get()
    if limit is not None and time.monotonic() > limit[0]:
        raise TimeBudgetExceeded(f"{limit[1]} did not finish within its budget of "
                                 f"{limit[2]:g} s")


def run_with_budget(fn, args=(), seconds: float = DEFAULT_BUDGET) -> Budgeted:
    """``fn(*args)`` in a forked child process, stopped after ``seconds``.

    The return value must be picklable (sympy expressions are).

    Examples
    --------
    >>> run_with_budget(sum, ([1, 2, 3],), 5.0).value
    6
    >>> run_with_budget(time.sleep, (10,), 0.2).expired
    True
    """
    start = time.monotonic()
    if not seconds > 0:
        return Budgeted(False, None, 0.0, f"no time budget ({seconds} s)", expired=True)
    if not hasattr(os, "fork"):
        return _in_process(fn, args, seconds, start)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer once, never return into the parent's code
        os.close(read)
        _quiet_signals()
        _answer(write, fn, args)
    os.close(write)
    try:
        payload = _receive(read, seconds, start)
    finally:
        os.close(read)
        _stop(pid)
    spent = time.monotonic() - start
    if payload is None:
        return Budgeted(False, None, spent, f"stopped after the budget of {seconds:g} s",
                        expired=True)
    if not payload:
        return Budgeted(False, None, spent, "the exact route crashed")
    ok, value = pickle.loads(payload)
    if ok:
        return Budgeted(True, value, spent)
    return Budgeted(False, None, spent, f"{type(value).__name__}: {value}", raised=value)


def _quiet_signals() -> None:
    """In the child: Ctrl-C reaches the whole process group, and the parent
    answers it (and stops the child); the child ignores it rather than print
    a second line, and SIGTERM ends it at once."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except ValueError:  # not the main thread of the interpreter: handlers stay
        pass


def _answer(fd, fn, args) -> None:
    """In the child: run, pickle (ok, value-or-exception), write, exit at once."""
    code = 0
    try:
        try:
            out = pickle.dumps((True, fn(*args)))
        except BaseException as exc:  # noqa: BLE001 -- every failure goes to the parent
            try:
                out = pickle.dumps((False, exc))
            except Exception:  # noqa: BLE001 -- an exception that does not pickle
                out = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
        view = memoryview(out)
        while view:
            view = view[os.write(fd, view):]
    except BaseException:  # noqa: BLE001 -- the parent sees an empty answer
        code = 1
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers


def _receive(fd, seconds, start) -> bytes | None:
    """Everything the child writes, or None when the budget runs out first."""
    chunks = []
    while True:
        left = seconds - (time.monotonic() - start)
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _stop(pid) -> None:
    """Kill the child if it still runs and reap it."""
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def _in_process(fn, args, seconds, start) -> Budgeted:
    token = _DEADLINE.set((start + seconds, "the budgeted work", seconds))
    try:
        value = fn(*args)
    except TimeBudgetExceeded as exc:
        return Budgeted(False, None, time.monotonic() - start, str(exc), expired=True)
    except Exception as exc:  # noqa: BLE001 -- same contract as the forked route
        return Budgeted(False, None, time.monotonic() - start,
                        f"{type(exc).__name__}: {exc}", raised=exc)
    finally:
        _DEADLINE.reset(token)
    spent = time.monotonic() - start
    if spent > seconds:
        return Budgeted(False, None, spent, f"took {spent:.3g} s, over the budget of "
                                            f"{seconds:g} s (no fork: not stopped)", expired=True)
    return Budgeted(True, value, spent)


def call_with_budget(fn: Callable, seconds: float, what: str):
    """``fn()``, or `TimeBudgetExceeded` once it has run ``seconds`` of wall time.

    Runs ``fn`` through `run_with_budget`, so it works in any thread.

    Parameters
    ----------
    fn : callable
        Called without arguments; its value must be picklable.
    seconds : float
        The budget, > 0.
    what : str
        Named in the error.

    Raises
    ------
    TimeBudgetExceeded
        The call ran past its budget (it was stopped).
    Exception
        Whatever ``fn`` raised.

    Examples
    --------
    >>> call_with_budget(lambda: 6 * 7, 5.0, "the answer")
    42
    """
    run = run_with_budget(fn, (), seconds)
    if run.expired:
        raise TimeBudgetExceeded(f"{what} did not finish within its budget of {seconds:g} s")
    if run.raised is not None:
        raise run.raised
    if not run.finished:
        raise RuntimeError(f"{what}: {run.error}")
    return run.value


#: Seconds between repeats of an expired timer.
_REPEAT = 0.05
#: Code the timer never interrupts (a repeat in contextlib's exit would skip inner exits).
_UNWINDING = frozenset({__file__, __file__.replace("budget.py", "limits.py"),
                        contextmanager.__code__.co_filename})


class _Expired(BaseException):
    """Raised by the timer; a BaseException so that no ``except Exception`` in
    sympy or symengine swallows it. `deadline` turns it into `TimeBudgetExceeded`."""


def is_timer_expiry(exc: BaseException) -> bool:
    """Whether ``exc`` is a `deadline` timer's interruption (the timer repeats, so one
    swallowed by a garbage-collection callback is raised again in the block)."""
    return isinstance(exc, _Expired)


@contextmanager
def deadline(what: str, seconds: float | None, hint: str = ""):
    """Raise `TimeBudgetExceeded` if the block runs longer than ``seconds``.

    In the main thread a real-time timer interrupts the block, and again every
    50 ms while no expiry unwinds it (compiled code may swallow or convert one;
    an unwinding's except and finally clauses run whole); what the block raises
    or returns past the time is dropped for `TimeBudgetExceeded`. In another
    thread the block runs under the cooperative deadline of `check_deadline`.
    Deadlines nest: an inner one never outlives the enclosing one, which keeps
    counting. With ``seconds`` None the block runs unbounded.
    """
    if seconds is None:
        yield
        return
    if threading.current_thread() is not threading.main_thread():
        token = _DEADLINE.set((time.monotonic() + seconds, what, seconds))
        try:
            yield
        finally:
            _DEADLINE.reset(token)
        return
    with _interval_timer(what, seconds, hint):
        yield


@contextmanager
def _interval_timer(what, seconds, hint):
    state = {"armed": True, "fired": False}

    def expired(signum, frame):
        if (state["armed"] and frame.f_code.co_filename not in _UNWINDING
                and not isinstance(sys.exc_info()[1], _Expired)):
            state["fired"] = True
            raise _Expired()

    previous = signal.signal(signal.SIGALRM, expired)
    outer_left = signal.getitimer(signal.ITIMER_REAL)[0]  # an enclosing deadline, if any
    start = time.monotonic()
    # the timer repeats: compiled code that swallows one _Expired gets another
    signal.setitimer(signal.ITIMER_REAL, min(seconds, outer_left) if outer_left else seconds,
                     _REPEAT)
    try:
        yield
    except BaseException:
        state["armed"] = False
        if not state["fired"]:
            raise
    finally:
        state["armed"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_left:  # the enclosing deadline keeps counting
            signal.setitimer(signal.ITIMER_REAL,
                             max(outer_left - (time.monotonic() - start), 1e-3), _REPEAT)
    if state["fired"]:  # whatever escaped (or a result computed past an interruption) is dropped
        raise TimeBudgetExceeded(f"{what} did not finish within its budget of {seconds:g} s"
                                 + (f" ({hint})" if hint else ""))


# -- sweep limits (docs/sweep.md, "Limits") ------------------------------------
#: Cells of one sweep unless ``--max-cells`` says otherwise (methods x axes x lambda,
#: counted from the N of each axis before any value is built).
SWEEP_MAX_CELLS = 1_000_000
#: The most ``--max-cells`` accepts: the client keeps a few floats per cell for
#: the heat maps (about 100 bytes a cell, 1 GB here).
SWEEP_MAX_CELLS_CEILING = 10_000_000
#: LocalCluster worker processes per core at most (``--workers``); each
#: process holds the toolkit (about 150 MB), so more than the cores only costs memory.
SWEEP_WORKERS_PER_CORE = 1
#: ``--workers`` accepts at least this many on any machine.
SWEEP_MIN_WORKER_LIMIT = 2
#: Default seconds to reach a dask scheduler (``--connect-timeout``), and the most allowed.
SWEEP_CONNECT_TIMEOUT = 10.0
SWEEP_MAX_CONNECT_TIMEOUT = 600.0


__all__ = ["Budgeted", "DEFAULT_BUDGET", "TimeBudgetExceeded", "WORK_LIMITS", "WorkEstimate",
           "WorkLimits", "basin_work", "call_with_budget", "check_deadline", "check_work",
           "deadline", "run_with_budget", "seed_work"]
