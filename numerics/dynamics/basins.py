"""Basins of attraction: grid and Monte-Carlo basin maps with confidence intervals.

A basin map runs a learning rule from many starts and classifies where each
one ends (docs/replay.md, "Basin map"):

1. starts: a grid (or a random sample) of initial probabilities p in
   [low, high]^d, by default linspace(0.05, 0.95, 21) per parameter, mapped
   to parameters (theta = logit(p) for logit policies, phi = p for direct);
2. dynamics: the paper's discrete schedule theta <- clip(theta + lr_k u, -8, 8)
   (`eqselect.numerics.dynamics.schedules`) or the continuous projected flow
   (`eqselect.numerics.dynamics.flow`), vectorised over all starts;
3. outcome: a success predicate (default, the paper's: every agent's
   probability of its first action in the first state >= 0.82) and/or the
   nearest stable fixed point; the basin fraction is the share of successes
   (or of starts reaching the ``preferred`` fixed point when no predicate
   applies); first-hit steps are averaged over the successes.

Monte-Carlo maps report the Wilson score interval of the fraction.
"""

from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from typing import Callable, Literal, Sequence

import numpy as np

from eqselect.theory import Decomposition, GameError, RegionKind
from eqselect.numerics.codegen import compile_exprs
from eqselect.numerics.compiled import compile_field
from eqselect.numerics.fixed_points.record import Equilibrium, Stability
from eqselect.numerics.dynamics.flow import integrate_flow
from eqselect.numerics.dynamics.schedules import ConstantSchedule, PaperSchedule, annealed_field, run_schedule

#: The paper's success threshold on the cooperation probabilities.
SUCCESS_THRESHOLD = 0.82


# ----------------------------------------------------------------------------
# probability space <-> parameters
# ----------------------------------------------------------------------------

def probability_kind(game) -> str:
    """``"logit"`` or ``"direct"``: how start probabilities map to parameters.

    Raises
    ------
    GameError
        For parameterisations with no one-probability-per-parameter map.
    """
    if game.parameterization == "direct":
        return "direct"
    if game.parameterization == "logit" or (
            game.parameterization == "softmax" and game.actions
            and all(m == 2 for m in game.actions)):
        return "logit"
    raise GameError(
        f"basin grids live in probability space and need the direct or logit "
        f"parameterization (two actions per agent for softmax); game "
        f"{game.name!r} has {game.parameterization!r}")


def probability_to_parameters(game, p) -> np.ndarray:
    """Map start probabilities to parameters: logit(p) (logit) or p (direct).

    Parameters
    ----------
    game : Game
    p : array_like, shape (n, d)
        One probability per parameter, each in (0, 1).

    Raises
    ------
    GameError
        For probabilities outside (0, 1), for direct simplex points whose
        block sums exceed 1, or for parameterisations without such a map.

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> probability_to_parameters(builtin("stag-hunt", "logit"), [[0.5, 0.75]]).round(6).tolist()
    [[0.0, 1.098612]]
    """
    p = np.array(p, dtype=float, ndmin=2)
    kind = probability_kind(game)
    if np.any((p <= 0) | (p >= 1)) and kind == "logit":
        bad = p[(p <= 0) | (p >= 1)][0]
        raise GameError(f"start probability {bad!r} is outside (0, 1); logit(p) is infinite")
    if kind == "logit":
        return np.log(p) - np.log1p(-p)
    if np.any((p < 0) | (p > 1)):
        raise GameError(f"start probabilities must lie in [0, 1], got {p.min()!r}..{p.max()!r}")
    if game.region.kind is RegionKind.SIMPLEX:
        for b in game.region.blocks:
            total = p[:, list(b)].sum(axis=1).max()
            if total > 1:
                raise GameError(f"start probabilities sum to {total!r} > 1 in a simplex "
                                f"block {list(b)}")
    return p


def parameters_to_probability(game, x) -> np.ndarray:
    """Inverse of `probability_to_parameters`: sigma(theta) or phi itself.

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> parameters_to_probability(builtin("stag-hunt", "logit"), [[0.0, 0.0]]).tolist()
    [[0.5, 0.5]]
    """
    x = np.array(x, dtype=float, ndmin=2)
    if probability_kind(game) == "logit":
        return 0.5 * (1.0 + np.tanh(0.5 * x))  # sigma, overflow-free
    return x


def cooperation_probabilities(game, backend: str = "llvm") -> Callable:
    """Compiled map x -> each agent's probability of its first action in state 0.

    For the IPD this reads the start-state cooperation probabilities.

    Returns
    -------
    callable
        ``coop(x)``, x shape (n, d) -> shape (n, N).
    """
    if not game.strategies:
        raise GameError(f"game {game.name!r} has no policies; pass a success predicate")
    exprs = [s[0] for s in game.strategies]
    return compile_exprs(exprs, game.parameters, backend=backend)


def cooperation_success(game, threshold: float = SUCCESS_THRESHOLD,
                        backend: str = "llvm") -> Callable:
    """The paper's success predicate: every cooperation probability >= threshold.

    Returns
    -------
    callable
        ``success(x)``, x shape (n, d) -> bool array (n,).

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> ok = cooperation_success(builtin("stag-hunt", "direct"))
    >>> ok(np.array([[0.9, 0.82], [0.9, 0.81]])).tolist()
    [True, False]
    """
    if not 0 < threshold < 1:
        raise GameError(f"success threshold must be in (0, 1), got {threshold!r}")
    coop = cooperation_probabilities(game, backend)

    def success(x):
        return np.all(coop(np.atleast_2d(x)) >= threshold, axis=1)

    return success


# ----------------------------------------------------------------------------
# Wilson interval
# ----------------------------------------------------------------------------

def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion k / n.

    With phat = k / n:

        centre = (phat + z^2 / (2n)) / (1 + z^2 / n)
        half   = z / (1 + z^2 / n) * sqrt(phat (1 - phat) / n + z^2 / (4 n^2))

    and the interval is [centre - half, centre + half] (Wilson 1927), which
    always lies in [0, 1] and contains phat.

    Raises
    ------
    GameError
        Unless 0 <= k <= n, n >= 1 and z > 0.

    Examples
    --------
    >>> lo, hi = wilson_interval(27, 100)
    >>> round(lo, 4), round(hi, 4)
    (0.1927, 0.3643)
    """
    if int(n) != n or n < 1:
        raise GameError(f"sample size n must be a positive integer, got {n!r}")
    if int(k) != k or not 0 <= k <= n:
        raise GameError(f"success count k must be an integer in [0, {n}], got {k!r}")
    if not z > 0:
        raise GameError(f"z must be > 0, got {z!r}")
    phat = k / n
    denom = 1 + z * z / n
    centre = (phat + z * z / (2 * n)) / denom
    half = z / denom * np.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n))
    # exact at the ends: k = 0 gives lo = 0 and k = n gives hi = 1
    lo = 0.0 if k == 0 else max(0.0, float(centre - half))
    hi = 1.0 if k == n else min(1.0, float(centre + half))
    return lo, hi


# ----------------------------------------------------------------------------
# the result
# ----------------------------------------------------------------------------

@dataclass(frozen=True)
class BasinMap:
    """Outcomes of one learning rule from many starts.

    Attributes
    ----------
    game, method : str
    lam : float or str
        The shaping coefficient (a description for an annealing schedule).
    own_coef : float
    schedule : str
        ``"paper"``, ``"constant"``, ``"flow"`` or ``"annealed"``.
    grid : int or None
        Points per axis for a grid map; None for Monte Carlo.
    steps : int
    starts_probability, starts, final : ndarray, shape (n, d)
        Start probabilities, start parameters, end parameters.
    success : ndarray of bool, shape (n,), or None
    labels : ndarray of int, shape (n,), or None
        Index into ``label_names`` of the nearest stable fixed point
        (-1: farther than the tolerance from every one).
    label_names : tuple of str
    first_hit : ndarray of int, shape (n,)
        First step with success (-1: never).
    fraction : float
        Share of starts reaching the preferred outcome.
    outcomes : dict of str to int
    mean_first_hit : float or None
        Mean first-hit step over the successes.
    interval : (float, float) or None
        Wilson 95% interval (Monte Carlo).
    seed : int or None
    notes : tuple of str
    """

    game: str
    method: str
    lam: object
    own_coef: float
    schedule: str
    grid: int | None
    steps: int
    starts_probability: np.ndarray
    starts: np.ndarray
    final: np.ndarray
    success: np.ndarray | None
    labels: np.ndarray | None
    label_names: tuple
    first_hit: np.ndarray
    fraction: float
    outcomes: dict
    mean_first_hit: float | None
    interval: tuple | None = None
    seed: int | None = None
    notes: tuple = dc_field(default_factory=tuple)

    @property
    def n(self) -> int:
        """Number of starts."""
        return int(self.starts.shape[0])

    def to_json(self) -> dict:
        """The contract's JSON form (docs/cli.md, ``eqselect basins --json``) plus details."""
        return {
            "fraction": float(self.fraction),
            "outcomes": {k: int(v) for k, v in self.outcomes.items()},
            "grid": self.grid,
            "steps": int(self.steps),
            "n": self.n,
            "game": self.game,
            "method": self.method,
            "lam": self.lam if isinstance(self.lam, str) else float(self.lam),
            "own_coef": float(self.own_coef),
            "schedule": self.schedule,
            "mean_first_hit": None if self.mean_first_hit is None else float(self.mean_first_hit),
            "interval": None if self.interval is None else [float(v) for v in self.interval],
            "seed": self.seed,
            "notes": list(self.notes),
        }


# ----------------------------------------------------------------------------
# starts, dynamics, classification
# ----------------------------------------------------------------------------

def grid_starts(d: int, grid: int = 21, low: float = 0.05, high: float = 0.95,
                max_starts: int = 1_000_000) -> np.ndarray:
    """All points of linspace(low, high, grid)^d, first coordinate slowest.

    Examples
    --------
    >>> grid_starts(2, 3, 0.0, 1.0).tolist()[:4]
    [[0.0, 0.0], [0.0, 0.5], [0.0, 1.0], [0.5, 0.0]]
    """
    if int(grid) != grid or grid < 1:
        raise GameError(f"grid must be a positive integer, got {grid!r}")
    if not 0 <= low <= high <= 1:
        raise GameError(f"need 0 <= low <= high <= 1, got low={low!r}, high={high!r}")
    if grid ** d > max_starts:
        raise GameError(f"a {grid}-point grid in {d} dimensions has {grid ** d} starts "
                        f"(limit {max_starts}); use basin_monte_carlo")
    axis = np.linspace(low, high, int(grid))
    mesh = np.meshgrid(*([axis] * d), indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=1)


def _resolve_schedule(schedule):
    if isinstance(schedule, (PaperSchedule, ConstantSchedule)):
        return ("paper" if isinstance(schedule, PaperSchedule) else "constant"), schedule
    if schedule == "paper":
        return "paper", PaperSchedule()
    if schedule == "flow":
        return "flow", None
    raise GameError(f"unknown schedule {schedule!r}; valid: paper, flow, "
                    "or a PaperSchedule / ConstantSchedule")


def _field_for(dec, method, lam, own_coef, backend):
    """(callable, step_dependent, lam description)."""
    if hasattr(lam, "lam"):  # an annealing schedule lambda_k
        f0 = compile_field(dec, method, 0, own_coef, backend).field
        f1 = compile_field(dec, method, 1, own_coef, backend).field
        return annealed_field(f0, f1, lam.lam), True, repr(lam)
    cf = compile_field(dec, method, lam, own_coef, backend)
    return cf.field, False, cf.lam


def _label(eq: Equilibrium) -> str:
    if eq.exact is not None:
        return "(" + ", ".join(str(v) for v in eq.exact) + ")"
    return "(" + ", ".join(f"{float(v):.4g}" for v in eq.point) + ")"


def classify_nearest(game, final, fixed_points: Sequence[Equilibrium],
                     tol: float = 0.05) -> tuple[np.ndarray, tuple[str, ...]]:
    """Label each end point by its nearest *stable* fixed point.

    Distances are measured in probability coordinates (so logit points near
    the clip bound still match a pure equilibrium); a point farther than
    ``tol`` (Euclidean) from every stable fixed point gets label -1.

    Returns
    -------
    labels : ndarray of int, shape (n,)
    names : tuple of str
        One per stable fixed point, in the order given.
    """
    stable = [e for e in fixed_points if e.stability is Stability.STABLE]
    names = tuple(_label(e) for e in stable)
    final = np.atleast_2d(final)
    if not stable:
        return np.full(final.shape[0], -1, dtype=int), names
    centres = parameters_to_probability(game, np.array([e.point for e in stable], dtype=float))
    ends = parameters_to_probability(game, final)
    dist = np.linalg.norm(ends[:, None, :] - centres[None, :, :], axis=2)
    labels = np.argmin(dist, axis=1)
    labels[dist[np.arange(len(labels)), labels] > tol] = -1
    return labels, names


def _run(dec, starts, method, lam, own_coef, steps, schedule, success, dt, backend):
    """Run the dynamics; returns (final, first_hit, schedule name, lam, notes)."""
    name, sched = _resolve_schedule(schedule)
    fld, step_dependent, lam_desc = _field_for(dec, method, lam, own_coef, backend)
    game = dec.game
    if name == "flow":
        if step_dependent:
            raise GameError("an annealing schedule for lambda needs the discrete "
                            "schedule, not schedule='flow'")
        res = integrate_flow(fld, starts, dt=dt, steps=steps, region=game.region,
                             bound=None, success=success)
        return res.final, res.first_hit, name, lam_desc, res.notes
    run = run_schedule(fld, starts, sched, steps, success=success, region=game.region,
                       step_dependent=step_dependent)
    return run.final, run.first_hit, ("annealed" if step_dependent else name), lam_desc, run.notes


def _summarise(dec, method, lam_desc, own_coef, sched_name, grid, steps, p0, x0, final,
               first_hit, success, fixed_points, preferred, criterion, tol, notes,
               interval_z=None, seed=None) -> BasinMap:
    game = dec.game
    notes = list(notes)
    ok = None
    if success is not None:
        ok = np.asarray(success(final), dtype=bool) if criterion == "final" else first_hit >= 0
    labels, names = (None, ())
    if fixed_points is not None:
        labels, names = classify_nearest(game, final, fixed_points, tol)
        if not names:
            notes.append("no stable fixed point among fixed_points; every start unresolved")
    outcomes = {}
    if ok is not None:
        outcomes.update(success=int(ok.sum()), failure=int((~ok).sum()))
    if labels is not None:
        for i, nm in enumerate(names):
            outcomes[nm] = int(np.sum(labels == i))
        outcomes["unresolved"] = int(np.sum(labels < 0))
        if outcomes["unresolved"]:
            notes.append(f"{outcomes['unresolved']} end points are farther than {tol:g} "
                         "from every stable fixed point")
    if ok is not None:
        reached = ok
    elif labels is not None and preferred is not None:
        if not 0 <= preferred < len(names):
            raise GameError(f"preferred index {preferred!r} is not one of the "
                            f"{len(names)} stable fixed points")
        reached = labels == preferred
    else:
        raise GameError("no way to decide success: pass a success predicate, or "
                        "fixed_points with a preferred index")
    n = x0.shape[0]
    k = int(reached.sum())
    hits = first_hit[reached & (first_hit >= 0)]
    mean_hit = float(hits.mean()) if hits.size else None
    interval = wilson_interval(k, n, interval_z) if interval_z is not None else None
    return BasinMap(game.name, str(getattr(method, "value", method)), lam_desc,
                    float(own_coef), sched_name, grid, int(steps), p0, x0, final, ok,
                    labels, names, first_hit, k / n, outcomes, mean_hit, interval, seed,
                    tuple(notes))


def _default_success(game, success, fixed_points, backend):
    if success is not None or not game.strategies:
        return success
    return cooperation_success(game, SUCCESS_THRESHOLD, backend)


# ----------------------------------------------------------------------------
# public entry points
# ----------------------------------------------------------------------------

def basin_map(dec: Decomposition, method="pg", lam=1.5, own_coef=0.35, grid: int = 21,
              steps: int = 140, schedule="paper", success: Callable | None = None,
              fixed_points: Sequence[Equilibrium] | None = None, *,
              preferred: int | None = None, low: float = 0.05, high: float = 0.95,
              dt: float = 0.05, criterion: Literal["final", "ever"] = "final",
              tol: float = 0.05, backend: str = "llvm") -> BasinMap:
    """Grid basin map of one method (docs/replay.md, "Basin map").

    Parameters
    ----------
    dec : Decomposition
        With eta and every payoff symbol numeric.
    method : str or Method
    lam : float or an annealing schedule with ``.lam(k)`` (e.g. PaperAnnealing)
    own_coef : float
    grid : int
        Points per axis: starts are linspace(low, high, grid)^d in probability
        space (the paper: 21, 0.05, 0.95).
    steps : int
        Updates (discrete) or RK4 steps of size ``dt`` (flow).
    schedule : "paper", "flow", PaperSchedule or ConstantSchedule
    success : callable or None
        ``success(x)`` -> bool (n,) on parameters; None: the paper's predicate
        (every cooperation probability >= 0.82) when the game has policies.
    fixed_points : sequence of Equilibrium or None
        Also classify end points by the nearest stable fixed point.
    preferred : int or None
        Index (among the stable ``fixed_points``) counted as success when
        there is no predicate.
    low, high : float
        The probability range of the grid.
    dt : float
        Flow step.
    criterion : "final" or "ever"
        Success judged at the last step, or at any step.
    tol : float
        Distance (probability coordinates) for the fixed-point labels.
    backend : str
        Code-generation backend.

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
    game = dec.game
    p0 = grid_starts(len(game.parameters), grid, low, high)
    x0 = probability_to_parameters(game, p0)
    if criterion not in ("final", "ever"):
        raise GameError(f"criterion must be 'final' or 'ever', got {criterion!r}")
    success = _default_success(game, success, fixed_points, backend)
    final, hit, name, lam_desc, notes = _run(dec, x0, method, lam, own_coef, steps,
                                             schedule, success, dt, backend)
    return _summarise(dec, method, lam_desc, own_coef, name, int(grid), steps, p0, x0, final,
                      hit, success, fixed_points, preferred, criterion, tol, notes)


def monte_carlo_starts(game, n: int, seed: int,
                       sampler: Literal["probability", "normal", "uniform-parameter"] = "probability",
                       low: float = 0.05, high: float = 0.95,
                       scale: float = 1.35) -> tuple[np.ndarray, np.ndarray]:
    """Random starts (probabilities, parameters), reproducible from ``seed``.

    - ``"probability"``: p uniform in [low, high]^d, mapped to parameters;
    - ``"normal"``: theta ~ N(0, scale^2) (the paper's ablation, logit only);
    - ``"uniform-parameter"``: theta uniform in [-scale, scale]^d (restarts,
      logit only).
    """
    if int(n) != n or n < 1:
        raise GameError(f"sample size n must be a positive integer, got {n!r}")
    rng = np.random.default_rng(seed)
    d = len(game.parameters)
    if sampler == "probability":
        if not 0 <= low <= high <= 1:
            raise GameError(f"need 0 <= low <= high <= 1, got low={low!r}, high={high!r}")
        p = rng.uniform(low, high, size=(int(n), d))
        return p, probability_to_parameters(game, p)
    if sampler not in ("normal", "uniform-parameter"):
        raise GameError(f"unknown sampler {sampler!r}; valid: probability, normal, "
                        "uniform-parameter")
    if probability_kind(game) != "logit":
        raise GameError(f"sampler {sampler!r} draws logits; game {game.name!r} is "
                        f"{game.parameterization}")
    if sampler == "normal":
        x = rng.normal(0.0, scale, size=(int(n), d))
    else:
        x = rng.uniform(-scale, scale, size=(int(n), d))
    return parameters_to_probability(game, x), x


def basin_monte_carlo(dec: Decomposition, method="pg", lam=1.5, own_coef=0.35,
                      n: int = 1000, seed: int = 0, steps: int = 140, schedule="paper",
                      success: Callable | None = None,
                      fixed_points: Sequence[Equilibrium] | None = None, *,
                      preferred: int | None = None, sampler="probability",
                      low: float = 0.05, high: float = 0.95, scale: float = 1.35,
                      dt: float = 0.05, criterion: Literal["final", "ever"] = "final",
                      tol: float = 0.05, z: float = 1.96, backend: str = "llvm") -> BasinMap:
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
    game = dec.game
    if criterion not in ("final", "ever"):
        raise GameError(f"criterion must be 'final' or 'ever', got {criterion!r}")
    p0, x0 = monte_carlo_starts(game, n, seed, sampler, low, high, scale)
    success = _default_success(game, success, fixed_points, backend)
    final, hit, name, lam_desc, notes = _run(dec, x0, method, lam, own_coef, steps,
                                             schedule, success, dt, backend)
    return _summarise(dec, method, lam_desc, own_coef, name, None, steps, p0, x0, final, hit,
                      success, fixed_points, preferred, criterion, tol, notes,
                      interval_z=z, seed=seed)
