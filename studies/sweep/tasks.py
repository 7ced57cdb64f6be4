"""A sweep's missing chunks as tasks: sized by measured work, run serially or on dask.

A cell is evaluated by `evaluate_chunk` (fixed points, basins and, when the
spec asks, the alignment verdicts); a dask task is `evaluate_chunks`, which
first checks that the worker runs the client's eqselect.

A task is a run of chunks. Its size follows the measured cost of the cells:
the first tasks hold one chunk each; from then on a task holds as many chunks
as take about ``target`` seconds at the median cost per cell of the last
``WINDOW`` tasks (compile time, which only the first tasks of a worker pay,
drops out of the median), and never more than an even share of what is left
per worker, so the last tasks still spread over the cluster.
"""

from __future__ import annotations

import statistics
import time
from collections import deque
from typing import Callable

from eqselect.theory.budget import TimeBudgetExceeded
from eqselect.theory.errors import EqselectError
from eqselect.theory.rules import Rule

from eqselect.studies.sweep.cell import CellOptions, GameSpec, eqselect_version, evaluate_cell
from eqselect.studies.sweep.cluster import ClusterError
from eqselect.studies.sweep.files import chunk_body_text
from eqselect.studies.sweep.grid import SweepSpec
from eqselect.studies.sweep.network import evaluate_network_cell, spec_data
from eqselect.studies.sweep.verdicts import SLOT

def game_spec(spec: SweepSpec) -> GameSpec:
    """The spec's game as the cells load it: name, parameterisation, digest and text."""
    return GameSpec(spec.game, spec.parameterization, spec.game_digest, spec.game_text)


def _cell_args(spec: SweepSpec, index: int):
    method, values, lam = spec.cell(index)
    options = CellOptions(eta=spec.eta, grid=spec.grid, steps=spec.steps,
                          schedule=spec.schedule)
    return (game_spec(spec), values, Rule(method, lam=lam, own_coef=spec.own_coef), options)


def evaluate_chunk(spec: SweepSpec, k: int) -> list:
    """The cells of chunk ``k`` as JSON data, each with its ``index`` and, when
    the spec asks for them, its alignment verdicts."""
    cells, network = [], spec_data(game_spec(spec)) is not None
    for i in spec.chunk(k):
        gs, values, rule, options = _cell_args(spec, i)
        if network:  # a game on a graph: the sparse cell (its verdicts are not swept)
            cells.append({"index": i, **evaluate_network_cell(gs, values, rule, options)})
            continue
        cell = {"index": i, **evaluate_cell(gs, values, rule, options).to_json()}
        if spec.verdicts is not None:
            cell[SLOT] = spec.verdicts.of_cell(gs, values, rule, options.eta)
        cells.append(cell)
    return cells


def evaluate_chunks(spec: SweepSpec, chunks: tuple, version: str) -> tuple[list, float]:
    """One dask task: ([(k, cell numbers, cells' text)], seconds spent) for
    consecutive chunks; the text is that of the chunk file (`chunk_body_text`),
    made on the worker so the client only checks and writes it.

    Raises
    ------
    ClusterError
        The worker runs another eqselect version than ``version`` (the client's).
    """
    mine = eqselect_version()
    if mine != version:
        raise ClusterError(f"a dask worker runs eqselect {mine}, the client {version}; "
                           f"install the same version on every worker")
    start = time.perf_counter()
    out = [(k, *chunk_body_text(evaluate_chunk(spec, k))) for k in chunks]
    return out, time.perf_counter() - start


#: Tasks whose cost per cell sizes the next task.
WINDOW = 16


class TaskPlan:
    """The chunks still to send, grouped into tasks of about ``target`` seconds.

    Examples
    --------
    >>> plan = TaskPlan([0, 1, 2, 3, 4, 5, 6, 7], lambda k: 10, target=1.0)
    >>> plan.next_task()
    (0,)
    >>> plan.observe(10, 0.25)  # 25 ms a cell: 40 cells, 4 chunks, make a second
    >>> plan.next_task(workers=1)
    (1, 2, 3, 4)
    """

    def __init__(self, chunks, n_cells: Callable[[int], int], target: float):
        self._queue = deque(chunks)
        self._n_cells, self.target = n_cells, float(target)
        self._per_cell: deque = deque(maxlen=WINDOW)

    def __bool__(self) -> bool:
        return bool(self._queue)

    def observe(self, n_cells: int, seconds: float) -> None:
        """Record that a task of ``n_cells`` cells took ``seconds``."""
        if n_cells > 0 and seconds > 0:
            self._per_cell.append(seconds / n_cells)

    def next_task(self, workers: int = 1) -> tuple:
        """The next task's chunks (consecutive, at least one)."""
        first = self._queue.popleft()
        task, cells = [first], self._n_cells(first)
        if not self._per_cell:
            return tuple(task)
        budget = self.target / statistics.median(self._per_cell)
        share = max(1, -(-(len(self._queue) + 1) // max(1, workers)))
        while (self._queue and len(task) < share and self._queue[0] == task[-1] + 1
               and cells + self._n_cells(self._queue[0]) <= budget):
            k = self._queue.popleft()
            task.append(k)
            cells += self._n_cells(k)
        return tuple(task)


def stop_if_late(start: float, time_limit: float | None, store, spec) -> None:
    """Raise `TimeBudgetExceeded` once ``time_limit`` seconds have passed since ``start``."""
    if time_limit is not None and time.perf_counter() - start > time_limit:
        done = len(store.done())
        raise TimeBudgetExceeded(
            f"the sweep did not finish within --time-limit {time_limit:g} s: {done} of "
            f"{spec.n_chunks} chunks are stored; rerun the same command to resume")


def run_serial(spec, store, missing, on_chunk, limits) -> None:
    """Compute and store ``missing`` chunks in this process, in order (``limits`` as
    in `run_on_cluster`)."""
    _, time_limit, _, start = limits
    for k in missing:
        stop_if_late(start, time_limit, store, spec)
        store.write_chunk(k, evaluate_chunk(spec, k))
        on_chunk(k, len(spec.chunk(k)))


def task_error(exc: BaseException, chunks: tuple) -> BaseException:
    """The one-line error a failed task stands for."""
    if isinstance(exc, (EqselectError, ClusterError)):
        return exc
    name = type(exc).__name__
    where = f"chunk {chunks[0]}" + (f"-{chunks[-1]}" if len(chunks) > 1 else "")
    if "Cancelled" in name:  # its data went with the last worker holding it
        return ClusterError(f"the cluster dropped {where} (its workers or the scheduler were "
                            f"lost); the chunks stored so far are kept: rerun the same command "
                            f"to resume")
    if name == "KilledWorker":
        return ClusterError(f"dask workers died running {where} (dask gave up on it); the "
                            f"chunks stored so far are kept: rerun the same command to resume")
    if isinstance(exc, ImportError):
        return ClusterError(f"a dask worker cannot import eqselect to run {where}: {exc}")
    return ClusterError(f"a dask worker failed on {where}: {name}: {str(exc)[:200]}")


def run_on_cluster(spec, store, missing, on_chunk, cluster, limits) -> None:
    """Compute ``missing`` chunks on ``cluster`` and store each as it arrives.

    ``limits`` is (connect_timeout, time_limit, target seconds a task, the
    ``time.perf_counter()`` the sweep started at, from which ``time_limit`` counts).

    Raises
    ------
    ClusterError
        A task failed, or no worker was connected for ``connect_timeout`` s.
    TimeBudgetExceeded
        Past ``time_limit`` (the chunks stored stay).
    """
    from dask.distributed import wait

    timeout, time_limit, target, start = limits
    client = cluster.client
    spec_f = client.scatter(spec, broadcast=True, hash=False)
    plan = TaskPlan(missing, lambda k: len(spec.chunk(k)), target)
    flight, version, tag = {}, eqselect_version(), spec.digest()[:12]
    alone_since = None
    try:
        while plan or flight:
            workers = cluster.n_workers()
            while plan and len(flight) < 2 * max(workers, 1):
                ks = plan.next_task(workers)
                fut = client.submit(evaluate_chunks, spec_f, ks, version, pure=False,
                                    key=f"eqselect-sweep-{tag}-{ks[0]}-{ks[-1]}")
                flight[fut] = ks
            try:
                done, _ = wait(list(flight), timeout=0.5, return_when="FIRST_COMPLETED")
            except TimeoutError:
                done = ()
            except Exception:  # noqa: BLE001 -- cancelled futures: each says why below
                done = [f for f in flight if f.status != "pending"]
            for fut in done:
                _store_result(fut, flight.pop(fut), store, plan, on_chunk)
            alone_since = None if workers else (alone_since or time.perf_counter())
            if alone_since is not None and time.perf_counter() - alone_since > timeout:
                raise ClusterError(f"no dask worker has been connected for {timeout:g} s "
                                   f"(--connect-timeout); the chunks stored so far are kept: "
                                   f"rerun the same command to resume")
            stop_if_late(start, time_limit, store, spec)
    finally:
        try:
            client.cancel(list(flight) + [spec_f], force=True)
        except BaseException:  # noqa: BLE001 -- a lost scheduler has nothing to cancel
            pass


def _store_result(fut, chunks, store, plan, on_chunk) -> None:
    try:
        results, seconds = fut.result(timeout=60)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 -- erred, cancelled, lost: one line each
        raise task_error(exc, chunks) from None
    fut.release()
    n = 0
    for k, indices, body in results:
        store.write_chunk_text(k, indices, body)
        on_chunk(k, len(indices))
        n += len(indices)
    plan.observe(n, seconds)
