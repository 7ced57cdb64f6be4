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

import sys

from dataclasses import replace

from typing import Sequence

import numpy as np

from eqselect.theory import PAPER, Decomposition, GameError
from eqselect.theory.rules import Rule
from eqselect.numerics.rule_argument import require_rule
from eqselect.numerics.sources.fields import rule_field
from eqselect.numerics.sources.symbolic import SymbolicSource
from eqselect.numerics.dynamics.flow import (
    FlowOptions, integrate_flow, integrate_until_settled)
from eqselect.numerics.dynamics.judges import (
    AttractorJudge, DeferredField, Run, SuccessJudge)
from eqselect.numerics.dynamics.narrow import rows_finite
from eqselect.numerics.dynamics.basin_map import BasinMap
from eqselect.numerics.dynamics.kernels.choice import choose_kernel
from eqselect.numerics.dynamics.problem import BasinProblem
from eqselect.numerics.dynamics.schedules import (
    ConstantSchedule, PaperAnnealing, PaperSchedule, run_schedule)
from eqselect.numerics.dynamics.starts import (
    GridStarts, SampledStarts, chunks)
from eqselect.numerics.dynamics.window import cycling, window_kernel

#: Starts stepped together by the numpy kernel (bounds its temporaries).
CHUNK = 1 << 17
#: Starts integrated together by the settling flow.
FLOW_CHUNK = 1 << 14


def _resolve_schedule(schedule):
    if isinstance(schedule, (PaperSchedule, ConstantSchedule)):
        return ("paper" if isinstance(schedule, PaperSchedule) else "constant"), schedule
    if schedule == "paper":
        return "paper", PaperSchedule()
    if schedule == "flow":
        return "flow", None
    raise GameError(f"unknown schedule {schedule!r}; valid: paper, flow, "
                    "or a PaperSchedule / ConstantSchedule")


def _nonfinite(final) -> tuple:
    bad = int(np.sum(~rows_finite(final)))
    return (f"{bad} trajectories became non-finite",) if bad else ()


def _run_discrete(problem, field, sched, x0, success, progress):
    """Step the discrete schedule in chunks with the numpy kernel: (final, first_hit, notes)."""
    final, hit = np.empty_like(x0), np.empty(len(x0), dtype=int)
    for part in chunks(len(x0), CHUNK):
        run = run_schedule(field, x0[part], sched, problem.steps, success=success,
                           region=problem.game.region,
                           step_dependent=field.step_dependent)
        final[part], hit[part] = run.final, run.first_hit
        if progress is not None:
            progress.update(part.stop - part.start)
    return final, hit, _nonfinite(final)


def _source_kernel(problem, sched, x0, progress):
    """A source's own compiled kernel (payoffs and lambda as run-time values).

    The kernel records no first hits (-1): its predicate is judged on the end
    points.
    """
    from eqselect.numerics.dynamics.kernels.fused import run_compiled

    module, values = problem.source.compiled(sched, problem.rule)
    final, hit = run_compiled(module, x0, int(problem.steps), values, progress)
    return final, hit, _nonfinite(final)


def _compiled(problem, name, sched, x0, success, progress):
    """(final, hit, notes) on the fused kernel, or (None, fallback notes) to run numpy."""
    if problem.source is not None:
        return _source_kernel(problem, sched, x0, progress), ()
    if problem.rule.spec.adaptive:
        # SOS's weight p is chosen pointwise: no closed form to generate code from
        return None, (f"compiled kernel not used ({problem.rule.method.value}'s weight p is "
                      "chosen pointwise); the numpy kernel ran",)
    from eqselect.numerics.dynamics.kernels.fused import run_kernel

    try:
        return run_kernel(problem, sched, x0, success, progress), ()
    except GameError as exc:  # a rule or schedule the kernel does not know
        return None, (f"compiled kernel not used ({exc}); the numpy kernel ran",)
    except Exception as exc:  # generated code numba cannot compile (labelled fallback)
        errors = sys.modules.get("numba.core.errors")  # numba only when it compiled
        if errors is None or not isinstance(exc, errors.NumbaError):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, (f"compiled kernel failed to compile ({first}); the numpy kernel ran",)


def _field(problem):
    """The rule's field on the problem's source (None: the decomposition's, compiled)."""
    source = problem.source or SymbolicSource(problem.dec, problem.backend)
    return rule_field(source, problem.rule)


def _settle(problem, field, x0, settled, progress):
    """Integrate the flow in chunks until every start settled: (final, done, steps used)."""
    final, done, used = np.empty_like(x0), np.zeros(len(x0), dtype=bool), 0
    for part in chunks(len(x0), FLOW_CHUNK):
        final[part], done[part], u = integrate_until_settled(
            field, x0[part], settled, dt=problem.dt, steps=int(problem.steps),
            region=problem.game.region, tol=problem.judge.settle_tol)
        used = max(used, u)
        if progress is not None:
            progress.update(part.stop - part.start)
    return final, done, used


def _step(problem: BasinProblem, p0, x0, success, progress=None, chosen=()) -> tuple:
    """Run the dynamics from every start: the one loop over starts of eqselect.

    ``chosen``: the notes of the kernel choice (`kernels.choice`), kept first.
    Returns the `Run` and the loop that stepped it ("numba" or "numpy").
    """
    name, sched = _resolve_schedule(problem.schedule)
    judged = _judge_field(problem)  # built when the judge first steps or probes with it
    if name == "flow":
        field = _field(problem) if judged is None else judged
        if field.step_dependent:
            raise GameError("an annealing schedule for lambda needs the discrete "
                            "schedule, not schedule='flow'")
        settled = problem.judge.settled(problem, field)
        if settled is not None:
            final, done, used = _settle(problem, field, x0, settled, progress)
            return Run(p0, x0, final, np.full(len(x0), -1, dtype=int), name, field.lam,
                       _nonfinite(final), field, None, done, used), "numpy"
        field = _field(problem)
        res = integrate_flow(field, x0, problem.game.region, success,
                             FlowOptions(dt=problem.dt, steps=problem.steps))
        if progress is not None:
            progress.update(len(x0))
        return Run(p0, x0, res.final, res.first_hit, name, field.lam, res.notes,
                   judged or field, None), "numpy"
    fallback = tuple(chosen)
    if problem.kernel == "numba":
        done, more = _compiled(problem, name, sched, x0, success, progress)
        fallback += more
        if done is not None:
            rule = problem.rule
            annealed = rule.annealing is not None
            lam = repr(rule.annealing) if annealed else float(rule.lam)
            return Run(p0, x0, *done[:2], ("annealed" if annealed else name), lam,
                       fallback + done[2], judged, sched), "numba"
    field = _field(problem)
    final, hit, notes = _run_discrete(problem, field, sched, x0, success, progress)
    return Run(p0, x0, final, hit, ("annealed" if field.step_dependent else name), field.lam,
               fallback + notes, _judge_field(problem, field) or field, sched), "numpy"


def _judge_field(problem: BasinProblem, closed=None):
    """The field the attractor judge steps with (None for the success judge), built
    on first use (`DeferredField`): the IPD's chain field when the compiled
    kernel runs the dynamics (`chain_rule_field`), else the closed form
    (``closed`` when the caller built it)."""
    if not isinstance(problem.judge, AttractorJudge):
        return None
    rule = problem.rule
    annealed = rule.annealing is not None
    return DeferredField(lambda: _built_judge_field(problem, closed), annealed,
                         repr(rule.annealing) if annealed else float(rule.lam))


def _built_judge_field(problem: BasinProblem, closed):
    if problem.kernel == "numba" and problem.backend != "numpy":
        from eqselect.numerics.dynamics.kernels.fused import available

        if available():
            from eqselect.numerics.dynamics.kernels.chain import chain_rule_field

            chain = chain_rule_field(problem)
            if chain is not None:
                return chain
    return _field(problem) if closed is None else closed


def run_basins(problem: BasinProblem, progress=None) -> BasinMap:
    """Solve a basin problem: draw the starts, run the rule, let the judge judge.

    This is the only loop of eqselect that steps a field over a batch of
    starts (a test holds it to that): the CLI, the report, the sweep cells
    and the replay build a `BasinProblem` and call it.

    1. draw the starts (``problem.starts``);
    2. choose the loop when ``problem.kernel`` is "auto"
       (`eqselect.numerics.dynamics.kernels.choice.choose_kernel`); the map
       says which ran (``kernel``), and a note says when the compiled kernel
       could not run and numpy ran instead;
    3. step them all: the discrete schedule on the numpy kernel or the fused
       compiled kernel, or the projected flow (until every start settled
       when the judge asks for it), recording the first step at which the
       judge's predicate holds;
    4. the judge (``problem.judge``) turns the end points into a `BasinMap`.

    Parameters
    ----------
    problem : BasinProblem
    progress : object with ``update(n)``, optional
        Told how many starts each finished chunk held.

    Returns
    -------
    BasinMap
    """
    p0, x0 = problem.starts.draw(problem.game)
    kernel, chosen = choose_kernel(problem, len(x0))
    asked = problem
    if kernel != problem.kernel:  # the engine and the judge see the loop chosen
        problem = replace(problem, kernel=kernel)
    success = problem.judge.success(problem)
    run, ran = _step(problem, p0, x0, success, progress, chosen)
    run = replace(run, recur=lambda window, x, bar=None: cycling(
        problem, window, run.field, run.stepper, x, bar,
        window_kernel(problem, run.stepper, success) if ran == "numba" else None))
    return replace(problem.judge.summarise(problem, run, progress), problem=asked, kernel=ran)


_JUDGE_OPTIONS = {"success": "success_predicate", "criterion": "criterion", "preferred": "preferred"}
_ATTRACTOR_OPTIONS = {"success": "success_predicate", "criterion": "criterion",
                      "preferred": "preferred", "predicate": "predicate", "settle": "settle",
                      "settle_tol": "settle_tol", "window": "window"}
_PROBLEM_OPTIONS = ("tol", "dt", "backend", "kernel", "per_start", "precision")


def _problem(dec, rule, starts, steps, schedule, success, fixed_points, options):
    """The `BasinProblem` of the keyword conveniences: by attractor with an
    `EquilibriumSet` in ``equilibria``, else by the success predicate."""
    options = dict(options, success=success)
    found = options.pop("equilibria", None)
    names = _ATTRACTOR_OPTIONS if found is not None else _JUDGE_OPTIONS
    unknown = set(options) - set(names) - set(_PROBLEM_OPTIONS)
    if unknown:
        raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}")
    judge = (AttractorJudge if found is not None else SuccessJudge)(
        **{names[k]: v for k, v in options.items() if k in names})
    points = found if found is not None else (
        None if fixed_points is None else tuple(fixed_points))
    return BasinProblem(dec, rule, starts, steps, schedule, judge, points,
                        **{k: v for k, v in options.items() if k in _PROBLEM_OPTIONS})


def basin_map(dec: Decomposition, rule: Rule = Rule(), starts: GridStarts = GridStarts(),
              steps: int = PAPER.steps, schedule="paper", fixed_points: Sequence | None = None,
              *, progress=None, **options) -> BasinMap:
    """Grid basin map of one rule (docs/replay.md, "Basin map").

    Parameters
    ----------
    dec : Decomposition
        With eta and every payoff symbol numeric.
    rule : Rule
        Method and exact coefficients (`eqselect.theory.rules.resolve` makes
        one from what a user typed; an annealed lambda is
        ``Rule(..., annealing=PaperAnnealing(...))``).
    starts : GridStarts
        linspace(low, high, grid)^d in probability space (the paper: 21,
        0.05, 0.95).
    steps, schedule, fixed_points
        See `BasinProblem`.
    progress : object with ``update(n)``, optional
    **options
        tol, dt, backend, kernel, per_start, precision (see `BasinProblem`); success,
        preferred, criterion (see `SuccessJudge`); ``equilibria`` (an
        `EquilibriumSet`: judge by attractor, see `AttractorJudge`) with
        predicate, settle, settle_tol, window.

    Returns
    -------
    BasinMap

    Raises
    ------
    OptionsError
        When ``rule`` is not a `Rule`.

    Examples
    --------
    >>> from eqselect.theory import builtin, Decomposition
    >>> dec = Decomposition(builtin("stag-hunt", "direct"), eta=0.55)
    >>> bm = basin_map(dec, Rule("pg"), GridStarts(11, 0.0, 1.0), steps=60, schedule="flow")
    >>> bm.outcomes  # the starts with p1 + p2 > 4/3
    {'success': 28, 'failure': 93}
    """
    if not isinstance(starts, GridStarts):
        raise GameError(f"basin_map takes GridStarts, got {starts!r}")
    problem = _problem(dec, require_rule(rule, "basin_map"), starts, steps, schedule,
                       options.pop("success", None), fixed_points, options)
    return run_basins(problem, progress)


def basin_monte_carlo(dec: Decomposition, rule: Rule = Rule(),
                      starts: SampledStarts = SampledStarts(), steps: int = PAPER.steps,
                      schedule="paper", fixed_points: Sequence | None = None, *,
                      progress=None, **options) -> BasinMap:
    """Monte-Carlo basin fraction with its Wilson score interval.

    Same as `basin_map` but with random starts (`SampledStarts`: ``n``,
    ``seed``, the sampler, and ``z`` of the Wilson interval, 1.96: 95%) held
    in ``interval``.

    Examples
    --------
    >>> from eqselect.theory import builtin, Decomposition
    >>> dec = Decomposition(builtin("stag-hunt", "direct"), eta=0.55)
    >>> bm = basin_monte_carlo(dec, Rule("pg"), SampledStarts(400, 1, low=0.0, high=1.0),
    ...                        steps=60, schedule="flow")
    >>> bm.interval[0] <= 2 / 9 <= bm.interval[1]
    True
    """
    if not isinstance(starts, SampledStarts):
        raise GameError(f"basin_monte_carlo takes SampledStarts, got {starts!r}")
    problem = _problem(dec, require_rule(rule, "basin_monte_carlo"), starts, steps, schedule,
                       options.pop("success", None), fixed_points, options)
    return run_basins(problem, progress)
