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

from eqselect.theory import Decomposition, Rule
from eqselect.theory.games.entropy import has_entropy_term
from eqselect.theory.games.normal_form import normal_form_game
from eqselect.numerics.rule_argument import require_rule

from eqselect.numerics.fixed_points.exact_faces.problem import face_record
from eqselect.numerics.fixed_points.exact_faces.enumeration import faces, region_blocks
from eqselect.numerics.fixed_points.exact_faces.projected import projected_problem
from eqselect.numerics.fixed_points.core.record import Route

#: |phi|_inf beyond which a logit / softmax point is taken to be at infinity.
AT_INFINITY = 30.0


def saturating(game) -> bool:
    """Whether the game's parameters are logits (logit or softmax parameterisation)."""
    return str(getattr(game.parameterization, "value", game.parameterization)) in (
        "logit", "softmax")


def pure_profiles_at_infinity(dec, rule: Rule) -> list:
    """The pure profiles that are fixed points at infinity of a logit / softmax field.

    A pure profile sits at theta -> +-inf in logit coordinates (p = 1 at
    +inf, 0 at -inf; the last action of a softmax block has every logit at
    -inf). Every logit-field component carries the factor s_i by which its
    own probabilities saturate (sigma'(theta_i) = p_i (1 - p_i) for logit,
    p_ik (...) for softmax): cur_i = s_i (dJ_i/dp_i), while own, peer,
    lookahead and the other shaping terms are products of a second
    derivative and a gradient and carry at least one more factor s_j. So

        F_i = s_i (g_i(vertex) + O(s)),   g_i = cur's direct gradient,

    and near a pure profile every rule's field points the way PG's does:
    the profile is a limit of the dynamics exactly when it is a pure Nash
    equilibrium (stable when strict; degenerate when a payoff tie leaves
    g_i = 0, where the higher-order terms decide). The record therefore
    comes from PG's field at the vertex of the direct parameterisation
    (`face_record`: stability from the normal-cone multipliers, the exact
    Nash check), route AT_INFINITY, point +-inf, whatever the rule.

    Parameters
    ----------
    dec : Decomposition
        Of a one-state normal-form game under logit or softmax, eta numeric.
    rule : Rule
        Named in the notes; the limit does not depend on it (see above).

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
    if not saturating(game) or game.states != 1 or not game.payoffs or has_entropy_term(game):
        return []  # an entropy term pushes every pure profile inward
    direct = normal_form_game(game.payoffs, "direct", name=game.name,
                              payoff_symbols=game.payoff_symbols)
    ddec = Decomposition(direct, eta=dec.eta)
    blocks = region_blocks(direct)
    method = require_rule(rule, "pure_profiles_at_infinity").method.value
    problem = projected_problem(ddec, Rule("pg"), blocks)
    return _vertex_records(problem, blocks, len(direct.parameters), method)


def _vertex_records(problem, blocks, dim: int, method: str) -> list:
    """The records of the vertices that are fixed points of ``problem``, moved to +-inf."""
    out = []
    for face in faces(blocks, dim, problem.agents):
        if face.free:
            continue
        rec = face_record(problem, face, tuple(face.q))
        if rec is None:
            continue
        point = tuple(float("inf") if q == 1 else float("-inf") for q in face.q)
        note = ("fixed point at infinity: the pure profile "
                + ", ".join(str(s.index(max(s))) for s in rec.strategies)
                + "; stability and Nash read from cur at the vertex of the direct "
                f"parameterisation (under logit / softmax every other term of {method} "
                "vanishes faster there)")
        out.append(replace(rec, point=point, exact=None, route=Route.AT_INFINITY,
                           notes=(note,) + rec.notes))
    return out


__all__ = ["AT_INFINITY", "pure_profiles_at_infinity", "saturating"]
