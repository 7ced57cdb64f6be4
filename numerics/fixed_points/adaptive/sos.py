"""Fixed points of SOS (Letcher et al. 2019) from those of LookAhead and PG.

SOS moves along u + p s with u = cur + la (LookAhead), s = peer and the
adaptive weight p = min(p1, p2) of `eqselect.theory.rules.sos_weight`
(docs/rules.md). Its zeros are

    { v = 0 }  union  { u = 0 and s = 0 },

and both sets lie among LookAhead's zeros (la is linear in v, so v = 0
gives u = 0). Proof, for u + p s = 0:

1. s = 0: then u = 0.
2. s != 0, u = 0: then <s, u> = 0, p1 = 1, so p = p2 must vanish: ||v|| < b
   and p2 = ||v||^2 = 0, i.e. v = 0.
3. s != 0, u != 0: u = -p s with p > 0 gives <s, u> = -p ||s||^2 < 0 and
   p1 = min(1, a ||u||^2 / (p ||s||^2)) = min(1, a p) < p (a < 1), so
   p = min(p1, p2) <= p1 < p: impossible.

Near a zero x* of v, 0 <= p <= ||v||^2 = O(|x - x*|^2), so SOS - u = p s is
o(|x - x*|) and SOS's Jacobian at x* is LookAhead's: the records (and their
stability) are LookAhead's. The list is complete when LookAhead's and PG's are.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from eqselect.theory import Decomposition, Rule
from eqselect.numerics.codegen import compile_exprs
from eqselect.numerics.fixed_points.core.routes import RouteResult, RouteStatus, SetRoute

#: Distance (max-norm) within which a LookAhead zero is the PG zero of the same list.
MATCH = 1e-8
#: |peer| below which a LookAhead zero off PG's list counts as a zero of s.
PEER_ZERO = 1e-10


def sos_fixed_points(dec: Decomposition, rule, find, **options) -> RouteResult:
    """SOS's fixed points (see the module docstring).

    Parameters
    ----------
    dec : Decomposition
    rule : Rule
        An SOS rule.
    find : callable
        ``find(dec, rule, **options)`` -> EquilibriumSet (`find_equilibria`).

    Returns
    -------
    RouteResult
        LookAhead's zeros that are zeros of v, or of s; route
        SOS_FROM_LOOKAHEAD; complete when both lists are.
    """
    la = find(dec, Rule("lookahead"), **options)
    pg = find(dec, Rule("pg"), **options)
    zeros = np.array([e.point for e in pg.equilibria], dtype=float).reshape(-1, len(
        dec.game.parameters))
    peer = compile_exprs(dec.term_engine("peer"), dec.game.parameters)
    kept, extra = [], 0
    for e in la.equilibria:
        x = np.array(e.point, dtype=float)
        on_pg = zeros.size and np.min(np.max(np.abs(zeros - x), axis=1)) <= MATCH
        if on_pg:
            kept.append(e)
        elif np.max(np.abs(peer(x[None, :])[0])) <= PEER_ZERO:
            extra += 1
            kept.append(replace(e, notes=e.notes + (
                "SOS fixed point with v != 0 (u = 0 and s = 0); stability is "
                "LookAhead's, SOS's weight p need not be continuous here",)))
    notes = [f"SOS's zeros are v = 0 and (u = 0, s = 0): LookAhead's zeros by route "
             f"{la.route}, filtered by PG's ({pg.route}); {extra} with v != 0"]
    notes += [n for n in la.notes if n not in notes]
    status = RouteStatus.COMPLETE if la.complete and pg.complete else RouteStatus.PARTIAL
    return RouteResult(SetRoute.SOS_FROM_LOOKAHEAD, status, tuple(kept), notes=tuple(notes),
                       certificate=la.certificate, seeds=la.seeds, sampling=la.sampling,
                       at_infinity=tuple(la.at_infinity))


__all__ = ["sos_fixed_points"]
