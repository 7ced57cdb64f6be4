"""Exact event curves of an atlas: where a corner stops being a fixed point.

For the direct parameterisation of a two-action game the region is the box
[0, 1]^d and a corner c is a fixed point of the projected dynamics exactly
when the field points out of the box in every coordinate:

    s_k F_k(c) >= 0 for k = 1 .. d,   s_k = +1 if c_k = 1, -1 if c_k = 0.

F_k(c) is a polynomial in the payoff symbols and lambda (for direct Stag Hunt
under peer-only or Meta-MAPG, F_1(0, 0) = (b - d) + lambda eta S (c - d) with
S = a - b - c + d), so the boundary of "corner c exists" in a plane of the
sweep (a symbol against lambda, or two symbols at fixed lambda) lies on the
curves F_k(c) = 0, solved here in closed form with sympy:

1. F_k(c) exact, with every other payoff symbol at its value;
2. solved for the vertical variable y when it has degree 1 or 2 in y
   (y = h(x), each root a branch), else for x (vertical lines); higher
   degrees are not attempted and say so (the budget);
3. sampled along x and kept where it is real, inside the window and where
   the corner's other conditions hold, so what is drawn is the boundary.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass

import numpy as np
import sympy as sp

from eqselect.theory import Decomposition, RegionKind
from eqselect.theory.rules import LAMBDA, as_rule
from eqselect.theory.serialize import Record

#: Corners are enumerated up to this many parameters (2^d corners).
MAX_CORNER_DIM = 6
#: Points along x at which an exact curve is sampled for drawing.
SAMPLES = 401


@dataclass(frozen=True)
class EventCurve(Record):
    """One boundary curve F_k(c) = 0 of corner c in a plane of the sweep.

    Attributes
    ----------
    corner : str
        The corner in probability coordinates, e.g. "(0, 0)".
    coordinate : str
        The parameter k whose field component changes sign.
    condition : str
        The corner's condition on this coordinate, "s_k F_k(c) >= 0", exact.
    x, y : str
        The plane's horizontal and vertical variables ("lam" for lambda).
    solutions : tuple of str
        Closed forms "y = h(x)" (or "x = const").
    segments : tuple of tuple of (float, float)
        The solutions sampled where the curve is the corner's boundary.
    certified : str
        "exact": the solutions are closed forms of the exact condition.
    """

    corner: str
    coordinate: str
    condition: str
    x: str
    y: str
    solutions: tuple
    segments: tuple
    certified: str = "exact"


def _symbol(game, name: str) -> sp.Symbol:
    if name == "lam":
        return LAMBDA
    return {s.name: s for s in game.free_symbols}[name]


def corner_conditions(game, rule, eta) -> dict:
    """{corner label: [(parameter name, s_k F_k(c))]} for a box game.

    Lambda stays the symbol ``lambda``; the payoff symbols stay free.
    Returns {} for other regions or more than ``MAX_CORNER_DIM`` parameters.

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> g = builtin("stag-hunt", "direct", symbolic=True)
    >>> corner_conditions(g, "peer-only", sp.Rational(11, 20))["(0, 0)"][0]
    ('p1', -b + d - 11*lambda*(c - d)*(a - b - c + d)/20)
    """
    d = len(game.parameters)
    if game.region.kind is not RegionKind.BOX or d > MAX_CORNER_DIM:
        return {}
    rule = as_rule(rule)
    field = Decomposition(game, eta=eta).field(rule.method, LAMBDA, rule.own_coef)
    out = {}
    for corner in itertools.product((0, 1), repeat=d):
        at = dict(zip(game.parameters, corner))
        conds = [(s.name, sp.factor_terms((1 if c else -1) * field[k].xreplace(at)))
                 for k, (s, c) in enumerate(zip(game.parameters, corner))]
        out["(" + ", ".join(map(str, corner)) + ")"] = conds
    return out


def _closed_forms(g, x, y):
    """[(variable solved for, [roots])] within the degree budget, or None."""
    for var in (y, x):
        if var not in g.free_symbols:
            continue
        poly = sp.Poly(g, var) if g.is_polynomial(var) else None
        if poly is not None and 1 <= poly.degree() <= 2:
            return var, sp.solve(g, var)
    return None


def _sample(root, var, x, y, window, others) -> list:
    """Segments of the root (y = h(x) or x = const) where ``others`` hold."""
    (x0, x1), (y0, y1) = window
    if var == y:
        xs = np.linspace(x0, x1, SAMPLES)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ys = np.asarray(sp.lambdify(x, root, "numpy")(xs.astype(complex)), dtype=complex)
        ys = np.broadcast_to(ys, xs.shape)
        ok = np.isfinite(ys) & (np.abs(ys.imag) < 1e-9)
        ys = ys.real
    else:
        value = complex(sp.N(root))
        ys = np.linspace(y0, y1, SAMPLES)
        xs = np.full_like(ys, value.real)
        ok = np.full(ys.shape, abs(value.imag) < 1e-9)
    ok &= (ys >= y0) & (ys <= y1) & (xs >= x0) & (xs <= x1)
    for h in others:
        with np.errstate(all="ignore"):
            ok &= np.broadcast_to(sp.lambdify((x, y), h, "numpy")(xs, ys), xs.shape) >= -1e-9
    segments, run = [], []
    for keep, px, py in zip(ok, xs, ys):
        if keep:
            run.append((float(px), float(py)))
        elif run:
            segments.append(tuple(run))
            run = []
    if run:
        segments.append(tuple(run))
    return [s for s in segments if len(s) > 1]


def event_curves(game, rule, eta, x_name: str, y_name: str, window, fixed: dict,
                 ) -> tuple[list, list]:
    """Exact corner-boundary curves in the (x, y) plane of a sweep.

    Parameters
    ----------
    game : Game
        With payoff symbols free (`eqselect.studies.sweep.cell.sweep_game`).
    rule : Rule or method name
    eta : exact number
    x_name, y_name : str
        Payoff symbol names or "lam".
    window : ((x0, x1), (y0, y1))
    fixed : dict of str to exact number
        Values of every other payoff symbol (and of lambda when it is fixed).

    Returns
    -------
    curves : list of EventCurve
    notes : list of str
    """
    x, y = _symbol(game, x_name), _symbol(game, y_name)
    sub = {_symbol(game, k): v for k, v in fixed.items()}
    sub.update({s: v for s, v in game.payoff_symbols.items() if s not in sub | {x: 0, y: 0}})
    curves, notes, seen = [], [], set()
    for corner, conds in corner_conditions(game, rule, eta).items():
        exprs = [(name, sp.factor_terms(sp.expand(h.xreplace(sub)))) for name, h in conds]
        for i, (name, g) in enumerate(exprs):
            if not g.free_symbols or (corner, g) in seen:
                continue
            seen.add((corner, g))
            solved = _closed_forms(g, x, y)
            if solved is None:
                notes.append(f"corner {corner}: {g} >= 0 not solved in closed form "
                             f"(degree > 2); no curve drawn")
                continue
            var, roots = solved
            others = [h for j, (_, h) in enumerate(exprs) if j != i]
            segs = [s for r in roots for s in _sample(r, var, x, y, window, others)]
            if segs:
                curves.append(EventCurve(corner, name, f"{g} >= 0", x_name, y_name,
                                         tuple(f"{var} = {r}" for r in roots), tuple(segs)))
    return curves, notes
