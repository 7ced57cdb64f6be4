"""The one wall-clock budget: a forked child that is stopped, in any thread and process."""

import multiprocessing as mp
import os
import threading
import time

import pytest
import sympy as sp

from eqselect.theory import budget
from eqselect.theory.budget import (TimeBudgetExceeded, call_with_budget, check_deadline,
                                    deadline, run_with_budget)


def _spin():
    while True:
        check_deadline()


def test_a_finished_call_returns_its_exact_value():
    x = sp.Symbol("x")
    run = run_with_budget(sp.solve, (x ** 2 - 2, x), 10.0)
    assert run.finished and not run.expired and run.raised is None
    assert sorted(run.value, key=float) == [-sp.sqrt(2), sp.sqrt(2)]


def test_the_child_is_stopped_at_the_budget():
    start = time.monotonic()
    run = run_with_budget(time.sleep, (30,), 0.3)
    assert run.expired and not run.finished and "budget of 0.3 s" in run.error
    assert time.monotonic() - start < 5


def test_the_childs_exception_is_raised_again_with_its_type():
    with pytest.raises(KeyError, match="missing"):
        call_with_budget(lambda: {}["missing"], 5.0, "a lookup")
    run = run_with_budget(int, ("x",), 5.0)
    assert isinstance(run.raised, ValueError) and run.error.startswith("ValueError")


def _in_daemon(queue):
    try:
        queue.put(call_with_budget(lambda: sum(range(10)), 5.0, "a sum"))
        call_with_budget(lambda: time.sleep(30), 0.3, "a sleep")
    except TimeBudgetExceeded as exc:
        queue.put(str(exc))


def test_a_daemonic_worker_process_may_use_the_budget():
    """dask's worker processes are daemonic: multiprocessing refuses their children,
    os.fork does not."""
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_in_daemon, args=(queue,), daemon=True)
    proc.start()
    got = [queue.get(timeout=30), queue.get(timeout=30)]
    proc.join(10)
    assert got == [45, "a sleep did not finish within its budget of 0.3 s"]


def test_without_fork_the_work_stops_at_a_cooperative_check(monkeypatch):
    monkeypatch.delattr(os, "fork")
    start = time.monotonic()
    run = run_with_budget(_spin, (), 0.2)
    assert run.expired and "budget of 0.2 s" in run.error
    assert time.monotonic() - start < 5
    assert run_with_budget(sum, ([1, 2],), 1.0).value == 3


def test_a_deadline_outside_the_main_thread_is_cooperative():
    out = []

    def work():
        try:
            with deadline("a spin", 0.2):
                _spin()
        except TimeBudgetExceeded as exc:
            out.append(str(exc))
        check_deadline()  # the deadline ended with its block
        out.append("after")

    th = threading.Thread(target=work)
    th.start()
    th.join(10)
    assert out == ["a spin did not finish within its budget of 0.2 s", "after"]


def test_the_main_thread_deadline_interrupts_python_code():
    start = time.monotonic()
    with pytest.raises(TimeBudgetExceeded, match="a loop"):
        with deadline("a loop", 0.2):
            while True:
                pass
    assert time.monotonic() - start < 5
    assert budget.DEFAULT_BUDGET == 5.0


def _busy(seconds: float = float("inf")) -> None:
    """Python code (interruptible between bytecodes) for ``seconds``, or forever."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        pass


def test_the_cleanup_of_an_interrupted_block_runs_whole():
    """The timer repeats every 50 ms in case compiled code swallowed its exception:
    a repeat landing in a ``finally`` clause run by the expiry's own unwinding
    skipped the rest of that clause (a wrapper recording the time, a lock's
    release). While an expiry unwinds the block, the repeats wait; once nothing
    unwinds, they interrupt again."""
    done, swallowed = [], []
    with pytest.raises(TimeBudgetExceeded):
        with deadline("a block with a long cleanup", 0.1):
            try:
                _busy()
            finally:
                _busy(0.3)  # six repeats of the timer
                done.append("the cleanup ran to its end")
    with pytest.raises(TimeBudgetExceeded):
        with deadline("a block that swallows an expiry", 0.1):
            try:
                _busy()
            except BaseException:  # noqa: BLE001 -- as compiled code may
                swallowed.append(True)
            _busy()  # a repeat stops this
    assert done == ["the cleanup ran to its end"] and swallowed == [True]


# -- Work sizes estimated from the arguments (docs/limits.md) --

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from eqselect.theory.errors import LimitError  # noqa: E402


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 10**12), st.integers(1, 10**12), st.integers(1, 12), st.integers(1, 12))
def test_basin_work_is_the_product_of_its_sizes(starts, steps, dim, methods):
    lim = budget.WORK_LIMITS
    w = budget.basin_work(starts, steps, dim, methods)
    assert w.seconds == pytest.approx(starts * steps * methods / lim.updates_per_second)
    assert w.bytes == starts * dim * lim.bytes_per_coordinate
    refused = w.bytes > lim.max_bytes or w.seconds > 300
    try:
        budget.check_work(w, 300, "raise it with --time-limit")
    except LimitError as exc:
        assert refused and "\n" not in str(exc)
        assert ("--time-limit" in str(exc)) == (w.bytes <= lim.max_bytes)
    else:
        assert not refused


def test_oversized_work_is_refused_and_the_papers_maps_are_not():
    paper = budget.basin_work(21 * 21, 140, 2, 3)  # the paper's map of three methods
    budget.check_work(paper, None, "")
    assert paper.seconds < 0.1
    for w in (budget.basin_work(9, 10**12, 2), budget.basin_work(10**10, 140, 2),
              budget.basin_work(10**9, 140, 2), budget.basin_work(1001**2, 10**5, 2, 3)):
        with pytest.raises(LimitError):
            budget.check_work(w, 600, "")
    with pytest.raises(LimitError, match="Newton seeds"):
        budget.check_work(budget.seed_work(10**9, 10), None, "")


def test_the_timer_never_interrupts_the_deadlines_own_exits():
    """A repeat landing in contextlib's exit (or budget's, or limits') would skip the
    inner exits and leave the timer running into whatever code comes next: the
    handler raises only in the block's own code."""
    import contextlib
    import inspect
    import signal

    from eqselect.theory import budget as b

    in_exit = type("Frame", (), {"f_code": contextlib.contextmanager.__code__})()
    reached = []
    with pytest.raises(b.TimeBudgetExceeded):
        with b.deadline("the guard", 30.0):
            handler = signal.getsignal(signal.SIGALRM)
            handler(signal.SIGALRM, in_exit)  # contextlib's code: nothing raised
            reached.append("past the exit's frame")
            with pytest.raises(BaseException) as caught:
                handler(signal.SIGALRM, inspect.currentframe())
            assert b.is_timer_expiry(caught.value)
    assert reached and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
