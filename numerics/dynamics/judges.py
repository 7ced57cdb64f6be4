"""How a basin map judges its starts: one strategy object per way.

`run_basins` steps every start once; the problem's judge then decides what
each end point means (docs/replay.md "Basin map", docs/cli.md "Basins and
attractors"):

- `SuccessJudge`: the paper's success predicate (every agent's probability
  of its first action in the first state >= 0.82, or a given predicate) at
  the last step or at any step; with the problem's fixed points the end
  points are also labelled by the nearest stable one;
- `AttractorJudge`: the attractor each start reached among the problem's
  fixed points (an `EquilibriumSet`), with "still moving" and "cycle"
  counted apart (`eqselect.numerics.dynamics.classify`);
- `NamedPointJudge`: the success predicate for the fraction, each end point
  named by the nearest of given named points (probability coordinates),
  else by the nearest pure profile, else ``unresolved`` (a sweep cell).

A judge says which predicate the run records first hits of (``success``),
whether the flow may stop once every start has settled (``settled``), and
turns the run into a `BasinMap` (``summarise``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal, Protocol

import numpy as np

from eqselect.theory import GameError
from eqselect.numerics.dynamics.outcomes import (
    SUCCESS_THRESHOLD, cooperation_success, label_outcomes, reached, wilson_interval)
from eqselect.numerics.dynamics.basin_map import FRACTION, BasinMap
from eqselect.numerics.dynamics.plain import plain
from eqselect.numerics.dynamics.starts import SampledStarts, action_blocks, start_kind

#: The key of the basin fraction's own interval in `BasinMap.intervals`.

CRITERIA = ("final", "ever")


@dataclass(frozen=True)
class Run:
    """What the stepping produced, before any judging.

    Attributes
    ----------
    starts_probability, starts, final : ndarray, shape (n, d)
    first_hit : ndarray of int, shape (n,)
        First step at which the judge's predicate held (-1: never or none).
    schedule : str
        ``"paper"``, ``"constant"``, ``"flow"`` or ``"annealed"``.
    lam : float or str
    notes : tuple of str
    field : callable
        The field the judge may step further (cycle test).
    stepper : PaperSchedule, ConstantSchedule or None
        The discrete schedule (None: the flow).
    settled : ndarray of bool or None
        Flow run until settled: which starts settled.
    steps_run : int or None
        Flow run until settled: steps actually run.
    recur : callable or None
        The engine's cycle test, ``recur(window, x, progress)`` -> bool (n,):
        which runs at ``x`` come back within ``window`` more steps of the same
        schedule. The judge asks; the stepping stays in the engine.
    """

    starts_probability: np.ndarray
    starts: np.ndarray
    final: np.ndarray
    first_hit: np.ndarray
    schedule: str
    lam: object
    notes: tuple
    field: Callable | None = None
    stepper: object = None
    settled: np.ndarray | None = None
    steps_run: int | None = None
    recur: Callable | None = None


class DeferredField:
    """A field built on its first use: the field a judge may step with, which a
    map whose runs all reached an attractor never needs (nor what building it
    imports).

    Calls, ``step_dependent`` and ``lam`` are those of the built field
    (``step_dependent`` and ``lam`` are known before: a `RuleField`'s).
    """

    def __init__(self, build: Callable, step_dependent: bool, lam):
        self._build, self._field = build, None
        self.step_dependent, self.lam = step_dependent, lam

    @property
    def built(self) -> Callable:
        """The field itself (built now if not yet)."""
        if self._field is None:
            self._field = self._build()
        return self._field

    def __call__(self, *args):
        return self.built(*args)


class Judge(Protocol):
    """What `run_basins` asks of a judge."""

    def success(self, problem) -> Callable | None:
        """The predicate whose first hits the run records (None: none)."""

    def settled(self, problem, field) -> Callable | None:
        """Flow only: ``settled(x)`` -> bool (n,) to stop early at; None runs all steps."""

    def summarise(self, problem, run: Run, progress=None):
        """The `BasinMap` of a run."""


def paper_success(problem, success: Callable | None) -> Callable | None:
    """``success``, else the paper's predicate when the game has policies.

    When the compiled kernel steps the starts it tests the predicate itself,
    and the predicate here only judges the end points once: symengine's
    evaluator ("lambda") serves that as well as its LLVM JIT, whose start-up
    would add about 20 MB to a process that does no other JIT work.
    """
    game = problem.game
    if success is not None or not game.strategies:
        return success
    once = (problem.backend == "llvm" and problem.kernel == "numba"
            and problem.schedule != "flow" and not problem.rule.spec.adaptive)
    reference = cooperation_success(game, SUCCESS_THRESHOLD, "lambda" if once else problem.backend)
    return screened_success(game, reference, SUCCESS_THRESHOLD)


#: Margin around the success threshold in parameter space (see `ScreenedSuccess`).
SUCCESS_DELTA = 1e-7


@dataclass(frozen=True)
class ScreenedSuccess:
    """The paper's success predicate with its compiled expressions evaluated only
    near the threshold.

    Agent i's probability of its first action in the first state is a
    function of one parameter x_c, increasing: sigma(x_c) for two-action
    logits, x_c itself for the direct parameterisation. So p >= threshold
    wherever x_c >= edge + `SUCCESS_DELTA` and p < threshold wherever
    x_c < edge - SUCCESS_DELTA (edge = logit(threshold), or the threshold);
    the margin moves p by at least threshold (1 - threshold) 1e-7, far above
    the rounding of the compiled expressions (some 1e-16). The predicate
    holds where every agent is above, fails where one is below, and
    ``reference`` (`cooperation_success`) decides the rest.

    Attributes
    ----------
    reference : callable
        The compiled predicate, ``reference(x)`` -> bool (n,).
    columns : tuple of int
        Each agent's parameter x_c.
    edge : float
    """

    reference: Callable
    columns: tuple
    edge: float

    def __call__(self, x) -> np.ndarray:
        x = np.atleast_2d(np.asarray(x, dtype=float))
        above = np.ones(len(x), dtype=bool)
        below = np.zeros(len(x), dtype=bool)
        for c in self.columns:
            above &= x[:, c] >= self.edge + SUCCESS_DELTA
            below |= x[:, c] < self.edge - SUCCESS_DELTA
        out = above.copy()
        band = np.flatnonzero(~above & ~below)  # NaN lands here too
        if band.size:
            out[band] = self.reference(x[band])
        return out


def screened_success(game, reference: Callable, threshold: float) -> Callable:
    """`ScreenedSuccess` of the paper's predicate where every agent's first-action
    probability in the first state is one parameter's (two-action logits,
    direct), else ``reference`` itself."""
    kind = start_kind(game) if game.parameterization in ("logit", "softmax", "direct") else None
    blocks = [(i, b[0], m) for i, state, b, m in action_blocks(game) if state == 0] if kind else []
    if (kind not in ("logit", "direct") or len(blocks) != game.n_agents
            or (kind == "logit" and any(m != 2 for _, _, m in blocks))):
        return reference
    edge = float(np.log(threshold) - np.log1p(-threshold)) if kind == "logit" else threshold
    return ScreenedSuccess(reference, tuple(c for _, c, _ in blocks), edge)


def _check_criterion(criterion: str) -> None:
    if criterion not in CRITERIA:
        raise GameError(f"criterion must be 'final' or 'ever', got {criterion!r}")


def _successes(success, criterion, final, first_hit) -> np.ndarray:
    if criterion == "final":
        return np.asarray(success(final), dtype=bool)
    return first_hit >= 0


@dataclass(frozen=True)
class SuccessJudge:
    """Judge each start by a success predicate: the paper's basin fraction.

    Attributes
    ----------
    success_predicate : callable or None
        ``success_predicate(x)`` -> bool (n,) on parameters; None: the paper's
        (every cooperation probability >= 0.82) when the game has policies.
    criterion : "final" or "ever"
        Success judged at the last step, or at any step.
    preferred : int or None
        Without a predicate: the index among the problem's stable fixed
        points whose nearest end points count as successes.
    """

    success_predicate: Callable | None = None
    criterion: Literal["final", "ever"] = "final"
    preferred: int | None = None

    def __post_init__(self):
        _check_criterion(self.criterion)

    def success(self, problem) -> Callable | None:
        return paper_success(problem, self.success_predicate)

    def settled(self, problem, field) -> None:
        return None

    def summarise(self, problem, run: Run, progress=None):

        success = self.success(problem)
        notes = list(run.notes)
        ok, labels, names, outcomes, points = None, None, (), {}, ()
        if success is not None:
            ok = _successes(success, self.criterion, run.final, run.first_hit)
            outcomes.update(success=int(ok.sum()), failure=int((~ok).sum()))
        if problem.fixed_points is not None:
            labels, names, counts, more = label_outcomes(
                problem.game, run.final, problem.fixed_point_list, problem.tol)
            outcomes.update(counts)
            notes += more
            points = _stable_points(problem, names)
        hit = reached(ok, labels, names, self.preferred)
        n, k = run.final.shape[0], int(hit.sum())
        hits = run.first_hit[hit & (run.first_hit >= 0)]
        intervals = ({FRACTION: wilson_interval(k, n, problem.starts.z)}
                     if isinstance(problem.starts, SampledStarts) else None)
        return BasinMap(problem, run.schedule, run.lam, run.starts_probability, run.starts,
                        run.final, ok, labels, points, run.first_hit, k / n, outcomes,
                        float(hits.mean()) if hits.size else None, tuple(notes),
                        intervals=intervals)


def _stable_points(problem, names) -> tuple:
    """The stable fixed points the success judge labels by, as `Attractor` records."""
    from eqselect.numerics.dynamics.attractors import Attractor
    from eqselect.numerics.fixed_points.core.record import Stability

    stable = [e for e in problem.fixed_point_list if e.stability is Stability.STABLE]
    return tuple(Attractor(name, "point", "stable", tuple(float(v) for v in e.point),
                           tuple(e.strategies or ()), None)
                 for name, e in zip(names, stable))


@dataclass(frozen=True)
class AttractorJudge:
    """Judge each start by the attractor it reached among the problem's fixed points.

    The problem's ``fixed_points`` must then be an `EquilibriumSet` (it says
    whether the list is complete). `eqselect.numerics.dynamics.classify`
    does the work.

    Attributes
    ----------
    preferred : int or None
        Index into the attractor list (`classify.all_attractors`) counted as
        success; None: the success predicate decides the fraction if
        ``predicate``, else nothing is preferred and the fraction is 0.
    predicate : bool
        See ``preferred``.
    success_predicate : callable or None
        The predicate (None: the paper's when the game has policies).
    criterion : "final" or "ever"
    settle : bool
        Flow only: stop as soon as every start has settled (reached an
        attractor, or |P F| < ``settle_tol``), checking every 10 steps; the
        problem's ``steps`` is then the time limit.
    settle_tol : float
    window : int
        Extra steps run from the end points that reached no attractor (by
        the engine, `eqselect.numerics.dynamics.window.cycling`), to tell
        cycles from runs still moving; 0: none.
    """

    preferred: int | None = None
    predicate: bool = True
    success_predicate: Callable | None = None
    criterion: Literal["final", "ever"] = "final"
    settle: bool = False
    settle_tol: float = 1e-6
    window: int = 0

    def __post_init__(self):
        _check_criterion(self.criterion)
        if int(self.window) != self.window or self.window < 0:
            raise GameError(f"window must be a non-negative integer, got {plain(self.window)}")

    def success(self, problem) -> Callable | None:
        if self.preferred is not None or not self.predicate:
            return None  # the preferred attractor decides, not the predicate
        return paper_success(problem, self.success_predicate)

    def settled(self, problem, field) -> Callable | None:
        if not self.settle:
            return None
        from eqselect.numerics.dynamics.attractors import classify_ends
        from eqselect.numerics.dynamics.classify import all_attractors

        game = problem.game
        attractors = all_attractors(game, problem.fixed_points)

        def reached_one(y):
            return classify_ends(game, attractors, y, field, problem.tol) >= 0

        return reached_one

    def summarise(self, problem, run: Run, progress=None):
        from eqselect.numerics.dynamics.classify import summarise

        return summarise(problem, self, run, self.success(problem), progress)


UNRESOLVED = "unresolved"


@dataclass(frozen=True)
class NamedPointJudge:
    """Judge by the success predicate; name each end point by where it stopped.

    An end point p (probability coordinates) is named by the nearest point
    c_j of ``points`` when ||p - c_j|| <= ``tol``; else, for a free region
    with policies (logit, softmax), by the nearest pure profile round(p) when
    ||p - round(p)|| <= ``tol``; else ``UNRESOLVED``. ``outcomes`` counts the
    starts per name (sorted by name); the fraction is the share meeting the
    predicate.

    Attributes
    ----------
    success_predicate : callable or None
        As for `SuccessJudge` (None: the paper's).
    points : tuple of (str, tuple of float)
        Named points in probability coordinates (a sweep: the stable fixed
        points with their labels).
    tol : float
        Euclidean distance in probability coordinates.
    """

    success_predicate: Callable | None = None
    points: tuple = ()
    tol: float = 0.05

    def __post_init__(self):
        if not self.tol > 0:
            raise GameError(f"tol must be > 0, got {plain(self.tol)}")

    def success(self, problem) -> Callable | None:
        return paper_success(problem, self.success_predicate)

    def settled(self, problem, field) -> None:
        return None

    def names(self, game, final) -> np.ndarray:
        """The name of each end point, shape (n,), dtype object."""
        from eqselect.theory import RegionKind
        from eqselect.numerics.dynamics.starts import parameters_to_probability

        ends = parameters_to_probability(game, final)
        names = np.full(len(ends), UNRESOLVED, dtype=object)
        if self.points:
            centres = np.array([c for _, c in self.points], dtype=float)
            dist = np.linalg.norm(ends[:, None, :] - centres[None, :, :], axis=2)
            near = np.argmin(dist, axis=1)
            ok = dist[np.arange(len(ends)), near] <= self.tol
            names[ok] = np.array([self.points[i][0] for i in near[ok]], dtype=object)
        if game.region.kind is RegionKind.FREE and game.strategies:
            corner = np.round(ends)
            ok = (names == UNRESOLVED) & (np.linalg.norm(ends - corner, axis=1) <= self.tol)
            if ok.any():  # each distinct profile named once, not once per start
                found, which = np.unique(corner[ok], axis=0, return_inverse=True)
                labels = np.array(["(" + ", ".join(str(int(v)) for v in c) + ")"
                                   for c in found], dtype=object)
                names[ok] = labels[np.ravel(which)]
        return names

    def summarise(self, problem, run: Run, progress=None):
        from eqselect.numerics.dynamics.attractors import Attractor

        success = self.success(problem)
        if success is None:
            raise GameError("a named-point judge needs a success predicate (the game has "
                            "no policies for the paper's)")
        ok = _successes(success, "final", run.final, run.first_hit)
        names = self.names(problem.game, run.final)
        found, index, counts = np.unique(names.astype(str), return_inverse=True,
                                         return_counts=True)
        outcomes = {str(nm): int(c) for nm, c in zip(found, counts)}
        known = [str(nm) for nm in found if nm != UNRESOLVED]
        # labels index the resolved names; the unresolved ends are -1
        position = np.array([known.index(nm) if nm != UNRESOLVED else -1 for nm in found],
                            dtype=int)
        labels = position[np.ravel(index)] if len(found) else np.zeros(0, dtype=int)
        attractors = tuple(Attractor(nm, "point", "stable", (), (), None) for nm in known)
        n, k = run.final.shape[0], int(ok.sum())
        hits = run.first_hit[ok & (run.first_hit >= 0)]
        return BasinMap(problem, run.schedule, run.lam, run.starts_probability, run.starts,
                        run.final, ok, labels, attractors, run.first_hit, k / n, outcomes,
                        float(hits.mean()) if hits.size else None, tuple(run.notes))
