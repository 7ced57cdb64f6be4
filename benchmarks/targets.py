"""The targets of "fast by default", each against its baseline in the same run.

- `api_default`: ``eqselect.basin_map(dec, "meta-mapg", grid=1001, steps=140)``
  with its default loop, the same with ``kernel="numba"`` and with
  ``precision="float32"``, the hand-written numba kernel of the same field
  (`benchmarks.stag_hunt_numba`) and eqselect's lane-interleaved kernel,
  interleaved, medians of ``repeats`` runs (target: the default within 1.1x
  of the fastest, the kernel at least 2x the hand-written one), with the
  outcomes that differ between the block and the lanes kernels (every start)
  and between float32 and float64 (a sample);
- `machine_limit`: the start-steps per second the cores could reach on the
  block kernel's step (its operations counted from the generated code, the
  cycles per vector operation measured in the same run, 4 lanes), beside
  the measured figure;
- `cli`: whole processes of the ``eqselect`` command: ``--version``,
  ``--help``, a warm ``basins --grid 21`` and ``basins --grid 1001``
  (targets: 0.2 s, 0.2 s, 1 s, 1.3x the kernel's own time, measured in the
  same run, interleaved), wall and CPU time (on a shared machine the CPU
  time is the steadier), with the phases of one large process
  (`basins_phases`);
- `ipd_kernel_load`: what a fresh process pays, after its imports and the
  derivation, to load the discounted IPD's kernel from the disk cache
  (target < 0.5 s), phase by phase;
- `ipd_second_eta`: a fresh process derives the discounted IPD at one eta and
  makes its basin kernel ready, then a second eta (target: < 1 s; the kernel
  is compiled once for every eta).
"""

from __future__ import annotations

import ast
import json
import math
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from eqselect.api import basin_map
from eqselect.theory import PAPER, Decomposition, builtin


def _hand_args():
    return (float(PAPER.eta), float(PAPER.own), float(PAPER.lam), PAPER.lr_base,
            PAPER.lr_offset, PAPER.lr_power, PAPER.clip, PAPER.success)


def _theta_grid(grid: int):
    """The hand kernels' starts: linspace(0.05, 0.95, grid)^2 as logits (as GridStarts)."""
    axis = np.linspace(0.05, 0.95, grid)
    p = np.stack([a.ravel() for a in np.meshgrid(axis, axis, indexing="ij")], axis=1)
    return np.log(p) - np.log1p(-p)


def _stag_modules():
    """The Stag Hunt Meta-MAPG kernel modules: the block one (the default, float64 and
    float32) and the lane-interleaved one."""
    from eqselect.numerics.dynamics.kernels.fused import KernelForm, problem_kernel
    from eqselect.numerics.dynamics.problem import BasinProblem
    from eqselect.numerics.dynamics.schedules import PaperSchedule
    from eqselect.theory import Rule

    dec = Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)
    problem = BasinProblem(dec, Rule("meta-mapg"))
    forms = {"block": KernelForm(), "block_float32": KernelForm("block", "float32"),
             "lanes": KernelForm("lanes")}
    return {k: problem_kernel(problem, PaperSchedule(), True, f) for k, f in forms.items()}


_API_RUNS = {"api_default": {}, "api_kernel_numba": {"kernel": "numba"},
             "api_float32": {"precision": "float32"}}


def api_default(grid: int, steps: int, repeats: int = 3) -> dict:
    """The API's default against the named kernel, float32 and the hand-written numba kernel.

    Interleaved in one process, medians of ``repeats`` runs: the API's default
    loop, ``kernel="numba"`` (the block kernel), the same in float32 (its note
    counts the sampled starts whose outcome differs from float64), the
    hand-written numba kernel and the lane-interleaved kernel (eqselect's
    scalar layout, kept for the fields the block does not take) stepped by
    `run_compiled`. The block and the lanes kernels' outcomes are compared
    start for start on every start of the grid.
    """
    from benchmarks.stag_hunt_numba import basin_fraction as hand_numba
    from eqselect.numerics.dynamics.kernels.fused import run_compiled

    dec = Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)
    hand_numba(11, 3, *_hand_args())  # numba compiles (or loads) the hand kernel first
    for kw in _API_RUNS.values():
        basin_map(dec, "meta-mapg", grid=11, steps=3, **kw)
    lanes, theta = _stag_modules()["lanes"], _theta_grid(grid)
    run_compiled(lanes, theta[:16], 2)
    runs = {name: [] for name in (*_API_RUNS, "hand_numba", "lanes_kernel")}
    fractions, hits, note = {}, {}, ""
    for _ in range(repeats):
        for name in runs:
            t0 = time.perf_counter()
            if name == "hand_numba":
                fractions[name] = hand_numba(grid, steps, *_hand_args())
            elif name == "lanes_kernel":
                hits[name] = run_compiled(lanes, theta, steps)[1]
                fractions[name] = float((hits[name] >= 0).mean())
            else:
                bm = basin_map(dec, "meta-mapg", grid=grid, steps=steps, **_API_RUNS[name])
                fractions[name], hits[name] = bm.fraction, bm.first_hit
                if name == "api_default":
                    fractions["api_default_ran"] = bm.kernel
                note = next((n for n in bm.notes if n.startswith("float32 kernel")), note)
            runs[name].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in runs.items()}
    fastest = min(med["api_kernel_numba"], med["hand_numba"])
    differ, sample = (int(x) for x in re.search(r"(\d+) of (\d+)", note).groups())
    block_lanes = int(np.sum((np.asarray(hits["api_kernel_numba"]) >= 0)
                             != (hits["lanes_kernel"] >= 0)))
    kernel = med["api_kernel_numba"]
    summary = (f"Stag Hunt {grid}^2 x {steps}, medians of {repeats} interleaved runs: the "
               f"kernel {kernel:.2f} s, {med['hand_numba'] / kernel:.2f}x "
               f"the hand-written numba kernel ({med['hand_numba']:.2f} s) and "
               f"{med['lanes_kernel'] / med['api_kernel_numba']:.2f}x the one-start-at-a-time "
               f"kernel ({block_lanes} outcomes differ); float32 {med['api_float32']:.2f} s, "
               f"{med['api_kernel_numba'] / med['api_float32']:.2f}x float64 ({differ} of {sample} "
               "sampled outcomes differ)")
    return {"summary": summary, "grid": grid, "steps": steps, "repeats": repeats,
            "seconds": runs,
            "median_seconds": med, "fractions": fractions,
            "ratios": {"api_default_vs_fastest": med["api_default"] / fastest,
                       "kernel_vs_hand_numba": med["hand_numba"] / med["api_kernel_numba"],
                       "float32_vs_hand_numba": med["hand_numba"] / med["api_float32"],
                       "float32_vs_kernel": med["api_kernel_numba"] / med["api_float32"],
                       "kernel_vs_lanes_kernel": med["lanes_kernel"] / med["api_kernel_numba"]},
            "block_vs_lanes_differing_outcomes": block_lanes,
            "float32_differing_outcomes": {"differ": differ, "sample": sample, "note": note},
            "start_steps_per_second": {k: grid * grid * steps / v for k, v in med.items()}}


#: Doubles in an AVX2 vector: the block kernel's lanes.
LANES = 4


def vector_cycles(n: int = 100_000, width: int = 256) -> dict:
    """Cycles per *vector* operation (4 doubles) on one core, measured: an addition
    or multiplication ("flop"), a division, and one `vexp` (all its operations).

    Each pass computes ``width`` independent results (64 vectors, in L1) from
    inputs shifted by the pass's own t, so the processor overlaps them: the
    figures are throughput, not latency, and no pass can be skipped. The
    compiler widens these loops to 4 doubles as it widens the kernel's. The
    shift (one addition an element) is subtracted. Under load every figure,
    the kernel's included, slows alike.
    """
    import numba

    from eqselect.numerics.dynamics.kernels.vexp import vexp

    @numba.njit(cache=False, error_model="numpy")
    def flops(x, out, n):
        for r in range(n):
            t = r * 1e-12
            for i in range(x.shape[0]):
                out[i] = (x[i] + t) * 0.9999999 + 1e-9
        return out

    @numba.njit(cache=False, error_model="numpy")
    def divs(x, out, n):
        for r in range(n):
            t = r * 1e-12
            for i in range(x.shape[0]):
                out[i] = 1.0 / (x[i] + t)
        return out

    @numba.njit(cache=False, error_model="numpy")
    def exps(x, out, n):
        for r in range(n):
            t = r * 1e-12
            for i in range(x.shape[0]):
                out[i] = vexp(x[i] + t)
        return out

    hz, out = cpu_hz(), {}
    vectors = n * width / LANES
    for name, fn, ops in (("flop", flops, 3), ("div", divs, 1), ("exp", exps, 1)):
        x, y = np.linspace(-1.0, 1.0, width), np.empty(width)
        fn(x, y, 2)
        best = float("inf")
        for _ in range(3):
            t0 = time.thread_time()  # CPU time: the machine's other loads do not count
            fn(x, y, n)
            best = min(best, time.thread_time() - t0)
        cycles = best * hz / vectors - (0 if name == "flop" else out["flop"])
        out[name] = cycles / ops
    return out


def _inner_loop(text: str) -> list:
    """The stripped lines of a block kernel's loop over the block inside the time loop."""
    lines = text.splitlines()
    first = next(i for i, ln in enumerate(lines) if ln.strip().startswith("rate = "))
    start = next(i for i in range(first, len(lines)) if lines[i].strip().startswith("for b in"))
    depth = len(lines[start]) - len(lines[start].lstrip())
    body = []
    for ln in lines[start + 1:]:
        if len(ln) - len(ln.lstrip()) <= depth:
            break
        body.append(ln.strip())
    return body


def block_operations(text: str) -> dict:
    """Operations of one start-step in a block kernel (`eqselect.numerics.dynamics.
    kernels.simd`): its inner loop over the block, counted on the syntax trees as
    `step_operations` counts, with a comparison, ``&``, ``|``, a select and ``min``
    or ``max`` one operation each and a `vexp` call one exponential; the loads and
    stores of the rows are not counted."""
    count = {"flop": 0, "div": 0, "exp": 0}
    for ln in _inner_loop(text):
        value = ln.partition(" = ")[2]
        if value.startswith("_S[") or re.fullmatch(r"_p\d+", value):
            continue  # a row loaded or stored
        for node in ast.walk(ast.parse(value, mode="eval")):
            if _binary(node, count):
                continue
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                count["exp" if name == "vexp" else "flop"] += (
                    1 if name == "vexp" else len(node.args) - 1 if name in ("min", "max") else 0)
            elif isinstance(node, (ast.UnaryOp, ast.Compare, ast.IfExp)) and not _constant(node):
                count["flop"] += len(node.ops) if isinstance(node, ast.Compare) else 1
    return count


def operation_cycles(n: int = 2_000_000) -> dict:
    """Cycles per operation on one core, measured (numba, 8 independent chains, so
    throughput and not latency): an addition or multiplication ("flop"), a
    division, an exponential. Under load every figure, the kernel's included,
    slows alike."""
    import numba

    @numba.njit(cache=False)
    def flops(n):
        a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = 1.0
        for _ in range(n):
            a0 = a0 * 0.9999999 + 1e-9
            a1 = a1 * 0.9999998 + 1e-9
            a2 = a2 * 0.9999997 + 1e-9
            a3 = a3 * 0.9999996 + 1e-9
            a4 = a4 * 0.9999995 + 1e-9
            a5 = a5 * 0.9999994 + 1e-9
            a6 = a6 * 0.9999993 + 1e-9
            a7 = a7 * 0.9999992 + 1e-9
        return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7

    @numba.njit(cache=False)
    def divs(n):
        s = 0.0
        for k in range(n):
            x = 1.0 + k * 1e-9
            s += (1.0 / x + 1.0 / (x + 1.0) + 1.0 / (x + 2.0) + 1.0 / (x + 3.0)
                  + 1.0 / (x + 4.0) + 1.0 / (x + 5.0) + 1.0 / (x + 6.0) + 1.0 / (x + 7.0))
        return s

    @numba.njit(cache=False)
    def exps(n):
        s = 0.0
        for k in range(n):
            x = -1.0 - k * 1e-9
            s += (math.exp(x) + math.exp(x - 0.1) + math.exp(x - 0.2) + math.exp(x - 0.3)
                  + math.exp(x - 0.4) + math.exp(x - 0.5) + math.exp(x - 0.6)
                  + math.exp(x - 0.7))
        return s

    hz, out = cpu_hz(), {}
    # the divisions' and exponentials' loops also add (8 + 9 flops an iteration)
    for name, fn, ops, extra in (("flop", flops, 16, 0), ("div", divs, 8, 17),
                                 ("exp", exps, 8, 17)):
        fn(10)
        best = float("inf")
        for _ in range(3):
            t0 = time.thread_time()  # CPU time: the machine's other loads do not count
            fn(n)
            best = min(best, time.thread_time() - t0)
        cycles = best * hz / n
        if extra:
            cycles -= extra * out["flop"]
        out[name] = cycles / ops
    return out


def step_operations(text: str) -> dict:
    """Operations of one start-step in a generated kernel: the first lane's lines
    between the step's rate and the next state's success test, counted on their
    syntax trees (constant subexpressions such as -1/400 are folded by the
    compiler and not counted; x**k counts k - 1 multiplications)."""
    body = text[text.index("rate = rates[k]"):]
    body = body[:body.index("final[")]
    lines = [ln.strip() for ln in body.splitlines()
             if ln.strip().endswith("_0") or "_0 " in ln or "_0)" in ln]
    count = {"flop": 0, "div": 0, "exp": 0}
    for ln in lines:
        if "=" not in ln or ln.startswith(("if ", "for ")):
            continue
        tree = ast.parse(ln.split("=", 1)[1].strip(), mode="eval")
        for node in ast.walk(tree):
            if _binary(node, count):
                continue
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                count["exp" if name == "math.exp" else "flop"] += 1 if name == "math.exp" \
                    else len(node.args) - 1
            elif isinstance(node, ast.UnaryOp) and not _constant(node):
                count["flop"] += 1
    return count


def _binary(node, count: dict) -> bool:
    """Count a binary operation into ``count`` (a division, or x**k as k - 1
    multiplications, or one flop; constant subexpressions are folded by the
    compiler and not counted); whether ``node`` was one."""
    if not isinstance(node, ast.BinOp):
        return False
    if _constant(node):
        return True
    if isinstance(node.op, ast.Div):
        count["div"] += 1
    elif isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant):
        count["flop"] += int(node.right.value) - 1
    else:
        count["flop"] += 1
    return True


def _constant(node) -> bool:
    return all(isinstance(n, (ast.Constant, ast.BinOp, ast.UnaryOp, ast.operator,
                              ast.unaryop)) for n in ast.walk(node))


def cpu_hz() -> float:
    """The cores' clock (the largest "cpu MHz" of /proc/cpuinfo), in Hz."""
    try:
        mhz = [float(ln.split(":")[1]) for ln in open("/proc/cpuinfo")
               if ln.startswith("cpu MHz")]
    except OSError:
        mhz = []
    return max(mhz) * 1e6 if mhz else float("nan")


def machine_limit(measured: float) -> dict:
    """The cores' limit on the block kernel's step beside the measured rate.

    Its operations (`block_operations`: additions and multiplications,
    divisions, `vexp` calls) at the cycles per vector operation measured in
    the same run (`vector_cycles`), 4 lanes a vector, on every core, with no
    stall between them: cores x clock x lanes / (operations x cycles). The
    cycles are CPU time, so the limit is the idle machine's; ``measured`` (wall
    time) is beside it, and so is the kernel's rate per CPU-second of this
    process times the cores (301^2 starts x 140 steps), the figure to read
    on a shared machine. The scalar limit of the lane-interleaved kernel
    (`step_operations` at `operation_cycles`: libm's exponential, one lane)
    is kept beside them.
    """
    from eqselect.numerics.dynamics.kernels.fused import run_compiled

    modules = _stag_modules()
    ops = block_operations(Path(modules["block"].__file__).read_text())
    per_vector = vector_cycles()
    theta = _theta_grid(301)
    run_compiled(modules["block"], theta[:16], 2)
    t0 = time.process_time()  # every thread of this process: the kernel's own CPU time
    run_compiled(modules["block"], theta, 140)
    cpu_rate = len(theta) * 140 / (time.process_time() - t0)
    vector_step = sum(per_vector[k] * v for k, v in ops.items())
    cores, hz = os.cpu_count() or 1, cpu_hz()
    limit = cores * hz * LANES / vector_step
    scalar_ops = step_operations(Path(modules["lanes"].__file__).read_text())
    scalar = operation_cycles()
    scalar_limit = cores * hz / sum(scalar[k] * v for k, v in scalar_ops.items())
    summary = (f"Block kernel: {ops['flop']} additions, multiplications, comparisons and "
               f"selects, {ops['div']} divisions and {ops['exp']} exponentials a start-step, at "
               f"{per_vector['flop']:.2f}, {per_vector['div']:.1f} and {per_vector['exp']:.1f} "
               f"cycles per vector operation of {LANES} doubles (CPU time, this run): "
               f"{vector_step / LANES:.1f} cycles a start-step, on {cores} cores at "
               f"{hz / 1e9:.2f} GHz a limit of {limit / 1e6:.0f} M start-steps per second; "
               f"measured {measured / 1e6:.0f} M (wall) and {cpu_rate * cores / 1e6:.0f} M "
               f"(per CPU-second x cores), {100 * cpu_rate * cores / limit:.0f}% of the limit; "
               f"the scalar limit of the one-start-at-a-time kernel is "
               f"{scalar_limit / 1e6:.0f} M")
    return {"summary": summary, "operations_per_start_step": ops,
            "cycles_per_operation": per_vector,
            "cycles_per_operation_means": f"one vector operation on {LANES} lanes",
            "lanes": LANES, "cycles_per_start_step": vector_step / LANES, "cores": cores,
            "clock_hz": hz, "limit_start_steps_per_second": limit,
            "measured_start_steps_per_second": measured, "share_of_limit": measured / limit,
            "cpu_measured_start_steps_per_second": cpu_rate * cores,
            "cpu_share_of_limit": cpu_rate * cores / limit,
            "scalar_lanes_kernel": {"operations_per_start_step": scalar_ops,
                                    "cycles_per_operation": scalar,
                                    "limit_start_steps_per_second": scalar_limit}}


def _command() -> list:
    script = Path(sys.executable).with_name("eqselect")
    return [str(script)] if script.exists() else [sys.executable, "-m", "eqselect"]


def _timed(argv, env) -> tuple[float, float]:
    """(wall, CPU of the child: user + system) of one whole ``eqselect`` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(_command() + argv, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _kernel_seconds(grid: int, steps: int) -> tuple[float, float]:
    """(wall, CPU of this process, every thread) of the API's compiled kernel on the
    command's map: ``basin_map(dec, "meta-mapg", grid=grid, steps=steps,
    kernel="numba")``, the kernel loaded already."""
    dec = Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)
    basin_map(dec, "meta-mapg", grid=11, steps=3, kernel="numba")  # loaded, not timed
    before = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    basin_map(dec, "meta-mapg", grid=grid, steps=steps, kernel="numba")
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_SELF)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


_FLOOR = """
import json, sys
import numpy as np
from eqselect.numerics.dynamics.kernels.cache import load_module
from eqselect.numerics.dynamics.kernels.run import run_compiled
path, grid, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
module = load_module(path)
axis = np.linspace(0.05, 0.95, grid)
p = np.stack([a.ravel() for a in np.meshgrid(axis, axis, indexing="ij")], axis=1)
final, hit = run_compiled(module, np.log(p) - np.log1p(-p), steps)
print(json.dumps({"fraction": float(np.mean(hit >= 0)), "route": module.run.route,
                  "sympy imported": "sympy" in sys.modules,
                  "numba imported": "numba" in sys.modules}))
"""


def _floor_kernel(grid: int, steps: int) -> str:
    """The file of the kernel the command's large map runs (on disk once it ran)."""
    from eqselect.numerics.dynamics.kernels.fused import problem_kernel_values
    from eqselect.numerics.dynamics.problem import BasinProblem
    from eqselect.numerics.dynamics.schedules import PaperSchedule
    from eqselect.numerics.dynamics.starts import GridStarts
    from eqselect.theory import Rule

    dec = Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)
    problem = BasinProblem(dec, Rule("meta-mapg"), GridStarts(grid), steps, kernel="numba")
    return problem_kernel_values(problem, PaperSchedule(), True)[0].__file__


def floor_process(grid: int, steps: int, env) -> tuple:
    """(wall, CPU, what it printed) of the least a whole process running the command's
    kernel can cost: the interpreter, numpy, the kernel module from the disk cache and
    its run over the grid's logits, nothing derived, judged or written besides the
    success predicate's fraction (no sympy, no numba)."""
    argv = [sys.executable, "-c", _FLOOR, _floor_kernel(grid, steps), str(grid), str(steps)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(argv, env=env, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads(done.stdout.strip().splitlines()[-1])


def cli(large_grid: int, repeats: int = 3) -> dict:
    """Whole ``eqselect`` processes, warm (bytecode and kernels cached by a first run).

    The large map's figure is set against the kernel's own time measured in
    the same run, interleaved with it (``kernel_grid_N``: the API's compiled
    kernel on the same starts and steps, in this process): the ratio
    ``basins_grid_N / kernel_grid_N``, of wall and of CPU time (target 1.3x),
    and the phases of one such process (`basins_phases`).
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    basins = ["basins", "stag-hunt", "--method", "meta-mapg", "--json"]
    large = f"basins_grid_{large_grid}"
    cases = {"version": ["--version"], "help": ["--help"],
             "basins_grid_21": basins + ["--grid", "21"],
             large: basins + ["--grid", str(large_grid)]}
    out, floor, printed = {}, [], None
    for name, argv in cases.items():
        _timed(argv, env)  # warm: bytecode written, kernel compiled
        runs, kernel = [], []
        for _ in range(repeats):
            runs.append(_timed(argv, env))
            if name == large:
                kernel.append(_kernel_seconds(large_grid, PAPER.steps))
                *seconds, printed = floor_process(large_grid, PAPER.steps, env)
                floor.append(seconds)
        out[name] = {"wall": statistics.median(r[0] for r in runs),
                     "cpu": statistics.median(r[1] for r in runs), "runs": len(runs)}
        if kernel:
            out[f"kernel_grid_{large_grid}"] = {
                "wall": statistics.median(r[0] for r in kernel),
                "cpu": statistics.median(r[1] for r in kernel), "runs": len(kernel)}
    k = out[f"kernel_grid_{large_grid}"]
    out["ratio_vs_kernel"] = {"wall": out[large]["wall"] / k["wall"],
                              "cpu": out[large]["cpu"] / k["cpu"]}
    out["floor_process"] = {"wall": statistics.median(f[0] for f in floor),
                            "cpu": statistics.median(f[1] for f in floor),
                            "runs": len(floor), **printed}
    out["floor_ratio_vs_kernel"] = {"wall": out["floor_process"]["wall"] / k["wall"],
                                    "cpu": out["floor_process"]["cpu"] / k["cpu"]}
    out["phases"] = basins_phases(large_grid, env)
    return out


_PHASES = """
import functools, importlib, io, json, sys, time, contextlib
T0, C0 = time.perf_counter(), time.process_time()
wall, cpu = {}, {}

def timed(name, module, attr):
    m = importlib.import_module(module)
    f = getattr(m, attr)

    @functools.wraps(f)
    def g(*a, **k):
        t, c = time.perf_counter(), time.process_time()
        try:
            return f(*a, **k)
        finally:
            wall[name] = wall.get(name, 0.0) + time.perf_counter() - t
            cpu[name] = cpu.get(name, 0.0) + time.process_time() - c
    setattr(m, attr, g)

from eqselect.cli import build_parser, main
t, c = time.perf_counter(), time.process_time()
build_parser(["basins"])  # the command's options: eqselect.theory, sympy, symengine
wall["imports"], cpu["imports"] = time.perf_counter() - t, time.process_time() - c
P = "eqselect.numerics.dynamics."
for name, module, attr in (
        ("derivation", "eqselect.commands.inputs", "numeric_decomposition"),
        ("fixed-point search", "eqselect.commands.basins", "basin_fixed_points"),
        ("starts: the grid", P + "starts", "grid_starts"),
        ("starts: their parameters (logits)", P + "starts",
         "probability_to_parameters"),
        ("judge's field (imports numba)", P + "basins", "_judge_field"),
        ("kernel lookup", P + "kernels.fused", "problem_kernel_values"),
        ("kernel", P + "kernels.fused", "run_compiled"),
        ("classification", P + "attractors", "classify_ends"),
        ("cycle test", P + "basins", "cycling"),
        ("judging (classification, cycle test, success predicate)", P + "classify",
         "summarise"),
        ("JSON document", "eqselect.commands.basins", "basins_json")):
    timed(name, module, attr)
with contextlib.redirect_stdout(io.StringIO()) as text:
    main(sys.argv[1:])
wall["process (after the interpreter started)"] = time.perf_counter() - T0
cpu["process (after the interpreter started)"] = time.process_time() - C0
print(json.dumps({"wall": wall, "cpu": cpu, "bytes_written": len(text.getvalue())}))
"""


def basins_phases(grid: int, env=None) -> dict:
    """Wall and CPU seconds of each phase of one warm ``eqselect basins stag-hunt
    --method meta-mapg --json --grid N`` process: imports, derivation, the
    fixed-point search that names the attractors, the starts, the kernel,
    classifying the end points, the cycle test of the unsettled ones, the
    JSON document. CPU is this process's (all threads; the kernel's runs on
    every core)."""
    argv = ["basins", "stag-hunt", "--method", "meta-mapg", "--json", "--grid", str(grid)]
    done = subprocess.run([sys.executable, "-c", _PHASES, *argv], env=env, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


_KERNEL_LOAD = """
import json, sys, time
import numpy as np
from eqselect.theory import PAPER, Decomposition, Rule, ipd
from eqselect.numerics.dynamics.problem import BasinProblem
from eqselect.numerics.dynamics.schedules import PaperSchedule
from eqselect.numerics.dynamics.starts import SampledStarts
from eqselect.numerics.dynamics.kernels.fused import problem_kernel_values, run_compiled
dec = Decomposition(ipd("logit").substitute(), eta=PAPER.eta)
problem = BasinProblem(dec, Rule("meta-mapg"), SampledStarts(4), 2, kernel="numba")
out, t = {}, time.perf_counter()
module, q = problem_kernel_values(problem, PaperSchedule(), True)
out["key and module from the disk cache"] = time.perf_counter() - t
x = np.zeros((1, len(dec.game.parameters)))
t = time.perf_counter()
module.run(x, 1, np.asarray(q, dtype=float).reshape(-1), np.empty_like(x),
           np.empty(1, dtype=np.int64))
out["first call: the compiled loop loaded, 1 start x 1 step"] = time.perf_counter() - t
t = time.perf_counter()
run_compiled(module, np.zeros((4, x.shape[1])), 2, q)
out["4 starts x 2 steps"] = time.perf_counter() - t
print(json.dumps({"seconds": out, "route": module.run.route,
                  "numba imported": "numba" in sys.modules}))
"""


def ipd_kernel_load() -> dict:
    """What a fresh process pays to load the discounted IPD's compiled kernel once it
    is on disk, after the imports and the derivation: the kernel's key and
    module (`problem_kernel_values`), the first call (which loads the loop:
    its machine code through llvmlite, `eqselect.numerics.dynamics.kernels.
    machine_code`, or else numba, which imports itself, builds its typing and
    lowering registries and loads its cache), and a 4-start run. Run twice;
    the second run's figures are returned, with the route the loop took and
    whether numba was imported."""
    run = [sys.executable, "-c", _KERNEL_LOAD]
    subprocess.run(run, check=True, capture_output=True)  # the kernel on disk
    out = json.loads(subprocess.run(run, check=True, capture_output=True, text=True)
                     .stdout.strip().splitlines()[-1])
    out["total"] = sum(out["seconds"].values())
    return out


def print_cli(cl: dict, load: dict) -> None:
    """The command line's figures: each process, the large map against the kernel's
    own time, the phases of one large map, and the IPD kernel's load."""
    for name, v in cl.items():
        if isinstance(v, dict) and "wall" in v and "runs" in v:
            print(f"  {name:<40} wall {v['wall']:7.2f} s   CPU {v['cpu']:7.2f} s")
    r = cl["ratio_vs_kernel"]
    print(f"  whole basins command / the kernel's own time (same run): wall {r['wall']:.2f}x, "
          f"CPU {r['cpu']:.2f}x (target 1.3x)")
    f = cl["floor_ratio_vs_kernel"]
    print(f"  the floor: a process that only loads that kernel and runs it on the grid "
          f"(sympy imported: {cl['floor_process']['sympy imported']}, fraction "
          f"{cl['floor_process']['fraction']:.6f}): wall {f['wall']:.2f}x, CPU {f['cpu']:.2f}x")
    phases = cl["phases"]
    print("  phases of one basins command (wall, CPU):")
    for name, wall in phases["wall"].items():
        print(f"    {name:<58} {wall:7.2f} s {phases['cpu'][name]:7.2f} s")
    print(f"  the IPD's kernel in a fresh process, after its imports and the derivation "
          f"(loop: {load['route']}, numba imported: {load['numba imported']}):")
    for name, seconds in [*load["seconds"].items(), ("total", load["total"])]:
        print(f"    {name:<70} {seconds:6.2f} s")


_SECOND_ETA = """
import sys, time
import sympy as sp
t0 = time.perf_counter()
from eqselect.api import basin_monte_carlo
from eqselect.theory import PAPER, Decomposition, ipd
t1 = time.perf_counter()
dec = Decomposition(ipd("logit").substitute(), eta=PAPER.eta)
bm = basin_monte_carlo(dec, "meta-mapg", n=int(sys.argv[1]), steps=int(sys.argv[2]))
t2 = time.perf_counter()
dec = Decomposition(ipd("logit").substitute(), eta=sp.Rational(3, 10))
bm2 = basin_monte_carlo(dec, "meta-mapg", n=int(sys.argv[1]), steps=int(sys.argv[2]))
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2, bm.kernel, bm2.kernel)
"""


def ipd_second_eta(n: int = 4, steps: int = 2) -> dict:
    """A fresh process: the IPD at eta = 11/20, then at 3/10 (the kernel on disk);
    ``n`` starts x ``steps`` steps each, so that the figures are the setup: the
    derivation and the kernel (the stepping is timed in ``ipd``)."""
    run = [sys.executable, "-c", _SECOND_ETA, str(n), str(steps)]
    subprocess.run(run, check=True, capture_output=True)  # the kernel on disk
    words = subprocess.run(run, check=True, capture_output=True, text=True).stdout.split()
    imports, first, second = map(float, words[:3])
    return {"starts": n, "steps": steps, "imports": imports,
            "first_eta_derive_load_and_run": first, "second_eta_derive_and_run": second,
            "kernels": words[3:]}
