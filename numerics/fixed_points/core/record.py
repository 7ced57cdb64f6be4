"""The `Equilibrium` record: one fixed point of a learning field.

Every fixed-point finder in :mod:`eqselect.numerics` returns these, so the
CLI and the checks never care which route found a point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from eqselect.theory.serialize import Record


class Stability(str, Enum):
    """Linear stability class of a fixed point of an ascent field F.

    stable: every eigenvalue of DF (restricted to the tangent cone at a
    boundary point) has negative real part; unstable: all positive; saddle:
    both signs; center: purely imaginary pair(s), no positive part;
    degenerate: a zero eigenvalue (or a continuum of fixed points).
    """

    STABLE = "stable"
    SADDLE = "saddle"
    UNSTABLE = "unstable"
    CENTER = "center"
    DEGENERATE = "degenerate"


class Route(str, Enum):
    """How a fixed point was obtained."""

    EXACT = "exact"  # solved in exact arithmetic (sympy, resultants, root isolation)
    NEWTON = "newton"  # mpmath Newton with deflation, residual certified to tolerance
    AT_INFINITY = "at-infinity"  # a pure profile, the limit theta -> +-inf of logits
    INTERVAL = "interval-certified"  # a unique zero in a small box, proven (Krawczyk, arb)


@dataclass(frozen=True)
class Equilibrium(Record):
    """A fixed point phi* of F (or of the projected dynamics on the region).

    Attributes
    ----------
    point : tuple of float
        Coordinates in the game's parameter order.
    exact : tuple of sympy.Expr or None
        Exact coordinates when known (e.g. (2/3, 2/3)).
    strategies : tuple of tuple of float
        Each agent's full mixed strategy at the point (finite games).
    stability : Stability
    eigenvalues : tuple of complex
        Of DF at the point (tangent-cone restricted at a boundary point).
    mu : float
        -lambda_max(sym DF), the linearised strong-monotonicity margin; at a
        boundary point of the direct region the smaller of that on the face
        and the normal-cone multipliers (docs/theory.md, "Margins at the
        boundary"; at a corner the smallest multiplier).
    nash : bool or None
        Whether the strategies form a Nash equilibrium (exact best-response
        check); None for games without a policy (continuous games).
    boundary : bool
        Whether the point lies on the boundary of the region.
    route : Route
    residual : float
        max |F(phi*)| over the free coordinates.
    notes : tuple of str
        Anything suspect (continuum of fixed points, ill-conditioning).
    extreme_points : tuple of tuple of sympy.Expr
        For the representative of a continuum (direct parameterisation,
        affine field): the exact vertices of the polytope of fixed points on
        the closed face; empty otherwise.
    dimension : int
        The dimension of the continuum of fixed points this point represents
        on its face (0 for an isolated point).
    component : int or None
        The index, in `EquilibriumSet.components`, of the connected set of
        fixed points this point lies on or represents (None: isolated).

    The JSON form (``to_json``, docs/cli.md) has every field but
    ``dimension`` (its component carries it): exact coordinates as strings,
    eigenvalues as [re, im], a non-finite mu as null.
    """

    point: tuple
    exact: tuple | None
    strategies: tuple
    stability: Stability
    eigenvalues: tuple
    mu: float
    nash: bool | None
    boundary: bool
    route: Route
    residual: float = 0.0
    notes: tuple = field(default_factory=tuple)
    extreme_points: tuple = ()
    dimension: int = 0
    component: int | None = None

    _json_skip = ("dimension",)

    def _json_extra(self) -> dict:
        return {"stability": self.stability.value, "route": self.route.value}


def classify(eigenvalues, tol: float = 1e-9) -> Stability:
    """Stability class from the eigenvalues of DF (ascent: stable = Re < 0)."""
    re = [complex(z).real for z in eigenvalues]
    im = [complex(z).imag for z in eigenvalues]
    if any(abs(r) <= tol and abs(i) <= tol for r, i in zip(re, im)):
        return Stability.DEGENERATE
    if all(r < -tol for r in re):
        return Stability.STABLE
    if all(r > tol for r in re):
        return Stability.UNSTABLE
    if not any(r > tol for r in re):
        return Stability.CENTER
    if any(r < -tol for r in re):
        return Stability.SADDLE
    return Stability.UNSTABLE  # positive parts plus purely imaginary pairs

