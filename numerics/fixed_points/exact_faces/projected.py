"""Exact fixed points of the projected dynamics under the direct parameterisation.

Under the direct parameterisation the parameters live in a polytope: a box
[0, 1]^d (two actions per agent) or a product of simplex blocks
{p >= 0, sum(p) <= 1} (m actions, m - 1 parameters per block). A learning
rule with field F (docs/theory.md) then runs the projected dynamics

    phi' = Proj_{T(phi)} F(phi),

T(phi) the tangent cone of the region at phi. Its fixed points are the points
where F lies in the normal cone N(phi). For a block with strategy
x = (p_0, ..., p_{m-2}, 1 - sum p) write G_k = F_k (k < m - 1), G_{m-1} = 0.
On the face whose support is S (the actions with x_k > 0) the condition reads

    G_k = c for every k in S            (F_free = 0 on the face)
    c - G_j >= 0 for every j not in S   (normal-cone multipliers),

which for PG (G_k = u(k) - u(m-1)) is exactly the Nash condition.

Algorithm (support enumeration, nashpy's ``support_enumeration`` in spirit):

1. Enumerate the faces: one non-empty support per block.
2. On each face, fix the bound coordinates (p_k = 0, or p_{s0} = 1 - sum of
   the others when the sum is active) and solve the |S| - 1 equations
   G_k = G_{s0} per block in the free coordinates, exactly: when F is
   affine with rational coefficients (all two-agent normal-form games,
   every method; read from symengine, `engine_affine_form`) by
   fraction-free Gauss-Jordan elimination in integers with integer sign
   tests (`eqselect.numerics.fixed_points.exact_faces.integer_elimination`), when it is
   affine otherwise (an irrational payoff) by exact Gauss-Jordan
   elimination, otherwise by a lex Groebner basis and real root isolation.
3. Keep the real solutions in the relative interior of the face (every
   support probability > 0) whose multipliers are >= 0.
4. A positive-dimensional solution set that meets the face's relative
   interior is a continuum of fixed points: one representative is reported
   with ``Stability.DEGENERATE``, a note, and, where the continuum is a
   polytope, its exact extreme points (on an affine face with rational
   data the representative is their centroid).
5. Linearise: eigenvalues of DF restricted to the face's tangent space, then
   one entry -multiplier per bound direction (strictly outward F is a stable
   direction, a zero multiplier a degenerate one); ``classify`` on the lot.
"""

from __future__ import annotations

import math
from fractions import Fraction

import sympy as sp

from eqselect.theory import Decomposition, GameError
from eqselect.theory.engine import to_engine, to_sympy

from eqselect.numerics.fixed_points.exact_faces.affine import solve_global_affine
from eqselect.numerics.fixed_points.core.affine_forms import affine_form, integral_form
from eqselect.theory.budget import check_deadline, run_with_budget
from eqselect.numerics.fixed_points.exact_faces.problem import ProjectedProblem
from eqselect.numerics.fixed_points.exact_faces.enumeration import (MAX_FACES, block_agents, faces,
                                                  region_blocks)
from eqselect.numerics.fixed_points.core.field import AffineField, SymbolicField
from eqselect.numerics.fixed_points.exact_faces.integer_elimination import solve_integer_faces
from eqselect.numerics.fixed_points.exact_faces.polynomial import solve_polynomial_face
from eqselect.numerics.fixed_points.core.record import Equilibrium
from eqselect.theory.rules import Rule
from eqselect.numerics.rule_argument import require_rule


def projected_fixed_points(dec: Decomposition, rule: Rule = Rule(),
                           budget: float | None = None) -> list[Equilibrium]:
    """Every fixed point of the projected dynamics of a method, exactly.

    Parameters
    ----------
    dec : Decomposition
        Of a game under the direct parameterisation (box or simplex region).
        Its eta must be a number for the shaped methods.
    rule : Rule
        Method and exact coefficients (`eqselect.theory.rules.resolve` makes
        one from what a user typed).
    budget : float, optional
        Wall-clock seconds for a polynomial (Groebner) field, whose faces
        are then solved in a child process that is stopped past the budget
        (`run_with_budget`); an affine field (two agents) is solved in
        process, its cost bounded by the number of faces.

    Returns
    -------
    list of Equilibrium
        One per face fixed point (route EXACT), in the order of the faces; a
        continuum on a face is one DEGENERATE representative with a note and
        its extreme points.

    Raises
    ------
    GameError
        Non-direct parameterisation, a symbol other than the parameters
        (eta, a payoff symbol without default) left in the field, or a
        budget spent.

    Payoff symbols with defaults are set to them (every point says so).

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> eqs = projected_fixed_points(Decomposition(builtin("stag-hunt", "direct")))
    >>> [(e.exact, e.stability.value) for e in eqs]
    [((1, 1), 'stable'), ((0, 0), 'stable'), ((2/3, 2/3), 'saddle')]
    """
    game = dec.game
    if game.parameterization != "direct":
        raise GameError(f"game {game.name!r} uses the {game.parameterization!r} "
                        "parameterisation; projected fixed points need 'direct'")
    blocks = region_blocks(game)
    n_faces = math.prod(2 ** (len(b) + 1) - 1 for b in blocks)
    if n_faces > MAX_FACES:
        raise GameError(
            f"exact face-by-face search over {n_faces} faces of {game.name!r} is beyond the "
            f"limit of {MAX_FACES}; use the logit parameterization (Newton with deflation)")
    problem = projected_problem(dec, require_rule(rule, "projected_fixed_points"), blocks)
    if isinstance(problem.field, AffineField):
        return solve_integer_faces(problem, *integral_form(problem.field.A, problem.field.c))
    affine = affine_form(problem.F, problem.params)
    if affine is not None or budget is None:
        return _solve_faces(problem, affine)
    run = run_with_budget(_solve_faces, (problem, None), budget)
    if run.finished:
        return run.value
    hint = "; raise the budget (--budget SECONDS)" if "budget" in run.error else ""
    raise GameError(f"the exact face-by-face search of {game.name!r} did not finish: "
                    f"{run.error}{hint}")


def _solve_faces(problem: ProjectedProblem, affine) -> list[Equilibrium]:
    out = []
    affine = None if affine is None else integral_form(*affine)
    for face in faces(problem.blocks, len(problem.params), problem.agents):
        check_deadline()  # the cooperative stop where the budget runs in-process
        if affine is not None:
            out.extend(solve_global_affine(problem, face, *affine))
        else:
            out.extend(solve_polynomial_face(problem, face))
    return out


def projected_problem(dec: Decomposition, rule, blocks) -> ProjectedProblem:
    """The exact field of ``rule`` with payoff defaults substituted, checked numeric.

    Raises
    ------
    GameError
        When a symbol other than the parameters is left in the field.
    """
    game = dec.game
    m = rule.method
    defaults = {s: to_sympy(v) for s, v in game.payoff_symbols.items()}
    notes = ()
    if defaults:
        game = game.substitute()
        notes = ("payoff symbols at their defaults: "
                 + ", ".join(f"{s}={v}" for s, v in sorted(defaults.items(), key=str)),)
    params = game.parameters
    affine = None if rule.spec.adaptive else engine_affine_form(
        dec.field_engine(rule), params, defaults)
    if affine is not None:  # DF = A: no sympy field, no symbolic Jacobian
        return ProjectedProblem(AffineField(game, *affine), blocks,
                                block_agents(game, blocks), notes)
    F = [sp.expand(e.xreplace(defaults)) for e in dec.field(rule)]
    extra = sorted({str(s) for e in F for s in e.free_symbols} - {str(s) for s in params})
    if extra:
        raise GameError(f"the {m.value} field of {game.name!r} has free symbols {extra}; "
                        "give eta a number (Decomposition(game, eta=...)) and payoffs values")
    field = SymbolicField(game, F, dec.jacobian(rule).xreplace(defaults))
    return ProjectedProblem(field, blocks, block_agents(game, blocks), notes)


def engine_affine_form(exprs, params, defaults=None):
    """(A, c) in Fractions with F = A phi + c, read from symengine expressions, or None.

    Each component is expanded in symengine (payoff ``defaults`` substituted)
    and its terms read off: every term must be a rational multiple of 1 or
    of one parameter. Anything else (a product of parameters, a symbol left
    free, an irrational or floating coefficient) gives None, and the caller
    takes the sympy route.
    """
    import symengine as se

    sub = {to_engine(s): to_engine(v) for s, v in (defaults or {}).items()}
    index = {to_engine(s): i for i, s in enumerate(params)}
    A, c = [], []
    for e in exprs:
        row, const = [Fraction(0)] * len(params), Fraction(0)
        for term, coef in se.expand(e.subs(sub) if sub else e).as_coefficients_dict().items():
            value = _engine_fraction(coef)
            if value is None:
                return None
            if term.is_Number:  # a constant comes as {number: 1}
                number = _engine_fraction(term)
                if number is None:
                    return None
                const += number * value
            elif term in index:
                row[index[term]] += value
            else:
                return None
        A.append(row)
        c.append(const)
    return A, c


def _engine_fraction(x):
    """A symengine (or Python) integer or rational as a Fraction; None otherwise."""
    if isinstance(x, int):
        return Fraction(x)
    return Fraction(int(x.p), int(x.q)) if x.is_Rational else None


__all__ = ["engine_affine_form", "projected_fixed_points", "projected_problem"]
