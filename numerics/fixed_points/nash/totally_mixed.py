"""Interior fixed points of PG under logit / softmax: the totally mixed Nash equilibria, exactly.

With softmax logits theta_i (the last action's logit fixed at 0; logit is
the case of two actions) agent i plays p_i = softmax(theta_i, 0), and with
g_a = u_i(a, p_{-i}) the payoff of its action a, the PG field is

    cur_{i,k} = dJ_i / d theta_{i,k} = p_{i,k} (g_k - <g, p_i>),   k < m_i.

Since every p_{i,k} > 0, cur = 0 exactly when g_k = <g, p_i> for k < m_i,
and then also for the last action (<g, p_i> is their mean), i.e. when every
action of every agent earns the same payoff: a totally mixed Nash
equilibrium. These are the fixed points of the direct parameterisation
in the relative interior of the product of simplices, which the exact
face-by-face search finds completely on that one face (all supports full,
under the caller's budget); they map
back by theta_{i,k} = log(p_{i,k} / p_{i,m_i}). A continuum of totally
mixed equilibria is not a set of isolated fixed points, and the route
refuses it.
"""

from __future__ import annotations

from dataclasses import replace

import mpmath
import sympy as sp

from eqselect.theory import Decomposition
from eqselect.theory.engine import to_sympy
from eqselect.theory.games.entropy import has_entropy_term
from eqselect.theory.games.normal_form import normal_form_game
from eqselect.theory.rules import Method

from eqselect.theory.budget import run_with_budget
from eqselect.numerics.fixed_points.core.characterise import characterise
from eqselect.numerics.fixed_points.core.field import MpField
from eqselect.numerics.fixed_points.infinity.pure_profiles import saturating
from eqselect.numerics.fixed_points.core.nash_check import exact_sign
from eqselect.numerics.fixed_points.core.record import Route
from eqselect.numerics.fixed_points.core.routes import (RouteResult, RouteStatus, SetRoute,
                                                       not_found)

#: Tolerance of the logit record's own (numerical) checks; its Nash flag is the
#: direct face's exact decision.
TOL = 1e-20
NOTE = ("a totally mixed Nash equilibrium, solved exactly on the interior face of the "
        "direct parameterisation")
ROUTE = SetRoute.NASH_INTERIOR
COMPLETE_NOTE = ("PG's interior fixed points are the totally mixed Nash equilibria, solved "
                 "exactly face by face: every finite fixed point is listed")


def applies(dec: Decomposition, rule) -> bool:
    """Whether the route applies: PG on a one-state logit / softmax normal-form game."""
    game = dec.game
    return (rule.method is Method.PG and saturating(game) and game.states == 1
            and bool(game.payoffs) and not has_entropy_term(game))


def pg_interior_fixed_points(dec: Decomposition, rule, budget: float) -> RouteResult:
    """Every interior PG fixed point, exact (route NASH_INTERIOR), or why not.

    Parameters
    ----------
    dec : Decomposition
        Of a one-state normal-form game under logit or softmax (`applies`).
    rule : Rule
        PG.
    budget : float
        Seconds for solving the interior face of the direct parameterisation.

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> from eqselect.theory.rules import Rule
    >>> res = pg_interior_fixed_points(Decomposition(builtin("stag-hunt", "logit")),
    ...                                Rule("pg"), 5.0)
    >>> [e.exact for e in res.points], res.complete
    ([(log(2), log(2))], True)
    """
    game = dec.game
    direct = normal_form_game(game.payoffs, "direct", name=game.name,
                              payoff_symbols=game.payoff_symbols)
    run = run_with_budget(_interior_face, (Decomposition(direct, eta=dec.eta), rule), budget)
    if not run.finished:
        return not_found(ROUTE, f"the interior face of the direct parameterisation: {run.error}",
                         budget_out=run.expired)
    points = run.value
    inner = [e for e in points if _totally_mixed(direct, e)]
    if any(e.extreme_points or any("continuum" in n for n in e.notes) for e in inner):
        return not_found(ROUTE, "a continuum of totally mixed Nash equilibria (not isolated)")
    mpf, out = MpField(dec, rule), []
    with mpmath.workdps(30):
        for e in inner:
            blocks = _blocks(direct, e) if e.exact is not None else e.strategies
            theta = tuple(sp.log(to_sympy(block[k]) / to_sympy(block[-1]))
                          for block in blocks for k in range(len(block) - 1))
            x = [mpmath.mpf(str(sp.N(t, 40))) for t in theta]
            rec = characterise(x, mpf, route=Route.EXACT, notes=(NOTE,), tol=TOL)
            # Nash as decided exactly on the direct face (the same profile)
            out.append(replace(rec, exact=theta if e.exact is not None else None,
                               nash=e.nash))
    return RouteResult(ROUTE, RouteStatus.COMPLETE, tuple(out), notes=(COMPLETE_NOTE,))


def _interior_face(ddec, rule) -> list:
    """The fixed points of the direct field on the interior face (full supports), exact."""
    from eqselect.numerics.fixed_points.exact_faces.affine import solve_global_affine
    from eqselect.numerics.fixed_points.core.affine_forms import affine_form
    from eqselect.numerics.fixed_points.exact_faces.enumeration import faces, region_blocks
    from eqselect.numerics.fixed_points.exact_faces.polynomial import solve_polynomial_face
    from eqselect.numerics.fixed_points.exact_faces.projected import projected_problem

    blocks = region_blocks(ddec.game)
    problem = projected_problem(ddec, rule, blocks)
    face = next(f for f in faces(blocks, len(problem.params), problem.agents)
                if not f.multipliers)
    affine = affine_form(problem.F, problem.params)
    if affine is not None:
        return solve_global_affine(problem, face, *affine)
    return solve_polynomial_face(problem, face)


def _blocks(direct, e):
    from eqselect.numerics.fixed_points.core.nash_check import strategies_at

    return strategies_at(direct, e.exact)


def _totally_mixed(direct, e) -> bool:
    if e.exact is None:
        return all(x > 0 for s in e.strategies for x in s)
    return all(exact_sign(x) > 0 for s in _blocks(direct, e) for x in s)


__all__ = ["applies", "pg_interior_fixed_points"]
