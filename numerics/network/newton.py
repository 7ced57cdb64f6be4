"""Newton's method with deflation on a network field (sparse linear solves).

See `eqselect.numerics.network.equilibria` (route 3) for the method; this
module holds the iteration and the search that gathers every route.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse.linalg as spla

from eqselect.theory import GameError
from eqselect.numerics.network.equilibria import (
    characterise, consensus_points, symmetric_points)
from eqselect.numerics.network.jacobian import colouring, sparse_jacobian
from eqselect.numerics.sources.fields import float_coefficients

#: |theta| past which a logit Newton run is taken to be heading to infinity
#: (the field there is below 1e-5 of its interior size, so the residual test
#: cannot tell a root from a pure profile).
FINITE_BOUND = 12.0


@dataclass(frozen=True)
class NewtonOptions:
    """Seeds and tolerances of the deflated Newton search.

    Attributes
    ----------
    seeds : int
        Random starts (probabilities uniform in [0.05, 0.95], mapped to parameters).
    seed : int
    max_iter : int
    tol : float
        max |F| accepted as a root.
    """

    seeds: int = 8
    seed: int = 0
    max_iter: int = 60
    tol: float = 1e-10

    def __post_init__(self):
        if int(self.seeds) != self.seeds or self.seeds < 0:
            raise GameError(f"seeds must be a non-negative integer, got {self.seeds!r}")
        if int(self.max_iter) != self.max_iter or self.max_iter < 1:
            raise GameError(f"max_iter must be a positive integer, got {self.max_iter!r}")


def deflated_newton(field, coef: dict, x0, roots, options: NewtonOptions = NewtonOptions()):
    """One deflated Newton run from x0: the root (ndarray) or None if it fails."""
    colours = colouring(field, coef)
    x = np.asarray(x0, dtype=float).copy()
    for _ in range(int(options.max_iter)):
        F = field.combination(x[None, :], coef)[0]
        if np.abs(F).max() < options.tol:
            return x
        J = sparse_jacobian(field, x, coef, colours)
        try:
            delta = spla.spsolve(J.tocsc(), -F)
        except RuntimeError:  # a singular Jacobian
            return None
        if not np.all(np.isfinite(delta)):
            return None
        grad_log_m = np.zeros_like(x)
        for r in roots:
            diff = x - r
            dist2 = float(diff @ diff)
            if dist2 == 0.0:  # on a root already found
                return None
            grad_log_m += -2.0 * diff / dist2 ** 2 / (1.0 / dist2 + 1.0)
        tau = 1.0 / (1.0 - float(delta @ grad_log_m)) if roots else 1.0
        x = x + tau * delta
        if field.net.parameterization == "direct":
            x = np.clip(x, 0.0, 1.0)
        elif np.abs(x).max() > FINITE_BOUND:
            return None  # running to a profile at infinity, where F -> 0 without a root
    F = field.combination(x[None, :], coef)[0]
    return x if np.abs(F).max() < options.tol else None


def network_equilibria(field, rule, options: NewtonOptions = NewtonOptions()) -> list:
    """Every fixed point the three routes find: consensus, symmetric, deflated Newton.

    Returns
    -------
    list of NetworkEquilibrium
        Consensus points first, then the finite points without repeats.
    """
    coef = float_coefficients(rule)
    found = consensus_points(field, coef)
    finite = [e for e in found if np.all(np.isfinite(e.point))]
    finite += symmetric_points(field, coef)
    roots = [e.point for e in finite]
    rng = np.random.default_rng(options.seed)
    for _ in range(int(options.seeds)):
        p = rng.uniform(0.05, 0.95, field.dim)
        x0 = p if field.net.parameterization == "direct" else np.log(p / (1 - p))
        x = deflated_newton(field, coef, x0, roots, options)
        if x is None or any(np.abs(x - r).max() < 1e-6 for r in roots):
            continue
        roots.append(x)
        finite.append(characterise(field, x, coef, "newton"))
    return [e for e in found if not np.all(np.isfinite(e.point))] + finite
