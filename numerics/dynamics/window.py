"""The cycle test of a basin map: the runs still moving, stepped a window further.

A run that reached no attractor by step K goes on for ``window`` more steps
of its schedule (lr_{K + k}, lambda_{K + k}; the flow: RK4 steps of dt), and
`ParameterRecurrence` (`eqselect.numerics.dynamics.recurrence`) says whether
it came back to where the window started: a cycle (docs/cli.md, "Basins
and attractors").

On numpy the runs go in cache-sized chunks, tested step by step. On the
compiled kernel the runs are split into one part a core, each part judged
by one call of a compiled loop (`compiled_cycles`,
`eqselect.numerics.dynamics.kernels.cycle`) that takes the kernel's steps
and tests the recurrence itself, on its own thread (the call releases the
GIL), when the test has at least `CYCLE_LOOP_LEAST` run-steps. A run
whose test came within rounding of a threshold there, every run of a
smaller test, and every run where that loop cannot be built or does not
compile, is judged as on numpy with the kernel's steps: one call of the
kernel module's ``run`` a step, resuming the schedule at K + k.
"""

from __future__ import annotations

import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import numpy as np

from eqselect.numerics.dynamics.flow import region_projector, rk4_step, tangent_projector
from eqselect.numerics.dynamics.recurrence import EPS, ParameterRecurrence, stay_box
from eqselect.numerics.dynamics.starts import (
    action_blocks, chunks, parameters_to_strategies, start_kind)

__all__ = ["CYCLE_LOOP_LEAST", "KERNEL_WINDOW_CHUNK", "KERNEL_WINDOW_LEAST", "WINDOW_CHUNK",
           "compiled_cycles", "cycle_module", "cycling", "window_kernel"]


#: Starts stepped together by the cycle test on numpy: its temporaries (a few
#: arrays of chunk x d floats a step) then stay in the core's cache, which runs
#: its 400 steps about 1.6x faster than chunks of 16384 starts.
WINDOW_CHUNK = 1 << 12
#: Starts stepped together by the cycle test on the compiled kernel: one call a
#: step takes them all (its state is only chunk x d floats; every call has a
#: fixed cost).
KERNEL_WINDOW_CHUNK = 1 << 17
#: Fewest starts a thread of the compiled window takes: a thread's share of the
#: stepping has to outweigh the fixed cost of its calls.
KERNEL_WINDOW_LEAST = 1 << 10
#: Fewest run-steps (runs x window) the compiled cycle loop takes: below them the
#: window steps one kernel call a step, since generating and compiling the loop
#: into an empty cache (1-3 s, once) would cost more than the whole test. The
#: verdicts are the same either way (`compiled_cycles`).
CYCLE_LOOP_LEAST = 1 << 20


def cycling(problem, window: int, field, sched, x, progress=None, kernel=None) -> np.ndarray:
    """Which of the runs at x come back within ``window`` more steps (the
    attractor judge's cycle test, `eqselect.numerics.dynamics.classify`).

    The discrete schedule goes on from step K (lr_{K + k}, lambda_{K + k});
    the flow goes on with RK4 steps of ``dt``. Runs in parts (one a core on
    the compiled kernel, cache-sized chunks on numpy), testing each step
    online (`ParameterRecurrence`, the `Recurrence` test computing strategies
    only where they can change a verdict), so memory stays flat; a run found
    recurrent is stepped no further.

    ``kernel``: (module, q) of the compiled kernel that ran the map
    (`eqselect.numerics.dynamics.kernels.fused.problem_kernel_values`); the
    window's steps are then the kernel's, judged in one compiled loop a part
    (`compiled_cycles`) or, where that loop does not decide, one call of its
    ``run`` a step resuming the schedule at K + k (``start``); else numpy's.
    """
    step = _window_step(problem, field, sched, kernel)
    out = np.zeros(len(x), dtype=bool)

    def judge(part):
        out[part] = _window_recurrent(problem.game, step, x[part], int(problem.steps), window)
        return part.stop - part.start

    if kernel is None:
        for part in chunks(len(x), WINDOW_CHUNK):
            done = judge(part)
            if progress is not None:
                progress.update(done)
        return out
    compiled = None if len(x) * int(window) < CYCLE_LOOP_LEAST else compiled_cycles(
        problem.game, kernel, x, int(problem.steps), window, progress)
    if compiled is not None:
        found, undecided = compiled
        out[:] = found
        rows = np.flatnonzero(undecided)  # a comparison within rounding of its threshold
        if rows.size:
            out[rows] = _window_recurrent(problem.game, step, x[rows], int(problem.steps),
                                          window)
        return out
    from eqselect.numerics.dynamics.kernels.fused import threads

    # a compiled step releases the GIL: one part a core, each stepped on its own thread
    workers = threads()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done in pool.map(judge, list(chunks(len(x), _part_size(len(x), workers)))):
            if progress is not None:
                progress.update(done)
    return out


def _part_size(n: int, workers: int) -> int:
    """Runs a thread of the compiled window takes at a time: one part a core, within
    `KERNEL_WINDOW_LEAST` .. `KERNEL_WINDOW_CHUNK`."""
    return min(KERNEL_WINDOW_CHUNK, max(KERNEL_WINDOW_LEAST, -(-n // workers)))


def compiled_cycles(game, kernel, x, k0: int, window: int, progress=None) -> tuple | None:
    """(recurrent, undecided), bool arrays shape (n,): the cycle test of the runs at x
    in the compiled loop of `eqselect.numerics.dynamics.kernels.cycle` (the
    kernel's steps k0 .. k0 + window - 1, the recurrence tested in the same
    loop, one call a part, one part a core).

    ``kernel``: (module, q), a kernel of the game
    (`eqselect.numerics.dynamics.kernels.fused.problem_kernel_values`) and its
    run-time values.

    A run is ``undecided`` when one of its deciding comparisons came within
    rounding of its threshold (`eqselect.numerics.dynamics.kernels.cycle.TIE`):
    its verdict is `ParameterRecurrence`'s on the same steps, for the caller
    to compute. None when the cycle loop cannot be built (a native field's
    side file unreadable) or numba cannot compile it (a warning says so): the
    window then steps one call a step.
    """
    module, q = kernel
    cycle = cycle_module(game, module)
    if cycle is None:
        return None
    x = np.ascontiguousarray(x, dtype=float)
    lo, hi = stay_box(game, x, 5 * EPS)
    packed = np.ascontiguousarray(np.concatenate(
        [x, lo, hi, parameters_to_strategies(game, x)], axis=1))
    q = np.ascontiguousarray(q, dtype=float).reshape(-1)
    final, hit = np.empty_like(x), np.full(len(x), -1, dtype=np.int64)

    def run(part):
        cycle.run(packed[part], int(window), q, final[part], hit[part], int(k0))
        return part.stop - part.start

    from eqselect.numerics.dynamics.kernels.fused import threads

    workers = threads()
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for done in pool.map(run, list(chunks(len(x), _part_size(len(x), workers)))):
                if progress is not None:
                    progress.update(done)
    except Exception as exc:  # generated code numba cannot compile (labelled fallback)
        errors = sys.modules.get("numba.core.errors")
        if errors is None or not isinstance(exc, errors.NumbaError):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        warnings.warn(f"compiled cycle test failed to compile ({first}); the window steps "
                      "one kernel call a step", RuntimeWarning, stacklevel=2)
        return None
    return hit > 0, hit == -2


#: Cycle modules already found in this process, by map kernel and game layout.
_CYCLES: dict = {}


def cycle_module(game, module):
    """The module of `eqselect.numerics.dynamics.kernels.cycle` on a map kernel module
    (from the disk cache, or written once, with a copy of a native field's side
    file); None when that side file cannot be read."""
    kind = start_kind(game)
    blocks = tuple(tuple(b) for _, _, b, _ in action_blocks(game))
    key = (module.key, kind, blocks)
    if key not in _CYCLES:
        from eqselect.numerics.disk_cache import load
        from eqselect.numerics.dynamics.kernels.cache import cached_kernel
        from eqselect.numerics.dynamics.kernels.cycle import cycle_text

        path = Path(module.__file__)
        _, _, text = path.read_text().partition("\n")  # the checksum line
        side = {}
        if "\nEXTRA = " in text:  # a native field, read beside the module
            side[".field"] = load(path.with_suffix(".field"))
        made = cycle_text(text, module.key, kind, blocks, len(game.parameters))
        _CYCLES[key] = None if None in side.values() else cached_kernel(
            made, lambda: (made, side), keyed_by_text=True)
    return _CYCLES[key]


def _window_recurrent(game, step, x, k0: int, window: int) -> np.ndarray:
    """`ParameterRecurrence` of the runs at x over ``window`` steps from step k0."""
    y = np.array(x, dtype=float)
    test = ParameterRecurrence(game, y)
    for k in range(int(window)):
        y = step(y, k0 + k)
        keep = test.update(y)
        if keep is not None:  # runs found recurrent are stepped no further
            y = y[keep]
            if not len(y):
                break
    return test.recurrent


def _window_step(problem, field, sched, kernel) -> Callable:
    """``step(y, k)``: the runs at y one step on, the step k of the schedule."""
    if kernel is not None:
        module, q = kernel
        q = np.ascontiguousarray(q, dtype=float).reshape(-1)

        def kernel_step(y, k):
            # the module's own entry on this thread (`cycling` gives each core a
            # part): one step of the few starts still moving takes less time than
            # handing chunks to threads (`run_compiled`) costs
            y = np.ascontiguousarray(y, dtype=float)
            out = np.empty_like(y)
            module.run(y, 1, q, out, np.empty(len(y), dtype=np.int64), k)
            return out

        return kernel_step
    proj = region_projector(problem.game.region,
                            getattr(sched, "clip", None) if sched else None)
    if sched is None:
        tan = tangent_projector(problem.game.region)
        return lambda y, k: rk4_step(field, y, problem.dt, tan, proj)
    if field.step_dependent:
        return lambda y, k: proj(y + sched.lr(k) * field(y, k))
    return lambda y, k: proj(y + sched.lr(k) * field(y))


def window_kernel(problem, sched, success) -> tuple | None:
    """(module, q) of the compiled kernel the map ran on, for the cycle test's
    steps; None when the window stays on numpy: the map's kernel is a
    source's, or the IPD's chain kernel (the judge's chain field, batched
    over the cores, steps a window faster than that kernel one call a step).

    The module is the map's (same predicate and form, found in this process's
    table): for a float32 map, the float64 block kernel its check ran.
    """
    from eqselect.numerics.dynamics.kernels.chain import chain_game

    if problem.source is not None or chain_game(problem.game) is not None:
        return None
    from eqselect.numerics.dynamics.kernels.fused import KernelForm, problem_kernel_values

    builtin = problem.judge.success_predicate is None and success is not None
    float32 = getattr(problem, "precision", "float64") != "float64"
    return problem_kernel_values(problem, sched, builtin,
                                 KernelForm("block") if float32 else KernelForm())
