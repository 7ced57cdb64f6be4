"""``eqselect sweep``: the selection atlas over payoff symbols and lambda (docs/sweep.md)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from eqselect.theory.errors import OptionsError
from eqselect.theory.serialize import document


def _spec(args):
    """The SweepSpec of the arguments; the cell count is checked from each N before
    any value is built, and the game file is read once (its text and digest)."""
    from eqselect.theory.budget import SWEEP_MAX_CELLS
    from eqselect.studies.sweep.grid import SweepSpec, count_cells, parse_axis, read_game_file

    if args.tau is not None:
        raise OptionsError("eqselect sweep: --tau is not supported by sweeps")
    max_cells = SWEEP_MAX_CELLS if args.max_cells is None else args.max_cells
    methods = tuple(args.method or ["pg"])
    count_cells(len(methods), tuple(args.over), args.lam, max_cells)
    text, digest = read_game_file(args.game)
    graphs = _graphs(args, text, digest)
    if not graphs and not args.over:
        raise OptionsError("eqselect sweep: give --over SYMBOL=A:B:N (once or twice) "
                           "or --graphs for a game on a graph")
    return SweepSpec(args.game, args.param,
                     graphs + tuple(parse_axis(t, max_values=max_cells) for t in args.over),
                     parse_axis(args.lam, "lam", max_values=max_cells), methods, args.eta,
                     args.own, args.grid, args.steps, args.schedule, args.chunk, digest,
                     game_text=text, max_cells=max_cells)


def _graphs(args, text: str, digest: str) -> tuple:
    """The ``graph`` axis (a 1-tuple) of ``--graphs`` or of a file's list of graphs, else ()."""
    from eqselect.studies.sweep.cell import GameSpec
    from eqselect.studies.sweep.network import graph_axis, graph_list, spec_data

    data = spec_data(GameSpec(args.game, args.param, digest, text))
    if args.graphs is None:
        listed = graph_list(data) if data is not None else None
        return () if listed is None else (graph_axis(listed),)
    if data is None:
        raise OptionsError(f"--graphs: {args.game!r} is not a game on a graph (a built-in "
                           f"network or a file with a 'graph' key)")
    return (graph_axis(args.graphs.split(";")),)


def _verdicts(args, spec):
    """The alignment verdicts the cells get (options checked on the game), or None."""
    from eqselect.studies.sweep.network import spec_data
    from eqselect.studies.sweep.tasks import game_spec

    if not args.verdicts or spec_data(game_spec(spec)) is not None:
        return None  # a game on a graph: its verdicts come from eqselect check
    from eqselect.studies.sweep.cell import GameSpec
    from eqselect.studies.sweep.verdicts import SECONDS, AlignmentVerdicts

    seconds = SECONDS if args.verdict_seconds is None else args.verdict_seconds
    return AlignmentVerdicts.for_game(GameSpec(spec.game, spec.parameterization),
                                      args.preferred, seconds)


def _write_maps(atlas, out: Path, client=None) -> list:
    """Heat maps written in a staging folder (drawn by the cluster's workers when
    ``client`` is given), then moved into ``out``; on a failure (a full disk) the
    staged files are removed and the maps already there stay."""
    from eqselect.studies.sweep.plots import write_atlas
    from eqselect.studies.sweep.store import MAPS_STAGE

    stage = Path(tempfile.mkdtemp(prefix=MAPS_STAGE, dir=out))
    try:
        paths = write_atlas(atlas, stage, client)
        for p in paths:
            os.replace(p, out / p.name)
        return [out / p.name for p in paths]
    finally:
        for p in stage.iterdir():
            p.unlink()
        stage.rmdir()


def _stored_atlas(run, spec):
    """The atlas of the run's store, its cells read chunk by chunk."""
    from eqselect.studies.sweep.atlas import StoredCells, read_atlas
    from eqselect.studies.sweep.store import SweepStore

    store = SweepStore(run.out, spec)
    return read_atlas(run.head, StoredCells(store.chunk_cells, spec.n_cells, spec.chunk_size))


def _check_dask(args) -> None:
    if args.workers == 0 and args.scheduler is None:
        return
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        raise OptionsError("eqselect sweep: running on dask needs dask.distributed: "
                           "pip install 'eqselect[sweep]' (or --workers 0 for a serial run)"
                           ) from None


def run(args) -> int:
    """Run (or resume) the sweep and print or summarise its atlas.

    A failure of the cluster (workers died, none joined, another eqselect) or
    of the disk is one line and exit status 1; the chunks stored stay.
    """
    from eqselect.studies.sweep.cluster import ClusterError
    from eqselect.studies.sweep.store import StoreWriteError

    try:
        return _run(args)
    except (ClusterError, StoreWriteError) as exc:
        print(f"eqselect: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader of stdout went away: the command line's answer
        raise
    except OSError as exc:  # the heat maps on a full or read-only disk
        print(f"eqselect: error: cannot write the sweep's files: {exc.strerror or exc}",
              file=sys.stderr)
        return 1


def _one_line(exc) -> str:
    text = " ".join(str(exc.args[-1] if isinstance(exc, OSError) and exc.args else exc).split())
    return text[:600]


def _run(args) -> int:
    from eqselect.studies.sweep.cluster import open_cluster
    from eqselect.studies.sweep.runner import cluster_options, run_sweep, validate
    from eqselect.studies.sweep.store import SweepStore
    from eqselect.progress import Progress

    if getattr(args, "local_cluster", False) and (args.scheduler is not None
                                                  or args.workers == 0):
        raise OptionsError("eqselect sweep: --local-cluster runs a LocalCluster; it cannot go "
                           "with --scheduler or --workers 0")
    if args.out is not None and not args.out.strip():
        raise OptionsError("eqselect sweep: --out needs a folder name, got an empty one "
                           "(leave it out for the default sweep-GAME)")
    spec = _spec(args)
    _check_dask(args)
    options = cluster_options(args.workers, args.scheduler, args.connect_timeout)
    if not args.verdicts and (args.preferred != "payoff-dominant"
                              or args.verdict_seconds is not None):
        raise OptionsError("eqselect sweep: --preferred and --verdict-seconds need the "
                           "verdicts; drop --no-verdicts")
    validate(spec)
    spec = replace(spec, verdicts=_verdicts(args, spec))
    out = Path(args.out or f"sweep-{Path(args.game).stem}")
    done = sum(len(spec.chunk(k)) for k in SweepStore(out, spec).indexed())
    with open_cluster(options) as cluster:
        with Progress(spec.n_cells, f"sweep {spec.game}", quiet=args.json) as bar:
            bar.update(done)
            run = run_sweep(spec, out, workers=args.workers, scheduler=args.scheduler,
                            on_chunk=lambda k, n: bar.update(n),
                            connect_timeout=args.connect_timeout, time_limit=args.time_limit,
                            cluster=cluster)
        atlas = _stored_atlas(run, spec)
        maps = _write_maps(atlas, out, cluster.client)  # on the workers, when started
    counts = _alignment_summary(run.head, atlas)
    notes = list(run.head["notes"])
    summary = {"out": str(out), "cells": spec.n_cells, "computed_cells": run.computed_cells,
               "seconds": run.seconds, "cells_per_second": run.cells_per_second,
               "workers": run.workers, "scheduler": args.scheduler,
               "files": ["manifest.json", "cells.json"] + [p.name for p in maps],
               "alignment": counts, "notes": notes, "store_notes": list(run.notes)}
    if args.json:
        print(json.dumps(document("sweep-run", summary,
                                  {"spec": run.head["inputs"]["spec"]})))
        return 0
    _print_summary(args, spec, run, atlas, len(maps))
    _print_verdicts(atlas, counts.get("counts"))
    for note in notes + list(run.notes):
        print(f"  note: {note}")
    return 0


def _print_summary(args, spec, run, atlas, n_maps) -> None:
    rate = "" if run.cells_per_second is None else f", {run.cells_per_second:.1f} cells/s"
    plural = "" if run.workers == 1 else "s"
    where = args.scheduler or ("serial" if run.workers == 0 else f"{run.workers} worker{plural}")
    print(f"sweep of {spec.game}: {spec.n_cells} cells ({run.computed_cells} computed, "
          f"{spec.n_cells - run.computed_cells} already on disk) in {run.seconds:.1f} s"
          f"{rate} ({where})")
    print(f"  written to {run.out}/: cells.json and {n_maps} heat map(s)")
    for method, panels in atlas.events.items():
        for panel in panels:
            at = "".join(f" at {k} = {v}" for k, v in panel.fixed.items())
            for c in panel.curves:
                print(f"  {method}{at}: {c.corner} stops being a fixed point where "
                      f"{'; '.join(c.solutions)}")


def _alignment_summary(doc, atlas) -> dict:
    """The document's alignment entry, with the per-method counts when computed."""
    if not atlas.has_verdicts:
        return doc["alignment"]
    from eqselect.studies.sweep.verdicts import verdict_counts

    return {**doc["alignment"], "counts": verdict_counts(atlas)}


def _print_verdicts(atlas, counts) -> None:
    """One line per method: in how many cells A1, A2, A3 hold, fail, are not decided
    (``counts`` from `_alignment_summary`, so the stored cells are read once for them)."""
    if not atlas.has_verdicts:
        print("  alignment verdicts A1-A3: not computed")
        return
    for method, per in counts.items():
        parts = [f"{k} {n['holds']}/{n['fails']}/{n['not decided']}" for k, n in per.items()]
        print(f"  {method}: alignment (P {atlas.preferred}; cells holding/failing/not decided) "
              + ", ".join(parts))
