"""Where a logit or softmax fixed point counts as "at infinity".

In logit and softmax coordinates a pure strategy sits at theta -> +-inf. A
logit beyond ``AT_INFINITY`` gives sigma'(theta) < 1e-13, so the field
vanishes there by saturation, not because the point is a fixed point. One
bound serves every search: Newton iterates leaving the ball
|phi|_inf <= AT_INFINITY diverge to infinity, roots beyond it stand for
fixed points at infinity, and continuation ends a branch that runs past it.
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

from eqselect.theory import Decomposition
from eqselect.theory.games.normal_form import normal_form_game

from eqselect.numerics.fixed_points.face_points import face_record
from eqselect.numerics.fixed_points.faces import faces, region_blocks
from eqselect.numerics.fixed_points.projected import projected_problem
from eqselect.numerics.fixed_points.record import Route

#: |phi|_inf beyond which a logit / softmax point is taken to be at infinity.
AT_INFINITY = 30.0


def saturating(game) -> bool:
    """Whether the game's parameters are logits (logit or softmax parameterisation)."""
    return str(getattr(game.parameterization, "value", game.parameterization)) in (
        "logit", "softmax")





def pure_profiles_at_infinity(dec, rule) -> list:
    """The pure profiles that are fixed points at infinity of a logit / softmax field.

    A pure profile sits at theta -> +-inf in logit coordinates (p = 1 at
    +inf, 0 at -inf; the last action of a softmax block has every logit at
    -inf). Near it the logit field is the direct field scaled by sigma' > 0,
    so the profile is a limit of the dynamics exactly when the vertex is a
    fixed point of the projected dynamics under the direct parameterisation
    (every normal-cone multiplier >= 0): for PG, a pure Nash equilibrium.
    Its record comes from that vertex (`face_record`): stability from the
    multipliers, the exact Nash check, route AT_INFINITY, point +-inf.

    Parameters
    ----------
    dec : Decomposition
        Of a one-state normal-form game under logit or softmax, eta numeric.
    rule : Rule

    Returns
    -------
    list of Equilibrium
        Empty for other games (continuous, multi-state, direct, or with an
        entropy term, which makes no pure profile a limit).

    Examples
    --------
    >>> from eqselect.theory import Decomposition, builtin
    >>> from eqselect.theory.rules import Rule
    >>> eqs = pure_profiles_at_infinity(Decomposition(builtin("stag-hunt", "logit")), Rule("pg"))
    >>> [(e.point, e.stability.value, e.nash) for e in eqs]
    [((inf, inf), 'stable', True), ((-inf, -inf), 'stable', True)]
    """
    game = dec.game
    if not saturating(game) or game.states != 1 or not game.payoffs:
        return []
    if any(v.has(sp.log) for v in game.values):
        return []  # an entropy term pushes every pure profile inward
    direct = normal_form_game(game.payoffs, "direct", name=game.name,
                              payoff_symbols=game.payoff_symbols)
    ddec = Decomposition(direct, eta=dec.eta)
    blocks = region_blocks(direct)
    problem = projected_problem(ddec, rule, blocks)
    out = []
    for face in faces(blocks, len(direct.parameters), problem.agents):
        if face.free:
            continue
        rec = face_record(problem, face, tuple(face.q))
        if rec is None:
            continue
        point = tuple(float("inf") if q == 1 else float("-inf") for q in face.q)
        note = ("fixed point at infinity: the pure profile "
                + ", ".join(str(s.index(max(s))) for s in rec.strategies)
                + "; stability and Nash read at the vertex of the direct parameterisation")
        out.append(replace(rec, point=point, exact=None, route=Route.AT_INFINITY,
                           notes=(note,) + rec.notes))
    return out

__all__ = ["AT_INFINITY", "pure_profiles_at_infinity", "saturating"]
