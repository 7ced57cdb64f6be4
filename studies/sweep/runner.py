"""Run a sweep: chunks of cells, serially or on dask.distributed, into a store.

1. validate the spec before anything is written (game, symbols, methods);
2. open the store (`SweepStore`): a restart with the same arguments finds
   its finished chunks; other arguments are refused;
3. compute the missing chunks: in this process (``workers=0``), on a
   loopback-only ``LocalCluster`` (``workers`` processes, one thread each),
   or on an existing cluster (``scheduler`` address); each finished chunk is
   written atomically as soon as it arrives, in whatever order;
4. assemble ``cells.json`` from the chunk files, in cell order, with the
   exact event curves (`eqselect.studies.sweep.events`).

Workers keep the compiled field of each rule in their process
(`eqselect.studies.sweep.cell.kernel`), so a worker compiles it once.

When the spec asks for the alignment verdicts (``SweepSpec.verdicts``), the
worker computes each cell's A1-A3 with the checker right after its fixed
points and basins (`eqselect.studies.sweep.verdicts.cell_verdicts`, under its
per-cell budget) and stores them in the cell's ``alignment`` key.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import Callable

from eqselect.theory.errors import GameError, OptionsError
from eqselect.theory.rules import Rule
from eqselect.theory.serialize import document

from eqselect.numerics.dynamics.starts import probability_kind
from eqselect.studies.sweep.atlas import Atlas, read_atlas
from eqselect.studies.sweep.cell import (
    ALIGNMENT_NOT_COMPUTED, CellOptions, GameSpec, evaluate_cell, sweep_game)
from eqselect.studies.sweep.events import event_curves
from eqselect.studies.sweep.grid import SweepSpec
from eqselect.studies.sweep.store import SweepStore, dumps, write_atomic
from eqselect.studies.sweep.verdicts import SLOT

CELLS = "cells.json"
#: Lambda panels drawn (and event curves computed) for a two-symbol sweep.
MAX_PANELS = 6


@dataclass(frozen=True)
class SweepRun:
    """What one call of `run_sweep` did.

    Attributes
    ----------
    document : dict
        The contents of ``cells.json``.
    computed_chunks, computed_cells : int
        Work done by this call (a resumed sweep computes only what was missing).
    seconds : float
        Wall time of the computation (not of the assembly).
    workers : int or None
        LocalCluster workers, 0 for serial, None on an existing scheduler.
    """

    document: dict
    computed_chunks: int
    computed_cells: int
    seconds: float
    workers: int | None

    @property
    def atlas(self) -> Atlas:
        """The document's cells and event curves as typed records (for the maps)."""
        return read_atlas(self.document)

    @property
    def cells_per_second(self) -> float | None:
        """Throughput of this call, None when nothing was computed."""
        return self.computed_cells / self.seconds if self.computed_cells and self.seconds else None


def _cell_args(spec: SweepSpec, index: int):
    method, values, lam = spec.cell(index)
    options = CellOptions(eta=spec.eta, grid=spec.grid, steps=spec.steps,
                          schedule=spec.schedule)
    return (GameSpec(spec.game, spec.parameterization), values,
            Rule(method, lam=lam, own_coef=spec.own_coef), options)


def evaluate_chunk(spec: SweepSpec, k: int) -> list:
    """The cells of chunk ``k`` as JSON data, each with its ``index`` and, when
    the spec asks for them, its alignment verdicts."""
    cells = []
    for i in spec.chunk(k):
        game_spec, values, rule, options = _cell_args(spec, i)
        cell = {"index": i, **evaluate_cell(game_spec, values, rule, options).to_json()}
        if spec.verdicts is not None:
            cell[SLOT] = spec.verdicts.of_cell(game_spec, values, rule, options.eta)
        cells.append(cell)
    return cells


def validate(spec: SweepSpec) -> None:
    """Refuse a spec whose cells cannot be computed, before anything is written.

    Raises
    ------
    GameError, OptionsError
        Unknown game or symbol, or a game without a probability grid.
    """
    game = sweep_game(GameSpec(spec.game, spec.parameterization))
    names = {s.name for s in game.free_symbols}
    for ax in spec.over:
        if ax.name not in names:
            raise OptionsError(f"--over {ax.name}: game {game.name!r} has no payoff symbol "
                               f"{ax.name!r}; symbols: {', '.join(sorted(names)) or 'none'}")
    probability_kind(game)
    if not game.strategies:
        raise GameError(f"game {game.name!r} has no policies; a sweep needs a finite game")


def _events(spec: SweepSpec) -> tuple[dict, list]:
    """{method: [panel]} with each panel's exact curves, and the notes."""
    game = sweep_game(GameSpec(spec.game, spec.parameterization))
    out, notes = {}, []
    x_ax = spec.over[0]
    y_ax = spec.lam if len(spec.over) == 1 else spec.over[1]
    window = ((min(x_ax.floats), max(x_ax.floats)), (min(y_ax.floats), max(y_ax.floats)))
    fixed_sets = [{}] if len(spec.over) == 1 else [
        {"lam": v} for v in panel_values(spec.lam.values)]
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


def _serial(spec, store, missing, on_chunk):
    for k in missing:
        store.write_chunk(k, evaluate_chunk(spec, k))
        on_chunk(k, len(spec.chunk(k)))


def _distributed(spec, store, missing, on_chunk, workers, scheduler):
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None,
                               silence_logs=logging.ERROR)
    client = Client(cluster if cluster is not None else scheduler)
    try:
        tag = spec.digest()[:16]
        futures = {client.submit(evaluate_chunk, spec, k,
                                 key=f"eqselect-sweep-{tag}-{k}"): k for k in missing}
        for fut in as_completed(futures):
            k = futures[fut]
            store.write_chunk(k, fut.result())
            on_chunk(k, len(spec.chunk(k)))
    finally:
        client.cancel(list(futures) if "futures" in locals() else [])
        client.close()
        if cluster is not None:
            cluster.close()


def run_sweep(spec: SweepSpec, out, *, workers: int | None = None,
              scheduler: str | None = None,
              on_chunk: Callable[[int, int], None] | None = None) -> SweepRun:
    """Compute every missing chunk of ``spec`` into ``out`` and write cells.json.

    Parameters
    ----------
    spec : SweepSpec
    out : path
        The output folder (created; resumed when it holds this sweep).
    workers : int or None
        0: serial in this process; None: one LocalCluster worker per core;
        n: n LocalCluster worker processes. Ignored with ``scheduler``.
    scheduler : str or None
        Address of an existing dask scheduler.
    on_chunk : callable or None
        ``on_chunk(k, n_cells)`` after chunk k is stored (progress).

    Returns
    -------
    SweepRun

    Raises
    ------
    OptionsError, GameError
        Bad arguments, checked before anything is written.
    """
    validate(spec)
    if workers is not None and workers < 0:
        raise OptionsError(f"--workers must be >= 0, got {workers}")
    store = SweepStore(out, spec)
    events, notes = _events(spec)
    store.open()
    missing = store.missing()
    on_chunk = on_chunk or (lambda k, n: None)
    n_workers = 0 if workers == 0 and scheduler is None else (workers or os.cpu_count() or 1)
    start = time.perf_counter()
    if missing and n_workers == 0:
        _serial(spec, store, missing, on_chunk)
    elif missing:
        _distributed(spec, store, missing, on_chunk, n_workers, scheduler)
    seconds = time.perf_counter() - start
    body = {"axes": spec.axes, "methods": list(spec.methods), "shape": list(spec.shape),
            "cells": store.read_cells(), "events": events,
            "alignment": ALIGNMENT_NOT_COMPUTED, "notes": notes}
    if spec.verdicts is not None:
        body[SLOT] = {"status": "computed", **spec.verdicts.to_json()}
    doc = document("sweep", body, {"spec": spec, "arguments_sha256": spec.digest()})
    write_atomic(store.out / CELLS, dumps(doc))
    return SweepRun(doc, len(missing), sum(len(spec.chunk(k)) for k in missing), seconds,
                    None if scheduler is not None else n_workers)
