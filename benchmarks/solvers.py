"""Solver speed for ``python -m benchmarks``: continuation and fixed points.

- Continuation: Meta-MAPG on logit Stag Hunt followed in lambda over
  [0, 3] by pseudo-arclength, and peer-only on direct Stag Hunt (which also
  meets a branch point and a boundary event): points computed along the
  branches per second of wall time.
- Fixed points of a 3 x 3 game (payoffs below, the direct parameterisation,
  solved face by face and exactly, so the list is proven complete) and of the
  same game with softmax policies (seeded deflated Newton).
"""

from __future__ import annotations

import time

import numpy as np

from eqselect.numerics.continuation.branches import continue_in_lambda
from eqselect.numerics.fixed_points.find import find_equilibria
from eqselect.theory import PAPER, Decomposition, builtin, normal_form_game

#: A 3 x 3 coordination game with a dominated third action.
PAYOFFS_3X3 = [[4, 0, 1], [3, 2, 0], [0, 1, 3]]


def continuation_speed() -> dict:
    """Points per second along continuation branches (see the module docstring)."""
    out = {}
    for name, param, method in [("stag-hunt", "logit", "meta-mapg"),
                                ("stag-hunt", "direct", "peer-only")]:
        dec = Decomposition(builtin(name, param), eta=PAPER.eta)
        t0 = time.perf_counter()
        res = continue_in_lambda(dec, method, (0.0, 3.0))
        seconds = time.perf_counter() - t0
        points = int(sum(len(b.points) for b in res.branches))
        out[f"{name} {param} {method}"] = {
            "seconds": seconds, "branches": len(res.branches), "points": points,
            "events": len(res.events), "points_per_second": points / seconds}
    return out


def fixed_points_3x3() -> dict:
    """Every fixed point of PG on a 3 x 3 game, direct (exact) and softmax (Newton)."""
    a = np.array(PAYOFFS_3X3)
    out = {}
    for param in ("direct", "softmax"):
        game = normal_form_game([a.tolist(), a.T.tolist()], param, name="3x3")
        dec = Decomposition(game, eta=PAPER.eta)
        t0 = time.perf_counter()
        found = find_equilibria(dec, "pg")
        out[param] = {"seconds": time.perf_counter() - t0,
                      "fixed_points": len(found.equilibria),
                      "complete": bool(found.complete)}
    return out
