"""Run a sweep: chunks of cells, serially or on dask.distributed, into a store.

1. validate the spec before anything is written (game, symbols, methods);
   the game travels as its file's text and digest (`SweepSpec.game_text`),
   never as a path a worker would have to open;
2. reach the cluster (`eqselect.studies.sweep.cluster`): a scheduler that
   does not answer, a worker without eqselect or with another version is one
   line, and nothing is written;
3. open the store (`SweepStore`): lock the folder for this process, check its
   chunks (a damaged one is removed and computed again, with a note); a
   restart with the same arguments finds its finished chunks, other
   arguments are refused;
4. compute the missing chunks: in this process, or as dask tasks of several
   consecutive chunks each, sized from the measured cost of the cells so
   that a task takes about ``TASK_SECONDS`` (the first tasks hold one chunk
   and measure it); the spec is scattered to the workers once, at most
   two tasks per worker are queued, and each result is released
   as soon as its chunks are stored (`eqselect.studies.sweep.tasks`); a dead worker's tasks are retried by
   dask, and a cluster that loses every worker for ``connect_timeout``
   seconds stops the sweep with one line;
5. stream ``cells.json`` from the chunk files, in cell order, with the exact
   event curves (`eqselect.studies.sweep.events`).

The storage chunk (``--chunk``, part of the argument hash) and the task (a
run of chunks, not in the hash) are separate, so a sweep resumes on any
cluster and writes the same bytes. Workers keep the compiled field of each
rule in their process (`eqselect.studies.sweep.cell.kernel`, keyed by the
game's digest and the eqselect version), so a worker compiles it once.

When the spec asks for the alignment verdicts (``SweepSpec.verdicts``), the
worker computes each cell's A1-A3 with the checker right after its fixed
points and basins (`eqselect.studies.sweep.verdicts.cell_verdicts`, under its
per-cell budget) and stores them in the cell's ``alignment`` key.
"""

from __future__ import annotations

import os
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable

from eqselect.theory.budget import (
    SWEEP_MIN_WORKER_LIMIT, SWEEP_WORKERS_PER_CORE, deadline)
from eqselect.theory.errors import GameError, OptionsError
from eqselect.theory.rules import Rule
from eqselect.theory.serialize import document

from eqselect.numerics.dynamics.starts import action_blocks, probability_kind
from eqselect.studies.sweep.atlas import Atlas, read_atlas
from eqselect.studies.sweep.cell import ALIGNMENT_NOT_COMPUTED, outcome_names, sweep_game
from eqselect.studies.sweep.cluster import (
    ClusterError, ClusterHandle, ClusterOptions, check_scheduler, open_cluster)
from eqselect.studies.sweep.events import event_curves
from eqselect.studies.sweep.grid import SweepSpec
from eqselect.studies.sweep.network import empty_events, spec_data, validate_network
from eqselect.studies.sweep.store import CELLS, SweepStore, dumps
from eqselect.studies.sweep.tasks import (
    evaluate_chunk, evaluate_chunks, game_spec, run_on_cluster, run_serial)
from eqselect.studies.sweep.verdicts import SLOT

__all__ = ["CELLS", "ClusterError", "ClusterOptions", "SweepRun", "dumps", "evaluate_chunk",
           "evaluate_chunks", "cluster_options", "game_spec", "panel_values", "run_sweep",
           "validate",
           "worker_limit"]

#: Lambda panels drawn (and event curves computed) for a two-symbol sweep.
MAX_PANELS = 6
#: Wall-clock seconds a task aims at: long enough that dask's per-task cost
#: (a few ms) is small, short enough that work spreads over the workers.
TASK_SECONDS = 1.5


@dataclass(frozen=True)
class SweepRun:
    """What one call of `run_sweep` did.

    Attributes
    ----------
    out : Path
        The output folder (``cells.json`` in it).
    head : dict
        The contents of ``cells.json`` without its cells.
    computed_chunks, computed_cells : int
        Work done by this call (a resumed sweep computes only what was missing).
    seconds : float
        Wall time of the computation (not of the assembly).
    workers : int or None
        LocalCluster workers, 0 for serial, None on an existing scheduler.
    notes : tuple of str
        What the store found and redid (damaged chunks), for the user; not in
        ``cells.json``, whose bytes do not depend on the history of the folder.
    """

    out: Path
    head: dict
    computed_chunks: int
    computed_cells: int
    seconds: float
    workers: int | None
    notes: tuple = field(default=())

    @cached_property
    def document(self) -> dict:
        """The whole of ``cells.json``, read on first use (large for large sweeps)."""
        import json

        return json.loads((self.out / CELLS).read_text(encoding="utf-8"))

    @property
    def atlas(self) -> Atlas:
        """The document's cells and event curves as typed records (for the maps)."""
        return read_atlas(self.document)

    @property
    def cells_per_second(self) -> float | None:
        """Throughput of this call, None when nothing was computed."""
        return self.computed_cells / self.seconds if self.computed_cells and self.seconds else None


def validate(spec: SweepSpec) -> None:
    """Refuse a spec whose cells cannot be computed, before anything is written.

    Raises
    ------
    GameError, OptionsError
        Unknown game or symbol, or a game without a probability grid.
    """
    data = spec_data(game_spec(spec))
    if data is not None:  # a game on a graph: graph axes and payoff symbols
        validate_network(spec, game_spec(spec), data)
        return
    game = sweep_game(game_spec(spec))
    names = {s.name for s in game.free_symbols}
    for ax in spec.over:
        if ax.name not in names:
            raise OptionsError(f"--over {ax.name}: game {game.name!r} has no payoff symbol "
                               f"{ax.name!r}; symbols: {', '.join(sorted(names)) or 'none'}")
    probability_kind(game)
    if not game.strategies:
        raise GameError(f"game {game.name!r} has no policies; a sweep needs a finite game")
    wide = [(agent, m) for agent, _, _, m in action_blocks(game) if m > 2]
    if wide:  # the cells' square grid of starts fills the box, not each agent's simplex
        raise GameError(f"a sweep's grid of starts holds one probability per parameter, "
                        f"two actions per agent; game {game.name!r} gives agent "
                        f"{wide[0][0] + 1} {wide[0][1]} actions (eqselect basins takes "
                        f"slices of it: --axes, --fix)")


def worker_limit() -> int:
    """The most LocalCluster workers ``--workers`` accepts on this machine."""
    return max(SWEEP_MIN_WORKER_LIMIT, SWEEP_WORKERS_PER_CORE * (os.cpu_count() or 1))


def _events(spec: SweepSpec) -> tuple[dict, list]:
    """{method: [panel]} with each panel's exact curves, and the notes."""
    fixed_sets = [{}] if len(spec.over) == 1 else [
        {"lam": v} for v in panel_values(spec.lam.values)]
    if spec_data(game_spec(spec)) is not None:
        return empty_events(spec.methods, fixed_sets)
    game = sweep_game(game_spec(spec))
    out, notes = {}, []
    x_ax = spec.over[0]
    y_ax = spec.lam if len(spec.over) == 1 else spec.over[1]
    window = ((min(x_ax.floats), max(x_ax.floats)), (min(y_ax.floats), max(y_ax.floats)))
    for m in spec.methods:
        rule = Rule(m, own_coef=spec.own_coef)
        panels = []
        for fixed in fixed_sets:
            curves, n = event_curves(game, rule, spec.eta, x_ax.name, y_ax.name, window, fixed)
            panels.append({"fixed": {k: str(v) for k, v in fixed.items()}, "curves": curves})
            notes += [f"{m}: {t}" for t in n]
        out[m] = panels
    if game.region.kind.value != "box":
        notes.append("event curves are computed for the corners of the direct "
                     "parameterisation's box only; none for this game")
    return out, sorted(set(notes))


def panel_values(values) -> list:
    """At most ``MAX_PANELS`` evenly spread entries of ``values`` (ends included)."""
    if len(values) <= MAX_PANELS:
        return list(values)
    idx = sorted({round(k * (len(values) - 1) / (MAX_PANELS - 1)) for k in range(MAX_PANELS)})
    return [values[i] for i in idx]


def run_sweep(spec: SweepSpec, out, *, workers: int | None = None,
              scheduler: str | None = None,
              on_chunk: Callable[[int, int], None] | None = None,
              connect_timeout: float | None = None,
              time_limit: float | None = None,
              cluster: ClusterHandle | None = None) -> SweepRun:
    """Compute every missing chunk of ``spec`` into ``out`` and write cells.json.

    Parameters
    ----------
    spec : SweepSpec
    out : path
        The output folder (created; resumed when it holds this sweep).
    workers : int or None
        0: serial in this process; None: one LocalCluster worker per core;
        n: n LocalCluster worker processes (at most `worker_limit`). Ignored
        with ``scheduler``.
    scheduler : str or None
        Address of an existing dask scheduler.
    on_chunk : callable or None
        ``on_chunk(k, n_cells)`` after chunk k is stored (progress).
    connect_timeout : float or None
        Seconds to reach the scheduler and to wait for a worker (default 10).
    time_limit : float or None
        Seconds for the whole sweep; past them it stops with the chunks stored
        so far kept (rerun to resume). None: no limit.
    cluster : ClusterHandle or None
        A handle from `open_cluster` of the same options, to keep the cluster
        for more work after the sweep (the command draws its maps on it);
        None: the sweep opens and closes its own.

    Returns
    -------
    SweepRun

    Raises
    ------
    OptionsError, GameError
        Bad arguments, a scheduler that does not answer, a folder in use:
        checked before anything is written.
    ClusterError
        Workers died, none joined, or run another eqselect.
    StoreWriteError
        The disk refused a write (what was stored before stays whole).
    """
    started_at = time.perf_counter()
    options = cluster_options(workers, scheduler, connect_timeout)
    if options.scheduler is not None:  # cheap, and it fails fast: before the game is loaded
        check_scheduler(options.scheduler, options.connect_timeout)
    validate(spec)
    store = SweepStore(out, spec)
    with deadline("the sweep's event curves", time_limit):
        events, notes = _events(spec)
    # the index's word, unchecked: a chunk found damaged when the store opens is
    # computed in this process
    needs_work = len(store.indexed()) < spec.n_chunks
    with ExitStack() as stack:
        if cluster is None:
            cluster = stack.enter_context(open_cluster(options))
        started = cluster.get() if needs_work else None
        workers = None if scheduler is not None else (0 if options.serial else options.workers)
        return _compute(spec, store, (events, notes), on_chunk, started,
                        (options.connect_timeout, time_limit, TASK_SECONDS, started_at),
                        workers)


def cluster_options(workers: int | None, scheduler: str | None,
                    connect_timeout: float | None) -> ClusterOptions:
    """The `ClusterOptions` of `run_sweep`'s arguments, ``workers`` resolved and bounded.

    Raises
    ------
    OptionsError
        ``workers`` outside [0, `worker_limit`], an empty or overlong address,
        a timeout outside (0, 600] s.
    """
    limit = worker_limit()
    if workers is not None and not 0 <= workers <= limit:
        raise OptionsError(f"--workers must be in [0, {limit}] on this machine "
                           f"({os.cpu_count()} cores), got {workers}")
    n_workers = min(os.cpu_count() or 1, limit) if workers is None else workers
    return ClusterOptions(n_workers, scheduler,
                          *(() if connect_timeout is None else (connect_timeout,)))


def _outcome_names(spec: SweepSpec) -> dict:
    """The action names of the pure-profile outcome labels (`outcome_names`); none
    for a game on a graph (its outcomes are named by the consensus action)."""
    if spec_data(game_spec(spec)) is not None:
        return {}
    return outcome_names(sweep_game(game_spec(spec)))


def _compute(spec, store, events_notes, on_chunk, cluster, limits, workers) -> SweepRun:
    """Open the store, compute what is missing, stream cells.json; on any failure
    release the folder (removed again when this call created it and stored nothing)."""
    on_chunk = on_chunk or (lambda k, n: None)
    store.open()
    try:
        missing = store.missing()
        start = time.perf_counter()
        if missing and cluster is None:
            run_serial(spec, store, missing, on_chunk, limits)
        elif missing:
            run_on_cluster(spec, store, missing, on_chunk, cluster, limits)
        seconds = time.perf_counter() - start
        events, notes = events_notes
        body = {"axes": spec.axes, "methods": list(spec.methods), "shape": list(spec.shape),
                "events": events, "alignment": ALIGNMENT_NOT_COMPUTED, "notes": notes,
                "outcome_names": _outcome_names(spec)}
        if spec.verdicts is not None:
            body[SLOT] = {"status": "computed", **spec.verdicts.to_json()}
        head = document("sweep", body, {"spec": spec, "arguments_sha256": spec.digest()})
        store.write_cells_json(head)
    except BaseException:
        store.close(discard=True)
        raise
    store.close()
    return SweepRun(store.out, head, len(missing),
                    sum(len(spec.chunk(k)) for k in missing), seconds, workers,
                    tuple(store.notes))
