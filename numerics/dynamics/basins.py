"""Basins of attraction: grid and Monte-Carlo basin maps with confidence intervals.

A basin map runs a learning rule from many starts and classifies where each
one ends (docs/replay.md, "Basin map"):

1. starts (`eqselect.numerics.dynamics.starts`): a grid (or a random
   sample) of initial probabilities p in [low, high]^d, by default
   linspace(0.05, 0.95, 21) per parameter, mapped to parameters
   (theta = logit(p) for logit policies, phi = p for direct);
2. dynamics: the paper's discrete schedule theta <- clip(theta + lr_k u, -8, 8)
   (`eqselect.numerics.dynamics.schedules`), stepped by vectorised numpy or
   by a fused compiled kernel (`eqselect.numerics.dynamics.kernels`), or the
   continuous projected flow (`eqselect.numerics.dynamics.flow`);
3. outcome (`eqselect.numerics.dynamics.outcomes`): a success predicate
   (default, the paper's: every agent's probability of its first action in
   the first state >= 0.82) and/or the nearest stable fixed point; the
   basin fraction is the share of successes (or of starts reaching the
   ``preferred`` fixed point when no predicate applies); first-hit steps
   are averaged over the successes. Given the rule's fixed points
   (``equilibria``), every end point is instead named by the attractor it
   reached, with "still moving" and "cycle" counted apart
   (`eqselect.numerics.dynamics.classify`, docs/cli.md "Basins and
   attractors"); starts can then also be slices of larger games
   (`eqselect.numerics.dynamics.slices`) or uniform on each player's simplex.

A `BasinProblem` holds the inputs and `run_basins` returns a `BasinMap`;
`basin_map` and `basin_monte_carlo` build the problem from keyword options.
Monte-Carlo maps report the Wilson score interval of the fraction.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from eqselect.theory import PAPER, Decomposition, GameError, as_rule
from eqselect.numerics.sources.fields import rule_field
from eqselect.numerics.sources.symbolic import SymbolicSource
from eqselect.numerics.dynamics.flow import integrate_flow
from eqselect.numerics.dynamics.outcomes import (  # noqa: F401  (re-exported)
    SUCCESS_THRESHOLD, classify_nearest, cooperation_probabilities, cooperation_success,
    label_outcomes, reached, wilson_interval)
from eqselect.numerics.dynamics.problem import BasinMap, BasinProblem
from eqselect.numerics.dynamics.schedules import (
    ConstantSchedule, PaperAnnealing, PaperSchedule, run_schedule)
from eqselect.numerics.dynamics.starts import (  # noqa: F401  (re-exported)
    GridStarts, SampledStarts, chunks, grid_starts, monte_carlo_starts,
    parameters_to_probability, probability_kind, probability_to_parameters)

#: Starts stepped together by the numpy kernel (bounds its temporaries).
CHUNK = 1 << 17


def _resolve_schedule(schedule):
    if isinstance(schedule, (PaperSchedule, ConstantSchedule)):
        return ("paper" if isinstance(schedule, PaperSchedule) else "constant"), schedule
    if schedule == "paper":
        return "paper", PaperSchedule()
    if schedule == "flow":
        return "flow", None
    raise GameError(f"unknown schedule {schedule!r}; valid: paper, flow, "
                    "or a PaperSchedule / ConstantSchedule")


def problem_success(problem: BasinProblem) -> Callable | None:
    """The problem's success predicate; the paper's when none is given and the game has policies.

    When the compiled kernel will step the starts it tests the predicate itself,
    and the predicate here only judges the end points once: symengine's evaluator
    ("lambda") serves that as well as its LLVM JIT, whose start-up would add
    about 20 MB to a process that does no other JIT work.
    """
    game = problem.dec.game
    if problem.success is not None or not game.strategies:
        return problem.success
    once = (problem.backend == "llvm" and problem.kernel == "numba"
            and problem.schedule != "flow" and not problem.rule.spec.adaptive)
    return cooperation_success(game, SUCCESS_THRESHOLD, "lambda" if once else problem.backend)


def _run_discrete(problem, field, sched, x0, success, progress):
    """Step the discrete schedule in chunks with the numpy kernel: (final, first_hit, notes)."""
    final, hit, bad = np.empty_like(x0), np.empty(len(x0), dtype=int), 0
    for part in chunks(len(x0), CHUNK):
        run = run_schedule(field, x0[part], sched, problem.steps, success=success,
                           region=problem.dec.game.region,
                           step_dependent=field.step_dependent)
        final[part], hit[part] = run.final, run.first_hit
        bad += int(np.sum(~np.isfinite(run.final).all(axis=1)))
        if progress is not None:
            progress.update(part.stop - part.start)
    return final, hit, ((f"{bad} trajectories became non-finite",) if bad else ())


def _run(problem: BasinProblem, x0, success, progress=None):
    """Run the dynamics; returns (final, first_hit, schedule name, lambda, notes)."""
    name, sched = _resolve_schedule(problem.schedule)
    fallback = ()
    if name != "flow" and problem.kernel == "numba" and problem.rule.spec.adaptive:
        # SOS's weight p is chosen pointwise: no closed form to generate code from
        fallback = (f"compiled kernel not used ({problem.rule.method.value}'s weight p is "
                    "chosen pointwise); the numpy kernel ran",)
    elif name != "flow" and problem.kernel == "numba":
        try:
            from numba.core.errors import NumbaError
        except ImportError:  # no numba: run_kernel says so (GameError)
            NumbaError = ()
        from eqselect.numerics.dynamics.kernels import run_kernel

        try:
            final, hit, notes = run_kernel(problem, sched, x0, success, progress)
        except GameError as exc:  # a rule or schedule the kernel does not know
            fallback = (f"compiled kernel not used ({exc}); the numpy kernel ran",)
        except NumbaError as exc:  # generated code numba cannot compile (labelled fallback)
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            fallback = (f"compiled kernel failed to compile ({first}); the numpy kernel ran",)
        else:
            rule = problem.rule
            annealed = rule.annealing is not None
            lam = repr(rule.annealing) if annealed else float(rule.lam)
            return final, hit, ("annealed" if annealed else name), lam, notes
    field = rule_field(SymbolicSource(problem.dec, problem.backend), problem.rule)
    if name == "flow":
        if field.step_dependent:
            raise GameError("an annealing schedule for lambda needs the discrete "
                            "schedule, not schedule='flow'")
        res = integrate_flow(field, x0, dt=problem.dt, steps=problem.steps,
                             region=problem.dec.game.region, bound=None, success=success)
        if progress is not None:
            progress.update(len(x0))
        return res.final, res.first_hit, name, field.lam, res.notes
    final, hit, notes = _run_discrete(problem, field, sched, x0, success, progress)
    return (final, hit, ("annealed" if field.step_dependent else name), field.lam,
            fallback + notes)


def _summarise(problem, p0, x0, final, first_hit, success, sched_name, lam, notes):
    game = problem.dec.game
    notes = list(notes)
    ok, labels, names, outcomes = None, None, (), {}
    if success is not None:
        ok = (np.asarray(success(final), dtype=bool) if problem.criterion == "final"
              else first_hit >= 0)
        outcomes.update(success=int(ok.sum()), failure=int((~ok).sum()))
    if problem.fixed_points is not None:
        labels, names, counts, more = label_outcomes(game, final, problem.fixed_points,
                                                     problem.tol)
        outcomes.update(counts)
        notes += more
    hit = reached(ok, labels, names, problem.preferred)
    n, k = x0.shape[0], int(hit.sum())
    hits = first_hit[hit & (first_hit >= 0)]
    interval = (wilson_interval(k, n, problem.starts.z)
                if isinstance(problem.starts, SampledStarts) else None)
    return BasinMap(problem, sched_name, lam, p0, x0, final, ok, labels, names, first_hit,
                    k / n, outcomes, float(hits.mean()) if hits.size else None, interval,
                    tuple(notes))


def _attractor_field(problem: BasinProblem):
    """The field the attractor phases step with: the IPD's chain field when the
    compiled kernel runs the dynamics (`chain_rule_field`), else the closed form."""
    if problem.kernel == "numba" and problem.backend != "numpy":
        from eqselect.numerics.dynamics.kernels import available

        if available():
            from eqselect.numerics.dynamics.chain_kernel import chain_rule_field

            chain = chain_rule_field(problem)
            if chain is not None:
                return chain
    return rule_field(SymbolicSource(problem.dec, problem.backend), problem.rule)


def _run_attractors(problem: BasinProblem, p0, x0, success, progress) -> BasinMap:
    """Run and judge by attractor (`eqselect.numerics.dynamics.classify`)."""
    from eqselect.numerics.dynamics.classify import settle_flow, summarise

    name, sched = _resolve_schedule(problem.schedule)
    field = _attractor_field(problem)
    if problem.preferred is not None or not problem.predicate:
        success = None  # the preferred attractor decides, not the predicate
    if name == "flow" and problem.settle:
        if field.step_dependent:
            raise GameError("an annealing schedule for lambda needs the discrete "
                            "schedule, not schedule='flow'")
        final, done, used = settle_flow(problem, field, x0, progress)
        hit = np.full(len(x0), -1, dtype=int)
        bad = int(np.sum(~np.isfinite(final).all(axis=1)))
        notes = (f"{bad} trajectories became non-finite",) if bad else ()
        return summarise(problem, p0, x0, final, hit, success, name, field.lam, notes,
                         field, None, done, used, progress)
    final, hit, name, lam, notes = _run(problem, x0, success, progress)
    return summarise(problem, p0, x0, final, hit, success, name, lam, notes, field,
                     None if name == "flow" else sched, progress=progress)


def run_basins(problem: BasinProblem, progress=None) -> BasinMap:
    """Solve a basin problem: draw the starts, run the rule, judge the end points.

    With ``problem.equilibria`` the end points are classified by the
    attractor they reached (`eqselect.numerics.dynamics.classify`).

    Parameters
    ----------
    problem : BasinProblem
    progress : object with ``update(n)``, optional
        Told how many starts each finished chunk held.

    Returns
    -------
    BasinMap
    """
    p0, x0 = problem.starts.draw(problem.dec.game)
    success = problem_success(problem)
    if problem.equilibria is not None:
        return _run_attractors(problem, p0, x0, success, progress)
    final, hit, name, lam, notes = _run(problem, x0, success, progress)
    return _summarise(problem, p0, x0, final, hit, success, name, lam, notes)


def rule_from(rule, lam=None, own_coef=None):
    """A `Rule` from a rule or method name with optional overrides.

    For backward compatibility ``lam`` may be a `PaperAnnealing` schedule,
    which becomes the rule's ``annealing`` (lambda_c its lambda).
    """
    r = as_rule(rule)
    if isinstance(lam, PaperAnnealing):
        r = r.with_(lam=lam.lam_c, annealing=lam)
    elif lam is not None:
        r = r.with_(lam=lam)
    return r if own_coef is None else r.with_(own_coef=own_coef)


_PROBLEM_OPTIONS = ("preferred", "criterion", "tol", "dt", "backend", "kernel", "equilibria",
                    "predicate", "settle", "settle_tol", "window", "per_start")


def _problem(dec, rule, lam, own_coef, starts, steps, schedule, success, fixed_points,
             options) -> BasinProblem:
    unknown = set(options) - set(_PROBLEM_OPTIONS)
    if unknown:
        raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}")
    return BasinProblem(dec, rule_from(rule, lam, own_coef), starts, steps, schedule,
                        success, None if fixed_points is None else tuple(fixed_points),
                        **options)


def basin_map(dec: Decomposition, rule="pg", lam=None, own_coef=None, grid: int = 21,
              steps: int = PAPER.steps, schedule="paper", success: Callable | None = None,
              fixed_points: Sequence | None = None, *, low: float = PAPER.grid_low,
              high: float = PAPER.grid_high, progress=None, **options) -> BasinMap:
    """Grid basin map of one rule (docs/replay.md, "Basin map").

    Parameters
    ----------
    dec : Decomposition
        With eta and every payoff symbol numeric.
    rule : Rule, Method or str
    lam, own_coef : number, optional
        Override the rule's lambda and c (``lam`` may also be a
        `PaperAnnealing`, kept for backward compatibility; prefer
        ``Rule(..., annealing=...)``).
    grid : int
        Points per axis: starts are linspace(low, high, grid)^d in probability
        space (the paper: 21, 0.05, 0.95).
    steps, schedule, success, fixed_points
        See `BasinProblem`.
    low, high : float
        The probability range of the grid.
    progress : object with ``update(n)``, optional
    **options
        preferred, criterion, tol, dt, backend, kernel, equilibria, settle,
        settle_tol, window, per_start (see `BasinProblem`).

    Returns
    -------
    BasinMap

    Examples
    --------
    >>> from eqselect.theory import builtin, Decomposition
    >>> dec = Decomposition(builtin("stag-hunt", "direct"), eta=0.55)
    >>> bm = basin_map(dec, "pg", grid=11, steps=60, schedule="flow", low=0.0, high=1.0)
    >>> bm.outcomes  # the starts with p1 + p2 > 4/3
    {'success': 28, 'failure': 93}
    """
    problem = _problem(dec, rule, lam, own_coef, GridStarts(int(grid), low, high), steps,
                       schedule, success, fixed_points, options)
    return run_basins(problem, progress)


def basin_monte_carlo(dec: Decomposition, rule="pg", lam=None, own_coef=None,
                      n: int = 1000, seed: int = 0, steps: int = PAPER.steps,
                      schedule="paper", success: Callable | None = None,
                      fixed_points: Sequence | None = None, *, sampler="probability",
                      low: float = PAPER.grid_low, high: float = PAPER.grid_high,
                      scale: float = 1.35, z: float = 1.96, progress=None,
                      **options) -> BasinMap:
    """Monte-Carlo basin fraction with its Wilson score interval.

    Same as `basin_map` but with ``n`` random starts (`monte_carlo_starts`);
    ``interval`` holds the Wilson interval at ``z`` (1.96: 95%).

    Examples
    --------
    >>> from eqselect.theory import builtin, Decomposition
    >>> dec = Decomposition(builtin("stag-hunt", "direct"), eta=0.55)
    >>> bm = basin_monte_carlo(dec, "pg", n=400, seed=1, steps=60, schedule="flow",
    ...                        low=0.0, high=1.0)
    >>> bm.interval[0] <= 2 / 9 <= bm.interval[1]
    True
    """
    starts = SampledStarts(n, seed, sampler, low, high, scale, z)
    problem = _problem(dec, rule, lam, own_coef, starts, steps, schedule, success,
                       fixed_points, options)
    return run_basins(problem, progress)
