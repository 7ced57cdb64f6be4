"""The one place the checker calls the numerics it builds on.

Fixed points, separatrices and continuation come from
:mod:`eqselect.numerics`; the checks only see the small records below, so a
change of those APIs is absorbed here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import sympy as sp

from eqselect.theory import Decomposition, GameError, Rule
from eqselect.theory.exact import to_exact
from eqselect.numerics.continuation.branches import continue_in_lambda, continue_in_parameter
from eqselect.numerics.dynamics.separatrix import separatrix
from eqselect.numerics.fixed_points.find import find_equilibria

TAU = sp.Symbol("tau")


@dataclass(frozen=True)
class FixedPoint:
    """A fixed point as the checks use it (fields as in the numerics' Equilibrium;
    ``stability`` and ``route`` as their string values)."""

    point: tuple
    exact: tuple | None
    strategies: tuple
    stability: str
    nash: bool | None
    boundary: bool
    route: str
    residual: float


@dataclass(frozen=True)
class FixedPointList:
    """Every fixed point found, whether the list is proven complete, the finder's notes."""

    points: tuple
    complete: bool
    notes: tuple


def fixed_points(dec: Decomposition, rule: Rule, n_seeds: int = 64) -> FixedPointList:
    """Every fixed point of the rule's field."""
    try:
        es = find_equilibria(dec, rule, n_seeds=n_seeds)
    except sp.PolynomialError as exc:  # e.g. entropy (log p) on the faces of the box
        raise GameError(f"the fixed-point finder cannot handle game {dec.game.name!r} "
                        f"({dec.game.parameterization}): {str(exc).rstrip('.')}; for entropy "
                        "regularisation use --param logit") from None
    pts = tuple(FixedPoint(tuple(float(x) for x in e.point), e.exact, e.strategies,
                           e.stability.value, e.nash, e.boundary, e.route.value,
                           float(e.residual)) for e in es.equilibria)
    return FixedPointList(pts, bool(es.complete), tuple(es.notes))


def trace_separatrix(dec: Decomposition, saddle, bound: float = 8.0):
    """The stable manifold of ``saddle`` under v as a polyline (m, 2) and notes."""
    sep = separatrix(dec, np.asarray(saddle, dtype=float), Rule("pg", 0, 0), bound=bound)
    return sep.polyline, tuple(sep.ends), tuple(sep.notes)


@dataclass(frozen=True)
class BranchSummary:
    """One continuation branch: rows [p, phi...], stability per row, events."""

    points: np.ndarray
    stability: tuple
    events: tuple  # (type, value, point, exact_value)
    status: str
    kind: str


def _summaries(res) -> tuple:
    out = []
    for b in res.branches:
        ev = tuple((e.type.value, float(e.value), tuple(float(x) for x in e.point),
                    e.exact_value) for e in b.events)
        out.append(BranchSummary(np.asarray(b.points, dtype=float),
                                 tuple(s.value for s in b.stability), ev,
                                 b.status.value, b.kind))
    events = tuple((e.type.value, float(e.value), tuple(float(x) for x in e.point),
                    e.exact_value) for e in res.events)
    return tuple(out), events, tuple(res.notes)


def lambda_branches(dec: Decomposition, rule: Rule, lam_max: float, starts=None):
    """Branches of the rule's field in lambda over [0, lam_max] (from lambda = 0); the
    rule's own coefficient c may be the symbol lambda (F_lambda = v + lambda M)."""
    res = continue_in_lambda(dec, rule, (0.0, float(lam_max)), starts=starts)
    return _summaries(res)


def tau_game_decomposition(game, tau_value, eta) -> Decomposition:
    """The entropy-regularised game with tau kept as the payoff symbol ``tau``."""
    from eqselect.theory import entropy_regularized

    g = entropy_regularized(game, TAU)
    g = replace(g, payoff_symbols={**dict(g.payoff_symbols), TAU: to_exact(tau_value, "tau")})
    return Decomposition(g, eta=eta)


def tau_branches(dec_tau: Decomposition, rule: Rule, lam, tau_range, starts=None):
    """Branches in tau of the rule's field at fixed lambda (``tau_range`` = (from, to))."""
    at_lam = Rule(rule.method, float(lam), float(rule.own_coef))
    res = continue_in_parameter(dec_tau, at_lam, "tau", tuple(map(float, tau_range)),
                                starts=starts)
    return _summaries(res)


class _ExpressionField:
    """A field given by its expressions, as the ``cur`` term of a gradient source
    (so that the rule "pg" steps exactly this field)."""

    def __init__(self, field_exprs, symbols):
        from eqselect.numerics.codegen import compile_exprs

        self.f, self.dim = compile_exprs(list(field_exprs), list(symbols)), len(symbols)

    def components(self, x) -> dict:
        return {"cur": self.f(x)}


def _euler_map(field_exprs, symbols, starts, steps: int, dt: float, judge):
    """The basin map of the Euler steps phi <- clip(phi + dt F(phi), -30, 30)."""
    from eqselect.numerics.dynamics.basins import run_basins
    from eqselect.numerics.dynamics.problem import BasinProblem
    from eqselect.numerics.dynamics.schedules import ConstantSchedule
    from eqselect.numerics.dynamics.starts import GivenStarts
    from eqselect.theory import Game, Region, RegionKind, Rule

    game = Game("field", (tuple(symbols),), (sp.Integer(0),), Region(RegionKind.FREE), "free")
    problem = BasinProblem(None, Rule("pg"), GivenStarts(starts), int(steps),
                           ConstantSchedule(dt, 30.0), judge,
                           source=_ExpressionField(field_exprs, symbols), game=game)
    return run_basins(problem)


@dataclass(frozen=True)
class UniformStarts:
    """``n`` starts drawn uniformly from the box [lower, upper]^d with ``seed``."""

    lower: float
    upper: float
    n: int = 400
    seed: int = 0

    def __post_init__(self):
        if not self.lower < self.upper:
            raise GameError(f"the box needs lower < upper, got [{self.lower}, {self.upper}]")
        if isinstance(self.n, bool) or int(self.n) != self.n or self.n < 1:
            raise GameError(f"n must be an integer >= 1, got {self.n!r}")


def basin_mass(field_exprs, symbols, target, starts: UniformStarts, steps: int = 4000,
               dt: float = 0.5, tol: float = 0.05) -> float:
    """Share of ``starts`` whose Euler flow phi' = F(phi) ends within ``tol``
    (max norm) of ``target``."""
    from eqselect.numerics.dynamics.judges import SuccessJudge

    rng = np.random.default_rng(starts.seed)
    x = rng.uniform(starts.lower, starts.upper, size=(int(starts.n), len(symbols)))
    target = np.asarray(target, dtype=float)

    def near(y):
        return np.max(np.abs(y - target), axis=1) < tol

    return float(_euler_map(field_exprs, symbols, x, steps, dt, SuccessJudge(near)).fraction)


def compiled_components(dec: Decomposition):
    """theta -> (cur, peer) as float arrays, from the exact components."""
    from eqselect.numerics.codegen import compile_exprs

    f = compile_exprs([*dec.cur, *dec.peer], list(dec.game.parameters))
    d = len(dec.game.parameters)

    def run(theta):
        out = f(np.asarray(theta, dtype=float)[None])[0]
        return out[:d], out[d:]

    return run


def first_hit_steps(field_exprs, symbols, starts, target, radius: float, dt: float = 0.5,
                    max_steps: int = 4000) -> np.ndarray:
    """Euler steps of phi' = F(phi) until |phi - target| <= radius (-1 if never)."""
    from eqselect.numerics.dynamics.judges import SuccessJudge

    target = np.asarray(target, dtype=float)

    def inside(y):
        return np.linalg.norm(y - target, axis=1) <= radius

    bm = _euler_map(field_exprs, symbols, starts, max_steps, dt, SuccessJudge(inside, "ever"))
    return bm.first_hit


def field_evaluator(dec: Decomposition, rule: Rule):
    """x -> the rule's field at the rows of x, shape (n, d): the IPD's chain field
    where it computes the rule (`kernels.chain.chain_rule_field`), else the
    compiled closed form."""
    from eqselect.numerics.dynamics.problem import BasinProblem
    from eqselect.numerics.dynamics.starts import GivenStarts
    from eqselect.numerics.sources.fields import rule_field
    from eqselect.numerics.sources.symbolic import SymbolicSource

    try:
        from eqselect.numerics.dynamics.kernels.chain import chain_rule_field

        start = np.zeros((1, len(dec.game.parameters)))
        chain = chain_rule_field(BasinProblem(dec, rule, GivenStarts(start)))
    except ImportError:  # numba missing: the closed form
        chain = None
    field = chain if chain is not None else rule_field(SymbolicSource(dec), rule)
    return lambda x: np.asarray(field(np.atleast_2d(np.asarray(x, dtype=float))), dtype=float)
