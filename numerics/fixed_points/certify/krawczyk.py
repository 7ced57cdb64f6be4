"""The Krawczyk test: a proof that a small box holds exactly one zero of F.

For F: R^d -> R^d, a box X (arb balls), its midpoint c and any matrix Y
(here the midpoint inverse of DF(c)), the Krawczyk operator

    K(X) = c - Y F(c) + (I - Y DF(X)) (X - c),

with DF(X) an interval enclosure of the Jacobian over X, has the property
that every zero of F in X lies in K(X); and when K(X) lies in the interior
of X, F has exactly one zero in X (Krawczyk 1969; Moore's interval Newton
theory). ``K(X) & X`` is again a box holding that zero, so iterating
tightens it quadratically.

`krawczyk` runs the test on arb balls (python-flint; ``F`` and ``DF`` are
the caller's enclosure functions). `certify_points` applies it to points
found by Newton: the field of a game with a transcendental payoff (pi,
log 3) cannot be turned into polynomials with rational coefficients, but
its interval enclosure (`eqselect.numerics.intervals`) is rigorous, so
each Newton point is proven to be within a tiny box of exactly one fixed
point (its record's route becomes ``interval-certified``).
"""

from __future__ import annotations

from dataclasses import replace

import mpmath
from flint import arb, arb_mat

from eqselect.numerics.intervals import IntervalFunction, working_precision
from eqselect.numerics.fixed_points.core.field import MpField
from eqselect.numerics.fixed_points.newton.multistart import newton_polish
from eqselect.numerics.fixed_points.core.record import Route


def krawczyk(f, jac, box):
    """One Krawczyk step on ``box``.

    Parameters
    ----------
    f : callable
        list of arb (a point or a box) -> list of arb, enclosures of F.
    jac : callable
        list of arb -> d x d nested list of arb, enclosures of DF.
    box : list of arb

    Returns
    -------
    (bool, list of arb or None)
        Whether K(X) lies in the interior of X (one zero, proven), and the
        box K(X) & X (None when DF at the midpoint is not invertible or K
        misses X, which proves there is no zero in X).
    """
    d = len(box)
    centre = [arb(x.mid()) for x in box]
    mid_jac = [[arb(v.mid()) for v in row] for row in jac(centre)]
    try:
        inv = arb_mat(mid_jac).inv()
    except ZeroDivisionError:
        return False, None
    Y = [[arb(inv[i, j].mid()) for j in range(d)] for i in range(d)]
    Fc, JX = f(centre), jac(box)
    out, inside = [], True
    for i in range(d):
        k = centre[i] - sum((Y[i][j] * Fc[j] for j in range(d)), arb(0))
        for j in range(d):
            coef = (1 if i == j else 0) - sum((Y[i][m] * JX[m][j] for m in range(d)), arb(0))
            k += coef * (box[j] - centre[j])
        inside = inside and box[i].contains_interior(k)
        if not k.overlaps(box[i]):
            return False, None
        out.append(k.intersection(box[i]))
    return inside, out


def prove_zero(f, jac, box, steps: int = 6):
    """Iterate `krawczyk` from ``box``: the tightened box when a unique zero is proven.

    Returns None when the test does not succeed (no proof either way) or
    proves that ``box`` holds no zero.
    """
    proven, current = False, box
    for _ in range(steps):
        inside, nxt = krawczyk(f, jac, current)
        if nxt is None:
            return current if proven else None
        proven = proven or inside
        current = nxt
    return current if proven else None


def certify_points(dec, rule, equilibria, dps: int = 40) -> tuple[list, int]:
    """Newton points of a field, each proven by `prove_zero` in its parameters.

    The points must be zeros of F itself: points of a free region (theta),
    or interior points of the direct parameterisation (p), e.g. those of an
    entropy-regularised game, whose F is finite only inside the simplex.

    Each point is polished at ``dps`` digits, a box of radius 10^(-dps/2)
    (1 + |x|) around it is tested with the field's interval enclosure
    (`IntervalFunction` of F and DF: rigorous for exp, log and pi). A proven
    point gets route ``interval-certified`` and a note with its box; the
    others are kept as they were.

    Returns
    -------
    (list of Equilibrium, int)
        The records and how many were certified.
    """
    params = list(dec.game.parameters)
    F = list(dec.field(rule))
    J = [[f.diff(p) for p in params] for f in F]
    encl = IntervalFunction(F + [e for row in J for e in row], params)
    d, mpf, out, proven = len(params), MpField(dec, rule), [], 0
    coordinates = "p" if dec.game.parameterization == "direct" else "theta"
    with mpmath.workdps(dps), working_precision(int(dps * 3.4) + 64):
        for e in equilibria:
            x, ok, _ = newton_polish(mpf, list(e.point), mpmath.mpf(10) ** (-dps + 5), 40)
            box = [_ball(v, mpmath.mpf(10) ** (-dps // 2) * (1 + abs(v))) for v in x]
            found = prove_zero(lambda b: encl(b)[:d],
                               lambda b: _square(encl(b)[d:], d), box) if ok else None
            if found is None:
                out.append(e)
                continue
            proven += 1
            where = " x ".join(f"[{v.lower().str(12, radius=False)}, "
                               f"{v.upper().str(12, radius=False)}]" for v in found)
            note = (f"interval-certified: exactly one fixed point in {coordinates} in "
                    f"{where} (Krawczyk, arb)")
            out.append(replace(e, route=Route.INTERVAL, notes=tuple(e.notes) + (note,)))
    return out, proven


def _ball(centre, radius) -> arb:
    return arb(mpmath.nstr(centre, mpmath.mp.dps + 5, strip_zeros=False)) + \
        arb(0, float(radius) * 2 + 1e-300)


def _square(flat, d) -> list:
    return [flat[i * d:(i + 1) * d] for i in range(d)]


__all__ = ["certify_points", "krawczyk", "prove_zero"]
