"""Continuation in lambda of the interior fixed points of any network game.

On a graph that is not regular the points t 1 are not fixed points, but the
interior fixed points lie near the diagonal where the *mean* field
m(t) = mean_i F_i(t 1) vanishes (on a regular graph with shared payoffs
they are the points t 1 themselves, `eqselect.numerics.network.continuation`).
At the first lambda of a grid every sign change of m along the diagonal
seeds Newton (`deflated_newton`, deflating the roots already found); each
root found starts a branch, followed by natural-parameter continuation:
at the next lambda, Newton from the last point. Stability and the leading
eigenvalue come from the sparse spectrum at every point. Events
(BifurcationKit's vocabulary, docs/networks.md):

- ``fold`` (interior) or ``boundary`` (at the box's faces under direct,
  |theta| -> 12 under logit): Newton from the last point stops converging,
  located by bisection in lambda to ``EVENT_TOL``;
- ``branch`` (a real eigenvalue crosses zero) or ``hopf`` (a complex pair
  crosses the imaginary axis) where the leading real part changes sign,
  located by bisection.

Branches born after the first lambda are not followed (the result says so).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eqselect.numerics.network.continuation import BranchEvent
from eqselect.numerics.network.equilibria import SCAN_COORDINATES, classify, spectrum
from eqselect.numerics.network.jacobian import sparse_jacobian
from eqselect.numerics.network.newton import FINITE_BOUND, NewtonOptions, deflated_newton
from eqselect.numerics.sources.fields import float_coefficients

EVENT_TOL = 1e-4
#: Bisection steps of an event (the window / 2^steps reaches ``EVENT_TOL``).
EVENT_STEPS = 16


@dataclass(frozen=True)
class PointBranch:
    """A branch of interior fixed points in lambda.

    Attributes
    ----------
    lams : tuple of float
    points : tuple of ndarray
        The fixed point at each lambda.
    leading : tuple of complex
        The eigenvalue of DF of largest real part at each point.
    stability : tuple of str
    """

    lams: tuple
    points: tuple
    leading: tuple
    stability: tuple


def diagonal_seeds(field, coef: dict, grid=None) -> list:
    """The points t 1 where the mean field m(t) = mean_i F_i(t 1) changes sign."""
    if grid is None:
        grid = (np.linspace(0.005, 0.995, 199) if field.net.parameterization == "direct"
                else np.linspace(-FINITE_BOUND + 1, FINITE_BOUND - 1, 221))
    per_call = max(1, SCAN_COORDINATES // field.dim)
    values = np.concatenate([
        field.combination(np.repeat(grid[k:k + per_call, None], field.dim, axis=1),
                          coef).mean(axis=1) for k in range(0, len(grid), per_call)])
    return [np.full(field.dim, 0.5 * (a + b)) for a, b, fa, fb
            in zip(grid[:-1], grid[1:], values[:-1], values[1:]) if fa * fb < 0]


def _at(field, rule, lam):
    return float_coefficients(rule.with_(lam=float(lam)))


def _leading(field, coef, x) -> complex:
    return spectrum(sparse_jacobian(field, x, coef), k=1)[0][0]


def _starts(field, rule, lam, options) -> list:
    coef, roots = _at(field, rule, lam), []
    for seed in diagonal_seeds(field, coef):
        x = deflated_newton(field, coef, seed, roots, options)
        if x is not None and np.all((x > 1e-9) & (x < 1 - 1e-9)
                                    if field.net.parameterization == "direct" else True):
            roots.append(x)
    return roots


def _bisect(converges, a: float, b: float) -> float:
    """The lambda in [a, b] where ``converges`` (True at a, False at b) changes."""
    for _ in range(EVENT_STEPS):
        if b - a <= EVENT_TOL:
            break
        mid = 0.5 * (a + b)
        a, b = (mid, b) if converges(mid) else (a, mid)
    return 0.5 * (a + b)


def _lost(field, rule, x, lam_a, lam_b, options) -> BranchEvent:
    """The event where Newton from ``x`` stops converging between lam_a and lam_b."""
    found = {}

    def converges(lam):
        y = deflated_newton(field, _at(field, rule, lam), x, [], options)
        if y is not None:
            found[lam] = y
        return y is not None

    lam = _bisect(converges, lam_a, lam_b)
    last = found[max(found)] if found else x
    edge = (np.any((last < 0.02) | (last > 0.98)) if field.net.parameterization == "direct"
            else np.abs(last).max() > FINITE_BOUND - 2)
    return BranchEvent("boundary" if edge else "fold", lam, float(np.mean(last)))


def _crossing(field, rule, x, lam_a, lam_b, options) -> BranchEvent:
    """The event where the leading real part changes sign between lam_a and lam_b."""
    sign_a = _leading(field, _at(field, rule, lam_a), x).real < 0
    state = {"x": x, "value": 0j}

    def same(lam):
        coef = _at(field, rule, lam)
        y = deflated_newton(field, coef, state["x"], [], options)
        if y is None:
            return True
        state["x"], state["value"] = y, _leading(field, coef, y)
        return (state["value"].real < 0) == sign_a

    lam = _bisect(same, lam_a, lam_b)
    kind = "hopf" if abs(state["value"].imag) > 1e-9 else "branch"
    return BranchEvent(kind, lam, float(np.mean(state["x"])))


def continue_points(field, rule, lams, options: NewtonOptions = NewtonOptions()) -> tuple:
    """Branches of interior fixed points over the lambda grid ``lams`` (module docstring).

    Returns
    -------
    branches : list of PointBranch
    events : list of BranchEvent
        ``t`` of an event is the mean parameter of the point there.
    """
    lams = [float(v) for v in lams]
    branches, events = [], []
    for x in _starts(field, rule, lams[0], options):
        seq = {"lams": [], "points": [], "leading": [], "stability": []}
        for k, lam in enumerate(lams):
            coef = _at(field, rule, lam)
            y = x if k == 0 else deflated_newton(field, coef, x, [], options)
            if y is None:
                events.append(_lost(field, rule, x, lams[k - 1], lam, options))
                break
            vals = spectrum(sparse_jacobian(field, y, coef))[0]
            lead = vals[0]
            if k and (lead.real < 0) != (seq["leading"][-1].real < 0):
                events.append(_crossing(field, rule, x, lams[k - 1], lam, options))
            for key, value in zip(seq, (lam, y, lead, classify(vals))):
                seq[key].append(value)
            x = y
        branches.append(PointBranch(*(tuple(v) for v in seq.values())))
    return branches, events


__all__ = ["PointBranch", "continue_points", "diagonal_seeds"]
