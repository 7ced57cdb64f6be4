"""Games on graphs: ``python -m benchmarks network [--out FILE] [--quick]``.

Measures, on this machine (figures written as JSON, by default to
``benchmarks/network_results.json``):

1. the Meta-MAPG field of a 10^4-agent logit Stag Hunt on a Watts-Strogatz
   graph (watts-strogatz:10000,4,0.1): best and median of 30 evaluations
   (the budget is 10 ms);
2. its sparse Jacobian (complex steps on a colouring) and the leading
   eigenvalue and mu from ARPACK, at a random point;
3. basins at scale through the basin engine: a 100-agent logit Stag Hunt on
   watts-strogatz:100,4,0.1, 10^4 random starts x 200 steps of Meta-MAPG on
   the fused kernel judged by consensus (the budget is 10 s on 2 cores),
   once into an empty kernel cache (compilation included) and once cached,
   wall-clock and process CPU seconds;
4. starting on a 10^4-agent graph file (watts-strogatz:10000,4,0.1): reading
   the file into a `NetworkGame`, its frame and its sparse field, and the
   command ``eqselect basins FILE --samples 10 --steps 5`` end to end in a
   fresh process (imports and kernel load included).

Each figure is printed beside its target (`TARGETS`). The machine's load
average is recorded at the start and at the end: the machine is shared, and
wall-clock figures under load are upper bounds.
``--quick`` shrinks the sizes (a smoke test of the harness).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

#: The budgets the figures are measured against.
TARGETS = {"field_ms": 10.0, "basins_wall_s": 10.0}
LARGE_FILE = """name = "stag-hunt-small-world-10000"
graph = "watts-strogatz:10000,4,0.1"
seed = 1
parameterization = "logit"
actions = ["Stag", "Hare"]
payoffs = [[[4, 0], [3, 2]], [[4, 3], [0, 2]]]
"""

from eqselect.theory import Rule, builtin
from eqselect.theory.network import network_game, parse_graph


def _stag_hunt(spec: str):
    return network_game(parse_graph(spec, seed=1), builtin("stag-hunt", "logit"), "logit")


def field_speed(n_agents: int, repeats: int = 30) -> dict:
    """Field evaluations of an n-agent small world: best and median milliseconds."""
    from eqselect.numerics.network.field import NetworkField

    field, rule = NetworkField(_stag_hunt(f"watts-strogatz:{n_agents},4,0.1"), 0.55), \
        Rule("meta-mapg")
    x = np.random.default_rng(0).normal(size=(1, n_agents))
    field.field(x, rule)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        field.field(x, rule)
        times.append(time.perf_counter() - t)
    return {"agents": n_agents, "edges": len(field.net.graph.edges),
            "best_ms": 1e3 * min(times), "median_ms": 1e3 * float(np.median(times))}


def jacobian_speed(n_agents: int) -> dict:
    """Sparse Jacobian and spectrum at a random point of an n-agent small world."""
    from eqselect.numerics.network.equilibria import spectrum
    from eqselect.numerics.network.field import NetworkField
    from eqselect.numerics.network.jacobian import colouring, sparse_jacobian
    from eqselect.numerics.sources.fields import float_coefficients

    field = NetworkField(_stag_hunt(f"watts-strogatz:{n_agents},4,0.1"), 0.55)
    coef = float_coefficients(Rule("meta-mapg"))
    x = np.random.default_rng(1).normal(size=n_agents)
    t = time.perf_counter()
    colours = colouring(field, coef)
    t_col = time.perf_counter()
    J = sparse_jacobian(field, x, coef, colours)
    t_jac = time.perf_counter()
    vals, mu = spectrum(J, k=1)
    t_eig = time.perf_counter()
    return {"agents": n_agents, "colours": colours.n_colours, "nonzeros": int(J.nnz),
            "colouring_s": t_col - t, "jacobian_s": t_jac - t_col, "spectrum_s": t_eig - t_jac,
            "leading_real": float(vals[0].real), "mu": float(mu)}


def basin_speed(n_agents: int, starts: int, steps: int) -> dict:
    """Meta-MAPG basins judged by consensus: first (empty cache) and cached runs."""
    from eqselect.numerics.dynamics.basins import run_basins
    from eqselect.numerics.dynamics.starts import SampledStarts
    from eqselect.numerics.network.basins import NetworkBasinOptions, network_basin_problem
    from eqselect.numerics.network.field import NetworkField

    field = NetworkField(_stag_hunt(f"watts-strogatz:{n_agents},4,0.1"), 0.55)
    problem = network_basin_problem(field, Rule("meta-mapg"),
                                    NetworkBasinOptions(SampledStarts(starts, 0), steps))
    out = {"agents": n_agents, "starts": starts, "steps": steps}
    for run in ("first_run", "cached"):
        wall, cpu = time.perf_counter(), time.process_time()
        bm = run_basins(problem)
        out[run] = {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu}
    out.update(fraction=bm.fraction, outcomes=bm.outcomes,
               agent_shares=bm.settling["agent_shares"])
    return out


def file_speed(text: str) -> dict:
    """Seconds to read a graph game file into its sparse field, and of a small
    ``eqselect basins`` on it in a fresh process."""
    import subprocess
    import sys

    from eqselect.numerics.network.field import NetworkField
    from eqselect.theory.io.network_spec import load_network

    path = Path(tempfile.mkdtemp(prefix="eqselect-bench-")) / "network.toml"
    path.write_text(text)
    t = time.perf_counter()
    net = load_network(path).substitute()
    t_load = time.perf_counter()
    frame = net.frame
    t_frame = time.perf_counter()
    NetworkField(net, 0.55)
    t_field = time.perf_counter()
    cli = [sys.executable, "-m", "eqselect", "basins", str(path), "--method", "pg",
           "--samples", "10", "--steps", "5"]
    wall = time.perf_counter()
    subprocess.run(cli, check=True, capture_output=True)
    return {"agents": frame.n_agents, "load_s": t_load - t, "frame_s": t_frame - t_load,
            "field_s": t_field - t_frame, "cli_basins_s": time.perf_counter() - wall}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks network",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(Path(__file__).with_name("network_results.json")))
    ap.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test")
    args = ap.parse_args(argv)
    os.environ["EQSELECT_CACHE_DIR"] = tempfile.mkdtemp(prefix="eqselect-bench-")
    import numba

    big, starts = (500, 200) if args.quick else (10_000, 10_000)
    res = {"machine": {"cpus": os.cpu_count(), "numba_threads": numba.get_num_threads(),
                       "load_average_at_start": os.getloadavg()},
           "field": field_speed(big), "jacobian": jacobian_speed(big),
           "basins": basin_speed(100, starts, 200),
           "file": file_speed(LARGE_FILE.replace("10000", str(big))), "targets": TARGETS}
    res["machine"]["load_average_at_end"] = os.getloadavg()
    Path(args.out).write_text(json.dumps(res, indent=2))
    f, j, b, g = res["field"], res["jacobian"], res["basins"], res["file"]
    print(f"field, {f['agents']} agents ({f['edges']} edges), Meta-MAPG: best "
          f"{f['best_ms']:.2f} ms, median {f['median_ms']:.2f} ms "
          f"(target < {TARGETS['field_ms']:g} ms)")
    print(f"sparse Jacobian: {j['colours']} colours, {j['nonzeros']} non-zeros, "
          f"{j['jacobian_s']:.3f} s; spectrum {j['spectrum_s']:.3f} s (mu = {j['mu']:.4g})")
    print(f"basins, {b['agents']} agents, {b['starts']} starts x {b['steps']} steps: first run "
          f"{b['first_run']['wall_s']:.2f} s, cached {b['cached']['wall_s']:.2f} s wall "
          f"({b['cached']['cpu_s']:.2f} s CPU; target < {TARGETS['basins_wall_s']:g} s wall "
          f"on 2 cores); outcomes {b['outcomes']}")
    print(f"graph file, {g['agents']} agents: read {g['load_s']:.2f} s, frame "
          f"{g['frame_s']:.3f} s, sparse field {g['field_s']:.2f} s; eqselect basins "
          f"--samples 10 --steps 5 in a fresh process {g['cli_basins_s']:.2f} s")
    print(f"load average at start {res['machine']['load_average_at_start']}, "
          f"at end {res['machine']['load_average_at_end']}")
    return 0
