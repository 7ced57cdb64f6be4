"""Judging end points: the paper's success predicate, nearest stable fixed
points, and the Wilson interval of a basin fraction."""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from eqselect.theory import PAPER, GameError
from eqselect.numerics.codegen import compile_exprs
from eqselect.numerics.fixed_points.core.record import Equilibrium, Stability
from eqselect.numerics.dynamics.narrow import row_all
from eqselect.numerics.dynamics.starts import chunks, parameters_to_probability
from eqselect.numerics.dynamics.plain import plain

#: The paper's success threshold on the cooperation probabilities.
SUCCESS_THRESHOLD = float(PAPER.success)
#: Rows the success predicate evaluates at a time (bounds its temporaries).
PREDICATE_CHUNK = 1 << 16


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
        raise GameError(f"success threshold must be in (0, 1), got {plain(threshold)}")
    coop = cooperation_probabilities(game, backend)

    def success(x):
        x = np.atleast_2d(x)
        ok = np.empty(len(x), dtype=bool)
        for part in chunks(len(x), PREDICATE_CHUNK):  # no temporaries over a large map
            ok[part] = row_all(coop(x[part]) >= threshold)
        return ok

    return success


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
        raise GameError(f"sample size n must be a positive integer, got {plain(n)}")
    if int(k) != k or not 0 <= k <= n:
        raise GameError(f"success count k must be an integer in [0, {n}], got {plain(k)}")
    if not z > 0:
        raise GameError(f"z must be > 0, got {plain(z)}")
    phat = k / n
    denom = 1 + z * z / n
    centre = (phat + z * z / (2 * n)) / denom
    half = z / denom * np.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n))
    # exact at the ends: k = 0 gives lo = 0 and k = n gives hi = 1
    lo = 0.0 if k == 0 else max(0.0, float(centre - half))
    hi = 1.0 if k == n else min(1.0, float(centre + half))
    return lo, hi


def fixed_point_label(eq: Equilibrium) -> str:
    """A fixed point's name: its exact coordinates, else 4 significant digits."""
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
    names = tuple(fixed_point_label(e) for e in stable)
    final = np.atleast_2d(final)
    if not stable:
        return np.full(final.shape[0], -1, dtype=int), names
    centres = parameters_to_probability(game, np.array([e.point for e in stable], dtype=float))
    ends = parameters_to_probability(game, final)
    dist = np.linalg.norm(ends[:, None, :] - centres[None, :, :], axis=2)
    labels = np.argmin(dist, axis=1)
    labels[dist[np.arange(len(labels)), labels] > tol] = -1
    return labels, names


def label_outcomes(game, final, fixed_points, tol) -> tuple:
    """(labels, names, counts, notes) of the nearest-stable-fixed-point labels."""
    labels, names = classify_nearest(game, final, fixed_points, tol)
    notes = []
    if not names:
        notes.append("no stable fixed point among fixed_points; every start unresolved")
    counts = {nm: int(np.sum(labels == i)) for i, nm in enumerate(names)}
    counts["unresolved"] = int(np.sum(labels < 0))
    if counts["unresolved"]:
        notes.append(f"{counts['unresolved']} end points are farther than {tol:g} "
                     "from every stable fixed point")
    return labels, names, counts, notes


def reached(ok, labels, names, preferred) -> np.ndarray:
    """Which starts count as reaching the preferred outcome.

    The success predicate decides when there is one; otherwise the label
    ``preferred`` among the stable fixed points.
    """
    if ok is not None:
        return ok
    if labels is not None and preferred is not None:
        if not 0 <= preferred < len(names):
            raise GameError(f"preferred index {preferred!r} is not one of the "
                            f"{len(names)} stable fixed points")
        return labels == preferred
    raise GameError("no way to decide success: pass a success predicate, or "
                    "fixed_points with a preferred index")
