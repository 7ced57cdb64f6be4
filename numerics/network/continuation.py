"""Continuation in lambda of the symmetric fixed points of a network game.

On a regular graph with shared payoffs the symmetric points t 1 solve one
scalar equation phi(t, lambda) = F_1(t 1; lambda) = 0
(`eqselect.numerics.network.equilibria`, route 2). Along a grid of lambda
every root is found by bracketing (so no branch is lost to a step that is
too long), roots are linked to the nearest root at the next lambda, and the
full sparse spectrum of DF decides stability at every point. Events
(BifurcationKit's vocabulary, docs/networks.md):

- ``fold``: two symmetric points meet and disappear (the number of roots
  changes), located by bisection in lambda to ``EVENT_TOL``;
- ``boundary``: a symmetric point leaves the scanned range (the box [0, 1]
  under direct; |theta| <= 12 under logit, beyond which it heads to a
  consensus at infinity);
- ``branch``: the symmetric point changes stability while d phi / dt keeps its
  sign, so the eigenvalue crossing zero belongs to a mode that is not
  symmetric: non-symmetric fixed points branch off there; located by
  bisection on the leading eigenvalue.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eqselect.theory import GameError
from eqselect.numerics.network.equilibria import is_regular_shared, spectrum, symmetric_points
from eqselect.numerics.network.jacobian import sparse_jacobian
from eqselect.numerics.sources.fields import float_coefficients

EVENT_TOL = 1e-6


@dataclass(frozen=True)
class SymmetricBranch:
    """One branch of symmetric fixed points t 1.

    Attributes
    ----------
    lams, ts : tuple of float
        lambda and t along the branch.
    leading : tuple of float
        The largest real part of an eigenvalue of DF at each point.
    stability : tuple of str
    """

    lams: tuple
    ts: tuple
    leading: tuple
    stability: tuple


@dataclass(frozen=True)
class BranchEvent:
    """``type`` ("fold", "boundary" or "branch") at ``lam``, near the symmetric point t 1."""

    type: str
    lam: float
    t: float


def _roots(field, rule, lam):
    coef = float_coefficients(rule.with_(lam=lam))
    return [(float(e.point[0]), e.eigenvalues[0].real, e.stability)
            for e in symmetric_points(field, coef)]


def _leading(field, rule, lam, t) -> float:
    coef = float_coefficients(rule.with_(lam=lam))
    return spectrum(sparse_jacobian(field, np.full(field.dim, t), coef), k=1)[0][0].real


def _bisect(pred, a: float, b: float) -> float:
    """The point in [a, b] where ``pred`` changes (pred(a) != pred(b))."""
    left = pred(a)
    while b - a > EVENT_TOL:
        mid = 0.5 * (a + b)
        if pred(mid) == left:
            a = mid
        else:
            b = mid
    return 0.5 * (a + b)


def _count_event(field, open_, roots, lam: float) -> BranchEvent:
    """A change in the number of symmetric points: a fold, or a point at the edge of
    the scanned range (a boundary event)."""
    ends = (0.0, 1.0) if field.net.parameterization == "direct" else (-12.0, 12.0)
    known = {round(b[1][-1], 6) for b in open_}
    fresh = {round(r[0], 6) for r in roots}
    changed = sorted((known ^ fresh) or known or fresh)
    t = changed[0] if len(changed) == 1 else float(np.mean(changed))
    near_edge = min(abs(t - e) for e in ends) < 0.05 * (ends[1] - ends[0])
    return BranchEvent("boundary" if len(changed) == 1 and near_edge else "fold", lam, t)


def continue_symmetric(field, rule, lams) -> tuple[list, list]:
    """Symmetric branches and their events over the lambda grid ``lams``.

    Returns
    -------
    branches : list of SymmetricBranch
    events : list of BranchEvent
    """
    if not is_regular_shared(field):
        raise GameError("symmetric branches need a regular graph with shared payoffs and "
                        "two actions per agent")
    lams = [float(v) for v in lams]
    open_, done, events = [], [], []
    for k, lam in enumerate(lams):
        roots = _roots(field, rule, lam)
        if k and len(roots) != len(open_):
            at = _bisect(lambda v: len(_roots(field, rule, v)), lams[k - 1], lam)
            events.append(_count_event(field, open_, roots, at))
        linked = []
        for t, lead, stab in roots:
            match = min(open_, key=lambda b: abs(b[1][-1] - t), default=None)
            if match is not None and abs(match[1][-1] - t) < 0.5 and match not in linked:
                if (match[2][-1] < 0) != (lead < 0):
                    lo = _bisect(lambda v: _leading(field, rule, v, t) < 0, lams[k - 1], lam)
                    events.append(BranchEvent("branch", lo, t))
                for seq, val in zip(match, (lam, t, lead, stab)):
                    seq.append(val)
                linked.append(match)
            else:
                linked.append(([lam], [t], [lead], [stab]))
        done += [b for b in open_ if b not in linked]
        open_ = linked
    done += open_
    branches = [SymmetricBranch(*(tuple(seq) for seq in b)) for b in done]
    return branches, events
