"""The cycle test of a basin map: the runs still moving, stepped a window further.

A run that reached no attractor by step K goes on for ``window`` more steps
of its schedule (lr_{K + k}, lambda_{K + k}; the flow: RK4 steps of dt), and
`ParameterRecurrence` (`eqselect.numerics.dynamics.recurrence`) says whether
it came back to where the window started: a cycle (docs/cli.md, "Basins
and attractors"). On the compiled kernel every step is one call of the kernel module's
``run`` resuming the schedule at K + k, and the runs are split into one part
a core, each part stepped on its own thread (the call releases the GIL);
on numpy the runs go in cache-sized chunks.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np

from eqselect.numerics.dynamics.flow import region_projector, rk4_step, tangent_projector
from eqselect.numerics.dynamics.recurrence import ParameterRecurrence
from eqselect.numerics.dynamics.starts import chunks

__all__ = ["KERNEL_WINDOW_CHUNK", "KERNEL_WINDOW_LEAST", "WINDOW_CHUNK", "cycling",
           "window_kernel"]


#: Starts stepped together by the cycle test on numpy: its temporaries (a few
#: arrays of chunk x d floats a step) then stay in the core's cache, which runs
#: its 400 steps about 1.6x faster than chunks of 16384 starts.
WINDOW_CHUNK = 1 << 12
#: Starts stepped together by the cycle test on the compiled kernel: one call a
#: step takes them all (its state is only chunk x d floats; every call has a
#: fixed cost).
KERNEL_WINDOW_CHUNK = 1 << 17
#: Fewest starts a thread of the compiled window takes: a thread's share of the
#: stepping has to outweigh the fixed cost of its calls, one a step.
KERNEL_WINDOW_LEAST = 1 << 10


def cycling(problem, window: int, field, sched, x, progress=None, kernel=None) -> np.ndarray:
    """Which of the runs at x come back within ``window`` more steps (the
    attractor judge's cycle test, `eqselect.numerics.dynamics.classify`).

    The discrete schedule goes on from step K (lr_{K + k}, lambda_{K + k});
    the flow goes on with RK4 steps of ``dt``. Runs in parts (one a core on
    the compiled kernel, cache-sized chunks on numpy), testing each step online (`ParameterRecurrence`, the `Recurrence` test computing
    strategies only where they can change a verdict), so memory stays flat;
    a run found recurrent is stepped no further.

    ``kernel``: (module, q) of the compiled kernel that ran the map
    (`eqselect.numerics.dynamics.kernels.fused.problem_kernel_values`); the
    window's steps are then the kernel's, one call of its ``run`` a step
    resuming the schedule at K + k (``start``), else numpy's.
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
    from eqselect.numerics.dynamics.kernels.fused import threads

    # a compiled step releases the GIL: one part a core, each stepped on its own thread
    workers = threads()
    size = min(KERNEL_WINDOW_CHUNK, max(KERNEL_WINDOW_LEAST, -(-len(x) // workers)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done in pool.map(judge, list(chunks(len(x), size))):
            if progress is not None:
                progress.update(done)
    return out


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
