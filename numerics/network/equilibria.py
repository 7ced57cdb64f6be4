"""Fixed points of a network field and their stability from sparse spectra.

Three routes, each point labelled with the one that found it:

1. *consensus*: every agent at the same pure action. Under the direct
   parameterisation these are corners of the box, fixed points of the
   projected dynamics when no coordinate of the field points into the box,
   with the margins of a vertex (`corner_point`); under logit they lie at
   infinity, where cur dominates own and peer (they carry higher powers of
   p' -> 0), so the consensus is attracting when every component of the
   field points outward at |theta| = `INFINITY_PROBE`.
2. *symmetric*: on a regular graph with shared payoffs F(t 1) is a multiple
   of 1, so the points t 1 with F_1(t 1) = 0 are fixed points; the roots are
   bracketed on a grid of t and refined by Brent's method.
3. *newton*: Newton's method with deflation (Farrell, Birkisson and Funke
   2015) from seeded starts: after each root x_k the residual is multiplied
   by m(x) = prod_k (||x - x_k||^-2 + 1), so Newton is repelled from the
   roots found; the deflated step is the plain step delta scaled by
   1 / (1 - delta . grad log m). Each linear solve is sparse (`spsolve` on
   the complex-step Jacobian).

Stability off the corners: the eigenvalues of DF(x*) of largest real part (ARPACK,
`scipy.sparse.linalg.eigs`; dense below `DENSE_BELOW` parameters) and
mu = -lambda_max(sym DF) (`eigsh`), docs/theory.md section 3.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sps
import scipy.sparse.linalg as spla
from scipy.optimize import brentq

from eqselect.numerics.network.jacobian import sparse_jacobian

#: |theta| at which the direction of a consensus at infinity is read.
INFINITY_PROBE = 30.0
#: Eigenvalues listed per fixed point (those of largest real part).
LEADING = 4
#: Below this many parameters spectra are computed densely.
DENSE_BELOW = 64
TOL = 1e-10


@dataclass(frozen=True)
class NetworkEquilibrium:
    """A fixed point of a network field.

    Attributes
    ----------
    point : ndarray, shape (N d,)
        The parameters (+-inf for a consensus at infinity).
    route : str
        ``"consensus"``, ``"symmetric"`` or ``"newton"``.
    stability : str
        ``"stable"``, ``"unstable"``, ``"saddle"`` or ``"degenerate"``.
    eigenvalues : tuple of complex
        The leading eigenvalues of DF (largest real part first); empty at infinity.
    mu : float or None
        -lambda_max(sym DF) (None at infinity).
    residual : float
        max |F| at the point (at infinity: at the probe).
    label : str
        ``"consensus C"`` or the like for a consensus, else ``""``.
    notes : tuple of str
        How a consensus point's stability was read.
    strategies : tuple of tuple of float
        Every agent's mixed strategy.
    boundary : bool
        On a face of the box (direct parameterisation).
    """

    point: np.ndarray
    route: str
    stability: str
    eigenvalues: tuple = ()
    mu: float | None = None
    residual: float = 0.0
    label: str = ""
    notes: tuple = field(default_factory=tuple)

    strategies: tuple = ()
    boundary: bool = False

    def to_json(self) -> dict:
        """The record for the ``equilibria --json`` document of a network game: the
        contract's keys (``exact`` null: found in floating point; ``nash`` null: not
        decided for network games) and the route, label, mu and residual."""
        return {"point": [float(v) for v in self.point], "exact": None,
                "strategies": [list(s) for s in self.strategies],
                "stability": self.stability, "nash": None, "boundary": self.boundary,
                "at_infinity": not bool(np.all(np.isfinite(self.point))),
                "eigenvalues": [[float(z.real), float(z.imag)] for z in self.eigenvalues],
                "route": self.route, "label": self.label, "mu": self.mu,
                "residual": self.residual, "notes": list(self.notes)}


def strategies_at(field, x) -> tuple:
    """Every agent's mixed strategy at parameters x (a consensus at infinity: pure)."""
    x = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(x)):  # +inf: the first action, -inf: the last (m = 2)
        return tuple((1.0, 0.0) if v > 0 else (0.0, 1.0) for v in x)
    pi = field.jet(x.reshape(field.n, field.d))[0]
    return tuple(tuple(float(v) for v in row) for row in pi)


def _with_strategies(field, eq: "NetworkEquilibrium") -> "NetworkEquilibrium":
    on_face = field.net.parameterization == "direct" and bool(
        np.any((eq.point <= 0.0) | (eq.point >= 1.0)))
    return replace(eq, strategies=strategies_at(field, eq.point), boundary=on_face)


def spectrum(J: sps.spmatrix, k: int = LEADING) -> tuple[tuple, float]:
    """(leading eigenvalues of J by real part, mu = -lambda_max(sym J))."""
    n = J.shape[0]
    sym = (J + J.T) * 0.5
    if n < DENSE_BELOW:
        vals = np.linalg.eigvals(J.toarray())
        top = float(np.linalg.eigvalsh(sym.toarray())[-1])
    else:
        vals = spla.eigs(J.astype(float), k=min(k, n - 2), which="LR",
                         return_eigenvectors=False, tol=1e-10)
        top = float(spla.eigsh(sym.astype(float), k=1, which="LA",
                               return_eigenvectors=False, tol=1e-10)[0])
    vals = sorted(vals, key=lambda z: -z.real)[:k]
    return tuple(complex(v) for v in vals), -top


def classify(eigenvalues, tol: float = 1e-9) -> str:
    """stable / unstable / saddle / degenerate from the leading eigenvalues
    (unstable needs every eigenvalue, so it is read only from a full spectrum)."""
    lead = eigenvalues[0].real
    if lead < -tol:
        return "stable"
    if abs(lead) <= tol:
        return "degenerate"
    return "saddle" if any(z.real < -tol for z in eigenvalues) else "unstable"


def characterise(field, x, coef: dict, route: str, label: str = "") -> NetworkEquilibrium:
    """A fixed point x with its spectrum, mu and residual."""
    J = sparse_jacobian(field, x, coef)
    vals, mu = spectrum(J)
    residual = float(np.abs(field.combination(x[None, :], coef)).max())
    return _with_strategies(field, NetworkEquilibrium(np.asarray(x, float), route,
                                                      classify(vals), vals, mu, residual, label))


def corner_point(field, coef: dict, level: float, label: str) -> NetworkEquilibrium | None:
    """The consensus corner p = level 1 of the box as a fixed point of the projected
    dynamics, or None when it is not one.

    At a vertex the margin is that of the face of dimension 0 (docs/theory.md,
    "Margins at the boundary"): the normal-cone multipliers m_k = F_k where
    p_k = 1 and -F_k where p_k = 0. The corner is a fixed point when every
    m_k >= 0 (the field points out of the box or along its face in every
    coordinate); its eigenvalues are the -m_k (largest real part first) and
    mu = min_k m_k, as for the same game written as a normal-form game.
    """
    x = np.full(field.dim, level)
    u = field.combination(x[None, :], coef)[0]
    multipliers = u if level == 1.0 else -u
    if np.any(multipliers < -TOL):
        return None
    vals = tuple(complex(v) for v in np.sort(-multipliers)[::-1][:LEADING])
    return _with_strategies(field, NetworkEquilibrium(
        x, "consensus", classify(vals, TOL), vals, float(multipliers.min()), 0.0, label,
        (f"a corner of the box: eigenvalues -m_k, m_k the normal-cone multiplier of each "
         f"of the {field.dim} bound directions (the {LEADING} largest shown), "
         f"mu = min m_k",)))


def consensus_points(field, coef: dict) -> list[NetworkEquilibrium]:
    """Every consensus on a pure action (two actions per agent: all 0 or all 1)."""
    net, out = field.net, []
    if field.m != 2:
        return out
    for action, level in ((0, 1.0), (1, 0.0)):
        name = f"consensus {net.action_names[action] if net.action_names else action}"
        if net.parameterization == "direct":
            corner = corner_point(field, coef, level, name)
            if corner is not None:
                out.append(corner)
            continue
        probe = np.full(field.dim, INFINITY_PROBE if level else -INFINITY_PROBE)
        u = field.combination(probe[None, :], coef)[0]
        outward = np.all(u > 0) if level else np.all(u < 0)
        out.append(_with_strategies(field, NetworkEquilibrium(
            np.full(field.dim, np.inf if level else -np.inf), "consensus",
            "stable" if outward else "saddle", (), None, float(np.abs(u).max()), name,
            (f"at infinity: stable when the field points outward at |theta| = "
             f"{INFINITY_PROBE:g}",))))
    return out


def is_regular_shared(field) -> bool:
    """Whether every agent has the same degree and every edge the same payoffs."""
    degree = np.bincount(field.src, minlength=field.n)
    return bool(field.net.shared and np.all(degree == degree[0]) and field.d == 1)


#: Coordinates evaluated in one call of the field when scanning the symmetric line.
SCAN_COORDINATES = 1 << 21


def _phi_on_grid(field, coef: dict, grid) -> np.ndarray:
    """F_1(t 1) at every t of ``grid``, many points per call of the vectorised field."""
    grid = np.asarray(grid, dtype=float)
    per_call = max(1, SCAN_COORDINATES // field.dim)
    parts = [field.combination(np.repeat(grid[k:k + per_call, None], field.dim, axis=1),
                               coef)[:, 0] for k in range(0, len(grid), per_call)]
    return np.concatenate(parts)


def symmetric_points(field, coef: dict, grid: np.ndarray | None = None) -> list:
    """The fixed points t 1 of a regular graph with shared payoffs (one action parameter)."""
    if not is_regular_shared(field):
        return []
    if grid is None:
        grid = (np.linspace(0.0, 1.0, 401) if field.net.parameterization == "direct"
                else np.linspace(-12.0, 12.0, 481))

    def phi(t):
        return float(field.combination(np.full((1, field.dim), t), coef)[0, 0])

    values = _phi_on_grid(field, coef, grid)
    out = []
    for a, b, fa, fb in zip(grid[:-1], grid[1:], values[:-1], values[1:]):
        if fa == 0.0:
            root = a
        elif fa * fb < 0:
            root = brentq(phi, a, b, xtol=1e-14)
        else:
            continue
        out.append(characterise(field, np.full(field.dim, root), coef, "symmetric"))
    return out
