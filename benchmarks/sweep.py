"""Sweep throughput: serial against a LocalCluster, the cost of a dask task, and a
projection of 10^6 cells on 100 workers from those measurements.

Run: python -m benchmarks sweep [--cells N] [--workers W] [--verdicts] [--quick]

In one run on this machine (so both sides of a ratio see the same load):

1. the same atlas (direct Stag Hunt, Meta-MAPG, a x lambda, 5 x 5 starts x 40
   steps, 10 000 cells by default) serially (``workers=0``) and on a
   LocalCluster of W processes, each into a fresh folder, as two halves in the
   order serial, cluster, cluster, serial (so that a load which drifts during
   the run weighs on both alike): wall time of the whole calls (cluster start
   included), cells per second, and CPU seconds a cell (of this process, or
   of the workers' processes: unlike wall time, not inflated by other jobs);
   serial and cluster ``cells.json`` must be identical bytes;
2. the client's share: storing the chunks (index, checksums), streaming
   ``cells.json`` and building the heat-map quantities, per cell, timed on
   the serial run's cells;
3. the cost of one dask task on that cluster: empty tasks of the sweep's
   own task function, one after the other (latency) and all at once
   (throughput through the scheduler);
4. the projection: 10^6 cells on 100 workers, tasks of about 1.5 s, from the
   measured cost per cell, per task and per stored cell (the formula is in
   `projection`, the figures it uses are printed, so it can be checked).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from eqselect.theory.rules import PAPER
from eqselect.studies.sweep.files import chunk_body_text
from eqselect.studies.sweep.grid import SweepSpec, parse_axis
from eqselect.studies.sweep.runner import TASK_SECONDS, run_sweep
from eqselect.studies.sweep.store import CELLS, SweepStore

#: The projection's sweep and cluster.
PROJECT_CELLS, PROJECT_WORKERS = 1_000_000, 100


def atlas_spec(n_cells: int, verdicts: bool = False) -> SweepSpec:
    """Direct Stag Hunt, Meta-MAPG, a in [3, 8] x lambda in [0, 3], about n_cells cells."""
    from eqselect.studies.sweep.cell import GameSpec
    from eqselect.studies.sweep.verdicts import AlignmentVerdicts

    side = max(2, round(n_cells ** 0.5))
    spec = SweepSpec("stag-hunt", "direct", (parse_axis(f"a=3:8:{side}"),),
                     parse_axis(f"0:3:{side}", "lam"), ("meta-mapg",), PAPER.eta, PAPER.own,
                     5, 40, "paper", 16)
    if verdicts:
        spec = replace(spec, verdicts=AlignmentVerdicts.for_game(GameSpec("stag-hunt", "direct")))
    return spec


def timed_sweep(spec, folder: Path, workers: int) -> dict:
    """Wall time of one whole `run_sweep` call, its compute time, and the CPU
    seconds its cells took (this process serially, the workers' processes on a
    cluster): CPU time does not depend on how loaded the machine is."""
    from eqselect.studies.sweep.cluster import open_cluster
    from eqselect.studies.sweep.runner import cluster_options

    with open_cluster(cluster_options(workers, None, None)) as handle:
        cluster = handle.get()
        cpu0 = _cpu(cluster)
        t0 = time.perf_counter()
        run = run_sweep(spec, folder, workers=workers, cluster=handle)
        wall = time.perf_counter() - t0
        cpu = _cpu(cluster) - cpu0
    return {"workers": workers, "wall_s": wall, "compute_s": run.seconds, "cpu_s": cpu,
            "cells_per_s": spec.n_cells / wall}


def _cpu(cluster) -> float:
    """CPU seconds used so far by this process (serial) or by every worker process."""
    if cluster is None:
        return time.process_time()
    return sum(cluster.client.run(time.process_time).values())


def _total(runs: list, cells: int) -> dict:
    """Two timed runs of one kind added up."""
    wall = sum(r["wall_s"] for r in runs)
    return {"workers": runs[0]["workers"], "wall_s": wall, "cells": cells,
            "compute_s": sum(r["compute_s"] for r in runs),
            "cpu_s": sum(r["cpu_s"] for r in runs), "cells_per_s": cells / wall}


def client_costs(spec, done: Path, scratch: Path) -> dict:
    """Seconds per cell the client spends storing chunks (checking, hashing and
    writing the text the workers send), streaming cells.json and building the
    heat-map quantities, and the workers making that text (on the cells of a
    finished store)."""
    from eqselect.studies.sweep.atlas import StoredCells, read_atlas
    from eqselect.studies.sweep.plots import atlas_quantities

    source = SweepStore(done, spec)
    chunks = [source.chunk_cells(k) for k in range(spec.n_chunks)]
    store = SweepStore(scratch, spec)
    store.open()
    t = time.perf_counter()
    texts = [chunk_body_text(cells) for cells in chunks]  # done by the workers
    t0 = time.perf_counter()
    for k, (indices, body) in enumerate(texts):
        store.write_chunk_text(k, indices, body)
    t1 = time.perf_counter()
    head = {k: v for k, v in __import__("json").loads((done / CELLS).read_text()).items()
            if k != "cells"}
    store.write_cells_json(head)
    t2 = time.perf_counter()
    store.close()
    atlas = read_atlas(head, StoredCells(store.chunk_cells, spec.n_cells, spec.chunk_size))
    atlas_quantities(atlas)
    t3 = time.perf_counter()
    n = spec.n_cells
    return {"store_per_cell_s": (t1 - t0) / n, "cells_json_per_cell_s": (t2 - t1) / n,
            "quantities_per_cell_s": (t3 - t2) / n, "worker_text_per_cell_s": (t0 - t) / n}


def task_overhead(spec, workers: int, n_tasks: int) -> dict:
    """Seconds per empty task of the sweep's task function on a LocalCluster."""
    from eqselect.studies.sweep.cluster import Cluster, ClusterOptions, quiet_dask
    from eqselect.studies.sweep.tasks import evaluate_chunks
    from eqselect.theory.serialize import package_version

    with quiet_dask():
        cluster = Cluster.start(ClusterOptions(workers))
        try:
            client, version = cluster.client, package_version()
            spec_f = client.scatter(spec, broadcast=True, hash=False)
            client.submit(evaluate_chunks, spec_f, (), version, pure=False).result()
            t0 = time.perf_counter()
            for _ in range(n_tasks // 4):
                client.submit(evaluate_chunks, spec_f, (), version, pure=False).result()
            t1 = time.perf_counter()
            futures = [client.submit(evaluate_chunks, spec_f, (), version, pure=False)
                       for _ in range(n_tasks)]
            client.gather(futures)
            t2 = time.perf_counter()
        finally:
            cluster.close()
    return {"latency_s": (t1 - t0) / (n_tasks // 4), "throughput_s": (t2 - t1) / n_tasks}


def projection(per_cell: float, per_task: float, client: dict) -> dict:
    """10^6 cells on 100 workers, tasks of ``TASK_SECONDS``, from measured costs.

    compute = cells x (per_cell + worker_text) / workers; scheduler = tasks x
    per_task (the scheduler handles tasks one at a time); store = cells x
    store per cell (the client stores chunks as they arrive, alongside the
    compute): the run takes the largest of the three, then the client streams
    cells.json and builds the heat-map quantities (cells x their cost per cell).
    """
    cells_per_task = max(1, round(TASK_SECONDS / per_cell))
    tasks = -(-PROJECT_CELLS // cells_per_task)
    compute = PROJECT_CELLS * (per_cell + client["worker_text_per_cell_s"]) / PROJECT_WORKERS
    scheduler = tasks * per_task
    store = PROJECT_CELLS * client["store_per_cell_s"]
    after = PROJECT_CELLS * (client["cells_json_per_cell_s"] + client["quantities_per_cell_s"])
    return {"cells_per_task": cells_per_task, "tasks": tasks, "compute_s": compute,
            "scheduler_s": scheduler, "store_s": store, "after_s": after,
            "wall_s": max(compute, scheduler, store) + after}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks sweep",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=10_000, help="cells of the atlas")
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                    help="LocalCluster processes (default 2)")
    ap.add_argument("--verdicts", action="store_true", help="with the alignment verdicts")
    ap.add_argument("--quick", action="store_true", help="400 cells: a smoke test")
    args = ap.parse_args(argv)
    spec = atlas_spec(400 if args.quick else args.cells, args.verdicts)
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="eqselect-sweep-bench-") as tmp:
        tmp = Path(tmp)
        half = atlas_spec(spec.n_cells // 2, args.verdicts)
        runs = {"serial": [], "cluster": []}
        # serial, cluster, cluster, serial: a load that drifts during the run
        # weighs on both sides alike
        for i, (name, workers) in enumerate((("serial", 0), ("cluster", args.workers),
                                             ("cluster", args.workers), ("serial", 0))):
            runs[name].append(timed_sweep(half, tmp / f"{name}-{i}", workers))
        serial, cluster = (_total(runs[k], 2 * half.n_cells) for k in ("serial", "cluster"))
        same = (tmp / "serial-0" / CELLS).read_bytes() == (tmp / "cluster-1" / CELLS).read_bytes()
        client = client_costs(half, tmp / "serial-0", tmp / "client")
    task = task_overhead(half, args.workers, 40 if args.quick else 400)
    per_cell = serial["compute_s"] / serial["cells"]
    proj = projection(per_cell, task["throughput_s"], client)
    _print(half, serial, cluster, same, client, task, proj, (load, os.getloadavg()))
    return 0


def _print(spec, serial, cluster, same, client, task, proj, loads) -> None:
    print(f"sweep benchmark: {serial['cells']} cells a side, in two halves (direct Stag Hunt, "
          f"meta-mapg, "
          f"{spec.grid}^2 starts x {spec.steps} steps, verdicts "
          f"{'on' if spec.verdicts else 'off'}), {os.cpu_count()} cores")
    for name, r in (("serial", serial), (f"LocalCluster x{cluster['workers']}", cluster)):
        print(f"  {name:<16} {r['wall_s']:8.1f} s wall ({r['compute_s']:.1f} s computing), "
              f"{r['cells_per_s']:7.1f} cells/s, {1e3 * r['cpu_s'] / r['cells']:.2f} ms CPU "
              f"a cell")
    print(f"  LocalCluster / serial speed: {cluster['cells_per_s'] / serial['cells_per_s']:.2f}x"
          f"; cells.json identical: {same}")
    print(f"  per cell: {1e3 * serial['compute_s'] / serial['cells']:.2f} ms computing; client "
          + ", ".join(f"{k[:-11]} {1e6 * v:.0f} us" for k, v in client.items()))
    print(f"  per dask task: {1e3 * task['latency_s']:.1f} ms one at a time, "
          f"{1e3 * task['throughput_s']:.2f} ms each when queued together")
    print(f"projection, {PROJECT_CELLS} cells on {PROJECT_WORKERS} workers: "
          f"{proj['tasks']} tasks of {proj['cells_per_task']} cells (~{TASK_SECONDS:g} s); "
          f"max(compute {proj['compute_s']:.0f} s, scheduler {proj['scheduler_s']:.0f} s, "
          f"client storing {proj['store_s']:.0f} s) + cells.json and maps "
          f"{proj['after_s']:.0f} s: about {proj['wall_s'] / 60:.1f} min")
    print(f"load average at start {loads[0]}, at end {loads[1]}")


if __name__ == "__main__":
    raise SystemExit(main())
