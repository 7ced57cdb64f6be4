"""One benchmark run: ``python -m benchmarks [--out FILE] [--quick]``.

Measures, in one run on this machine, and prints ratios (written as JSON to
``benchmarks/results.json`` unless ``--out`` says otherwise):

1. Stag Hunt, logit, Meta-MAPG, the paper's schedule, 1001 x 1001 starts x
   140 steps: the compiled kernel (first run with code generation and
   compilation into an empty cache, then again), the hand-written numpy
   closed form of the same update (`benchmarks.stag_hunt_numpy`, the
   baseline), eqselect's numpy backend, and a per-point Python loop on an
   evenly spread subset, extrapolated (labelled as such). Peak memory is the
   traced peak (numpy and Python allocations) of each run.
2. The discounted IPD (10 parameters), logit, Meta-MAPG: 10^5 random starts
   x 200 steps on the compiled kernel, against eqselect's numpy backend on
   10^4 of them, extrapolated (labelled): the numpy backend compiles its
   field on every call, so that setup (timed on a 4-start call) is counted
   once and only the stepping is scaled.
3. Derivation and kernel compilation of the IPD: first run (empty cache) and
   cached (a fresh process that finds the kernel on disk).
4. Continuation points per second along branches, and the fixed points of a
   3 x 3 game (`benchmarks.solvers`).
5. Random degenerate 3 x 3 and 4 x 4 bimatrix games: eqselect's exact fixed
   points of PG against pygambit's ``enummixed_solve``, medians per game and
   their ratio, with and without building the games
   (`benchmarks.solvers.degenerate_fixed_points`; alone:
   ``python -m benchmarks.degenerate``).

The Stag Hunt map is also run in a fresh process once the kernel is on disk
(``compiled_cached_process``: what a user's second session sees), with that
process's peak resident memory. The machine's load average is recorded at
the start and at the end: on a shared machine both sides of a ratio suffer
the same load, absolute seconds do not.

``--quick`` shrinks every size (a smoke test of the harness, not figures).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import sympy as sp

from benchmarks.degenerate import print_degenerate
from benchmarks.solvers import continuation_speed, degenerate_fixed_points, fixed_points_3x3
from benchmarks.stag_hunt_numpy import basin_fraction
from benchmarks.targets import (
    api_default, cli, ipd_kernel_load, ipd_second_eta, machine_limit, print_cli)
from eqselect.api import basin_map, basin_monte_carlo  # the API a user calls
from eqselect.theory import PAPER, Decomposition, builtin, ipd


def measured(fn, *args, trace: bool = True, **kw):
    """(result, seconds, traced peak MB or None) of one call.

    Runs that compile are timed untraced (``trace=False``): tracemalloc
    slows the Python work of code generation and numba's compiler severalfold.
    """
    if trace:
        tracemalloc.start()
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2 ** 20 if trace else None
    if trace:
        tracemalloc.stop()
    return out, seconds, peak


def per_point_loop(dec, starts, steps):
    """The paper's update one start at a time through sympy.lambdify (math module)."""
    f = sp.lambdify(dec.game.parameters, list(dec.field("meta-mapg", PAPER.lam, PAPER.own)),
                    modules="math")
    ok = 0
    for p1, p2 in starts:
        x = [math.log(p1 / (1 - p1)), math.log(p2 / (1 - p2))]
        for k in range(steps):
            lr = PAPER.lr_base / (k + PAPER.lr_offset) ** PAPER.lr_power
            u = f(*x)
            x = [min(PAPER.clip, max(-PAPER.clip, xi + lr * ui)) for xi, ui in zip(x, u)]
        ok += all(1 / (1 + math.exp(-xi)) >= PAPER.success for xi in x)
    return ok


_SH_CACHED = """
import sys, time
from eqselect.theory import PAPER, Decomposition, Rule, builtin
from eqselect.numerics.dynamics.basins import basin_map
from eqselect.numerics.dynamics.starts import GridStarts
dec = Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)
def hwm():  # this process's peak resident memory, MB (not inherited across exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")
RSS0 = hwm()
t0 = time.perf_counter()
r = basin_map(dec, Rule("meta-mapg"), GridStarts(int(sys.argv[1])), int(sys.argv[2]),
              kernel="numba")
print(time.perf_counter() - t0, r.fraction, RSS0, hwm())
"""


def cached_process(grid: int, steps: int) -> tuple[float, float, tuple]:
    """(seconds, fraction, peak RSS MB before and after) of the map in a fresh process.

    The kernel is on disk by then; "before" is the peak resident memory of
    the imports (sympy, symengine, numba) and the derivation, "after"
    includes the map.
    """
    out = subprocess.run([sys.executable, "-c", _SH_CACHED, str(grid), str(steps)],
                         capture_output=True, text=True, env=os.environ, check=True)
    seconds, fraction, rss0, rss = out.stdout.split()
    return float(seconds), float(fraction), (float(rss0), float(rss))


def stag_hunt(grid: int, steps: int, loop_starts: int) -> dict:
    dec = Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)
    n = grid * grid
    first, t_first, _ = measured(basin_map, dec, "meta-mapg", grid=grid, steps=steps,
                                 kernel="numba", trace=False)
    again, t_comp, m_comp = measured(basin_map, dec, "meta-mapg", grid=grid, steps=steps,
                                     kernel="numba")
    base, t_base, m_base = measured(
        basin_fraction, grid, steps, float(PAPER.eta), float(PAPER.own), float(PAPER.lam),
        PAPER.lr_base, PAPER.lr_offset, PAPER.lr_power, PAPER.clip, PAPER.success)
    ref, t_ref, m_ref = measured(basin_map, dec, "meta-mapg", grid=grid, steps=steps,
                                 kernel="numpy")
    t_proc, f_proc, rss_proc = cached_process(grid, steps)
    idx = np.linspace(0, n - 1, loop_starts).astype(int)
    _, t_loop, _ = measured(per_point_loop, dec, again.starts_probability[idx], steps)
    t_loop_all = t_loop * n / loop_starts
    return {
        "grid": grid, "steps": steps, "starts": n,
        "fraction": {"compiled": again.fraction, "numpy_baseline": base,
                     "numpy_backend": ref.fraction, "compiled_cached_process": f_proc},
        "seconds": {"compiled_first_run": t_first, "compiled": t_comp,
                    "compiled_cached_process": t_proc,
                    "numpy_baseline": t_base, "numpy_backend": t_ref,
                    "per_point_loop_extrapolated": t_loop_all},
        "per_point_loop_subset": {"starts": loop_starts, "seconds": t_loop},
        "peak_traced_mb": {"compiled": m_comp, "numpy_baseline": m_base,
                           "numpy_backend": m_ref},
        "peak_rss_mb_cached_process": {"before_the_map": rss_proc[0], "after": rss_proc[1]},
        "start_steps_per_second": {"compiled": n * steps / t_comp,
                                   "numpy_baseline": n * steps / t_base},
        "ratios": {"compiled_vs_numpy_baseline": t_base / t_comp,
                   "compiled_first_run_vs_numpy_baseline": t_base / t_first,
                   "compiled_cached_process_vs_numpy_baseline": t_base / t_proc,
                   "compiled_vs_numpy_backend": t_ref / t_comp,
                   "compiled_vs_per_point_loop": t_loop_all / t_comp},
        "agree": again.fraction == ref.fraction == first.fraction == f_proc,
    }


_CACHED = """
import sys, time
t0 = time.perf_counter()
import sympy as sp
from eqselect.theory import PAPER, Decomposition, Rule, ipd
from eqselect.numerics.dynamics.basins import basin_monte_carlo
from eqselect.numerics.dynamics.starts import SampledStarts
dec = Decomposition(ipd("logit").substitute(), eta=PAPER.eta)
t1 = time.perf_counter()
basin_monte_carlo(dec, Rule("meta-mapg"), SampledStarts(4), steps=2, kernel="numba")
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def _kernels_on_disk() -> set:
    from eqselect.numerics.dynamics.kernels.cache import cache_dir

    return {p.name for p in cache_dir().glob("k_*.py")}


def ipd_runs(n: int, steps: int, numpy_n: int) -> dict:
    t0 = time.perf_counter()
    dec = Decomposition(ipd("logit").substitute(), eta=PAPER.eta)
    t_derive = time.perf_counter() - t0
    kw = dict(seed=0, steps=steps, sampler="normal")
    cached_before = _kernels_on_disk()
    _, t_compile, _ = measured(basin_monte_carlo, dec, "meta-mapg", n=4, kernel="numba",
                               trace=False, **{**kw, "steps": 2})
    fast, t_fast, m_fast = measured(basin_monte_carlo, dec, "meta-mapg", n=n,
                                    kernel="numba", **kw)
    # the numpy backend compiles the field on every call: timed apart, counted once
    _, t_np_setup, _ = measured(basin_monte_carlo, dec, "meta-mapg", n=4, trace=False,
                                kernel="numpy", **{**kw, "steps": 2})
    small, t_np, m_np = measured(basin_monte_carlo, dec, "meta-mapg", n=numpy_n,
                                 kernel="numpy", **kw)
    same = fast.success[:numpy_n] if numpy_n <= n else None
    out = subprocess.run([sys.executable, "-c", _CACHED], capture_output=True, text=True,
                         env=os.environ, check=True).stdout.split()
    t_np_all = t_np_setup + max(t_np - t_np_setup, 0.0) * n / numpy_n
    return {
        "starts": n, "steps": steps,
        "seconds": {"compiled": t_fast, "numpy_backend_subset": t_np,
                    "numpy_backend_field_compilation": t_np_setup,
                    "numpy_backend_extrapolated": t_np_all},
        "numpy_subset_starts": numpy_n,
        "peak_traced_mb": {"compiled": m_fast, "numpy_backend_subset": m_np},
        "fraction": {"compiled": fast.fraction, "numpy_backend_subset": small.fraction},
        "agree_on_subset": bool(same is not None and
                                np.array_equal(same, small.success)),
        "success_flags_differing_on_subset": (None if same is None else
                                              int(np.sum(same != small.success))),
        "ratios": {"compiled_vs_numpy_backend": t_np_all / t_fast},
        "kernel_was_cached_before": bool(cached_before & _kernels_on_disk()
                                         and len(_kernels_on_disk()) == len(cached_before)),
        "derive_and_compile": {"derive_first": t_derive,
                               "kernel_first_with_compilation": t_compile,
                               "derive_cached_process": float(out[0]),
                               "kernel_cached_process": float(out[1])},
    }


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["network"]:  # games on graphs: benchmarks/network.py
        from benchmarks.network import main as network_main

        return network_main(argv[1:])
    if argv[:1] == ["sweep"]:  # python -m benchmarks sweep: the sweep's own harness
        from benchmarks.sweep import main as sweep_main

        return sweep_main(argv[1:])
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(Path(__file__).with_name("results.json")))
    ap.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test")
    ap.add_argument("--cache", default=None, metavar="DIR",
                    help="kernel cache folder (default: a fresh, empty one, so first runs "
                         "include compilation; whether each kernel was already cached is "
                         "recorded)")
    args = ap.parse_args(argv)
    os.environ["EQSELECT_CACHE_DIR"] = args.cache or tempfile.mkdtemp(prefix="eqselect-bench-")
    sizes = ((41, 20, 50), (200, 10, 50)) if args.quick else ((1001, 140, 200),
                                                               (100_000, 200, 10_000))
    import numba

    # the first runs into the empty kernel cache come first: the targets after them
    res = {"machine": {"cpus": os.cpu_count(), "numba_threads": numba.get_num_threads(),
                       "load_average_at_start": os.getloadavg()},
           "stag_hunt": stag_hunt(*sizes[0]), "ipd": ipd_runs(*sizes[1])}
    res["api_default"] = api_default(sizes[0][0], sizes[0][1], 1 if args.quick else 3)
    res["machine_limit"] = machine_limit(
        res["api_default"]["start_steps_per_second"]["api_kernel_numba"])
    res["cli"] = cli(sizes[0][0], 1 if args.quick else 3)
    res["ipd_second_eta"] = ipd_second_eta()
    res["ipd_kernel_load"] = ipd_kernel_load()
    res.update({
           "continuation": continuation_speed(), "fixed_points_3x3": fixed_points_3x3(),
           "degenerate_games": degenerate_fixed_points(
               {3: (5, 35), 4: (2, 45)} if args.quick else None, 1 if args.quick else 3)})
    res["machine"]["load_average_at_end"] = os.getloadavg()
    Path(args.out).write_text(json.dumps(res, indent=2))
    _print(res)
    print_cli(res["cli"], res["ipd_kernel_load"])
    print()
    print(markdown_table(res))
    return 0


def markdown_table(res) -> str:
    """The README's table of targets: each figure beside its baseline from this run."""
    a, cl, lim, eta = res["api_default"], res["cli"], res["machine_limit"], res["ipd_second_eta"]
    dc = res["ipd"]["derive_and_compile"]
    med, n = a["median_seconds"], a["grid"]
    large = cl[f"basins_grid_{n}"]
    rows = [
        ("`basin_map(dec, \"meta-mapg\", grid=%d, steps=%d)`, the API's default (ran: %s)"
         % (n, a["steps"], a["fractions"].get("api_default_ran")), med["api_default"],
         f"fastest kernel {min(med['api_kernel_numba'], med['hand_numba']):.2f} s",
         f"{a['ratios']['api_default_vs_fastest']:.2f}x", "<= 1.1x"),
        ("the same with `kernel=\"numba\"`", med["api_kernel_numba"],
         f"hand-written numba kernel {med['hand_numba']:.2f} s",
         f"{a['ratios']['kernel_vs_hand_numba']:.2f}x faster", ">= 2x"),
        ("the same with `precision=\"float32\"` (%d of %d sampled outcomes differ from float64)"
         % (a["float32_differing_outcomes"]["differ"], a["float32_differing_outcomes"]["sample"]),
         med["api_float32"], f"hand-written numba kernel {med['hand_numba']:.2f} s",
         f"{a['ratios']['float32_vs_hand_numba']:.2f}x faster", ""),
        (f"`eqselect basins stag-hunt --grid {n} --json` (whole process, warm)", large["wall"],
         f"the API's `basin_map(kernel=\"numba\")` {cl[f'kernel_grid_{n}']['wall']:.2f} s "
         "(interleaved; judged by the success predicate, the command also names attractors "
         "and tests cycles)",
         f"{cl['ratio_vs_kernel']['wall']:.2f}x (CPU {cl['ratio_vs_kernel']['cpu']:.2f}x)",
         "<= 1.3x"),
        ("the least a whole process can cost: the same kernel loaded from the disk cache and "
         "run on the same grid, nothing derived, judged or written (sympy imported: %s)"
         % cl["floor_process"]["sympy imported"], cl["floor_process"]["wall"],
         f"the API's `basin_map(kernel=\"numba\")` {cl[f'kernel_grid_{n}']['wall']:.2f} s",
         f"{cl['floor_ratio_vs_kernel']['wall']:.2f}x (CPU "
         f"{cl['floor_ratio_vs_kernel']['cpu']:.2f}x)", ""),
        ("`eqselect basins stag-hunt --grid 21 --json` (whole process, warm)",
         cl["basins_grid_21"]["wall"], f"CPU {cl['basins_grid_21']['cpu']:.2f} s", "", "< 1 s"),
        ("`eqselect --version`", cl["version"]["wall"], f"CPU {cl['version']['cpu']:.2f} s", "",
         "< 0.2 s"),
        ("`eqselect --help`", cl["help"]["wall"], f"CPU {cl['help']['cpu']:.2f} s", "",
         "< 0.2 s"),
        ("IPD (10 parameters), a second eta in the same process: derive, kernel ready",
         eta["second_eta_derive_and_run"],
         f"first eta: derive, kernel loaded from disk {eta['first_eta_derive_load_and_run']:.2f} s",
         "", "< 1 s"),
        ("IPD, a fresh process loads its compiled kernel (cached on disk)",
         dc["kernel_cached_process"],
         f"compiled into an empty cache {dc['kernel_first_with_compilation']:.2f} s",
         "", "< 0.5 s"),
    ]
    out = ["| workload | seconds | baseline (same run) | ratio | target |",
           "|---|---:|---:|---:|---:|"]
    out += [f"| {w} | {s:.2f} | {b} | {r} | {t} |" for w, s, b, r, t in rows]
    out.append("")
    out.append(f"Kernel: {a['summary']}.")
    out.append("")
    out.append(f"Machine limit: {lim['summary']}.")
    return "\n".join(out)


def _print(res) -> None:
    sh, ip = res["stag_hunt"], res["ipd"]
    print(f"Stag Hunt {sh['grid']}^2 x {sh['steps']} (Meta-MAPG, paper schedule), "
          f"fractions agree: {sh['agree']}")
    for k, v in sh["seconds"].items():
        print(f"  {k:<30} {v:9.2f} s")
    for k, v in sh["ratios"].items():
        print(f"  ratio {k:<34} {v:7.2f}x")
    for k, v in sh["peak_traced_mb"].items():
        print(f"  peak traced memory {k:<20} {v:7.1f} MB")
    print(f"  IPD numpy subset agrees start for start: {ip['agree_on_subset']} "
          f"({ip.get('success_flags_differing_on_subset')} success flags differ)")
    print(f"IPD {ip['starts']} starts x {ip['steps']} steps, numpy backend on "
          f"{ip['numpy_subset_starts']} starts, extrapolated")
    for k, v in {**ip["seconds"], **ip["derive_and_compile"]}.items():
        print(f"  {k:<30} {v:9.2f} s")
    print(f"  ratio compiled_vs_numpy_backend     {ip['ratios']['compiled_vs_numpy_backend']:7.2f}x")
    print(f"  IPD kernel already cached before the first run: {ip['kernel_was_cached_before']}")
    rss = sh["peak_rss_mb_cached_process"]
    print(f"  Stag Hunt peak RSS of a fresh process, kernel cached: {rss['after']:.0f} MB "
          f"({rss['before_the_map']:.0f} MB before the map: imports and derivation)")
    for k, v in res["continuation"].items():
        print(f"Continuation {k}: {v['points']} points on {v['branches']} branches, "
              f"{v['points_per_second']:.0f} points/s")
    for k, v in res["fixed_points_3x3"].items():
        print(f"3 x 3 game, {k}: {v['fixed_points']} fixed points in {v['seconds']:.2f} s "
              f"(complete: {v['complete']})")
    print_degenerate(res["degenerate_games"])
    print(f"load average at start {res['machine']['load_average_at_start']}, "
          f"at end {res['machine']['load_average_at_end']}")


if __name__ == "__main__":
    sys.exit(main())
