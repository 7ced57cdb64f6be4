"""Exact solving of F = 0 (sympy) for small free-region fields, under a budget.

The field must be rational in the parameters (continuous games), or
rational in z_i = exp(theta_i) (logit / softmax: exp(k theta) -> z^k). The
numerators are solved exactly (``linsolve`` for linear systems, otherwise
``solve_poly_system`` in strict mode, which refuses rather than return an
incomplete list). The solving runs in a child process under a wall-clock
budget (`eqselect.theory.budget`), so a hard system never
hangs the caller: past the budget the answer is "not decided" and the
caller falls back to Newton with deflation, saying so.
"""

from __future__ import annotations

from dataclasses import replace

import mpmath
import sympy as sp

from eqselect.theory import Decomposition, Rule, GameError
from eqselect.theory.engine import to_sympy

from eqselect.theory.budget import DEFAULT_BUDGET, run_with_budget
from eqselect.numerics.fixed_points.core.characterise import characterise
from eqselect.numerics.fixed_points.core.field import MpField, free_region_rule
from eqselect.numerics.fixed_points.core.record import Equilibrium, Route, Stability
from eqselect.numerics.fixed_points.core.routes import (RouteResult, RouteStatus, SetRoute,
                                                       not_found)

#: Size limits for the exact route: parameters and operations in the field.
EXACT_MAX_DIM = 3
EXACT_MAX_OPS = 400
ROUTE = SetRoute.EXACT_SOLVE
NOTE = "F = 0 solved exactly: every finite fixed point is listed"


def _exp_to_z(expr, params, zs):
    """Replace exp(sum k_i theta_i) (integer k_i) by prod z_i^k_i; None if not possible."""
    failed = []

    def repl(e):
        arg = sp.expand(e.args[0])
        coeffs = [arg.coeff(p) for p in params]
        rest = sp.expand(arg - sum(c * p for c, p in zip(coeffs, params)))
        if rest != 0 or not all(c.is_Integer for c in coeffs):
            failed.append(e)
            return e
        return sp.Mul(*(z ** int(c) for z, c in zip(zs, coeffs)))

    out = expr.replace(lambda e: isinstance(e, sp.exp), repl)
    if failed or out.free_symbols & set(params):
        return None
    return out


def exact_fixed_points(dec: Decomposition, rule: Rule = Rule(),
                       budget: float = DEFAULT_BUDGET):
    """Solve F = 0 exactly for small fields; None whenever it cannot decide.

    Every solution is kept only if it is real (and z_i > 0), decided
    exactly, and F vanishes there after ``simplify``; otherwise the whole
    answer is None. A positive-dimensional solution set (a continuum) in a
    rational field is reported by one representative (free coordinates set
    to 0), marked DEGENERATE with the continuum in its notes; in
    exp-coordinates a continuum gives None. So does a system not solved
    within ``budget`` seconds.

    Returns
    -------
    list of Equilibrium (route EXACT) or None

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> eqs = exact_fixed_points(Decomposition(builtin("stag-hunt", "logit")))
    >>> [e.exact for e in eqs]
    [(log(2), log(2))]
    """
    run = exact_attempt(dec, rule, budget)
    return list(run.points) if run.complete else None


def exact_attempt(dec: Decomposition, rule: Rule = Rule(),
                  budget: float = DEFAULT_BUDGET) -> RouteResult:
    """`exact_fixed_points` as a route: complete (route EXACT_SOLVE), or why it did not decide."""
    try:
        r = free_region_rule(dec, rule)
    except GameError as err:
        return not_found(ROUTE, str(err))
    params = list(dec.game.parameters)
    if len(params) > EXACT_MAX_DIM:
        return not_found(ROUTE, f"{len(params)} parameters > {EXACT_MAX_DIM}")
    F = list(dec.field(r))
    ops = sum(sp.count_ops(f) for f in F)
    if ops > EXACT_MAX_OPS:
        return not_found(ROUTE, f"field too large for sympy ({ops} operations > "
                                f"{EXACT_MAX_OPS})")
    run = run_with_budget(_solve_or_none, (F, params), budget)
    if not run.finished:
        return not_found(ROUTE, run.error, budget_out=run.expired)
    if run.value is None:
        return not_found(ROUTE, "sympy could not decide the system completely")
    points = _records(dec, r, run.value)
    notes = tuple(sorted({n for e in points for n in e.notes})) + (NOTE,)
    return RouteResult(ROUTE, RouteStatus.COMPLETE, tuple(points), notes=notes)


def _solve_or_none(F, params):
    try:
        return _solve_exact(F, params)
    except Exception:  # noqa: BLE001 -- sympy may fail in many ways; never guess
        return None


def _records(dec, rule, sols) -> list:
    mpf = MpField(dec, rule)
    out = []
    with mpmath.workdps(30):
        for point, note in sols:
            x = [mpmath.mpf(sp.N(c, 40)) for c in point]
            notes = (note,) if note else ()
            eq = characterise(x, mpf, exact=tuple(point), route=Route.EXACT, notes=notes)
            if note:
                eq = _degenerate(eq)
            out.append(eq)
    return out


def _degenerate(eq: Equilibrium) -> Equilibrium:
    return replace(eq, stability=Stability.DEGENERATE)


def _solve_exact(F, params):
    """[(exact point, note or '')] or None (see ``exact_fixed_points``)."""
    uses_exp = any(f.has(sp.exp) for f in F)
    if uses_exp:
        zs = [sp.Symbol(f"z_{i}", positive=True) for i in range(len(params))]
        G = [_exp_to_z(f, params, zs) for f in F]
        if any(g is None for g in G):
            return None
        unknowns = zs
    else:
        G, unknowns = F, params
    if not all(g.is_rational_function(*unknowns) for g in G):
        return None
    numerators = [sp.fraction(sp.together(g))[0] for g in G]
    numerators = [sp.expand(n) for n in numerators if sp.expand(n) != 0]
    if not numerators:
        return None  # F vanishes identically: every point is fixed
    plain = [sp.Symbol(f"u_{i}") for i in range(len(unknowns))]  # no assumptions in solve
    eqs = [n.xreplace(dict(zip(unknowns, plain))) for n in numerators]
    solutions = _solve_polynomials(eqs, plain)
    if solutions is None:
        return None
    out = []
    for values, missing in solutions:
        real = [v.is_real for v in values]
        if any(r is None for r in real):
            return None
        if not all(real):
            continue
        if uses_exp:
            if missing:
                return None
            pos = [v.is_positive for v in values]
            if any(p is None for p in pos):
                return None
            if not all(pos):
                continue
            point = tuple(sp.log(v) for v in values)
        else:
            point = tuple(values)
        residuals = [sp.simplify(f.xreplace(dict(zip(params, point)))) for f in F]
        if any(r.has(sp.nan, sp.zoo, sp.oo, -sp.oo) for r in residuals):
            continue  # a zero of a numerator where F is undefined: not a fixed point
        if any(r != 0 for r in residuals):
            return None
        out.append((point, _continuum_note(missing, unknowns, plain)))
    return _dedupe_exact(out)


def _solve_polynomials(eqs, plain):
    """[(values, free unknowns)] of a polynomial system, complete, or None.

    Linear systems go to ``linsolve`` (a continuum is kept with its free
    unknowns set to 0 and listed); others to ``solve_poly_system`` in strict
    mode, which refuses rather than return an incomplete list.
    """
    polys = [sp.Poly(e, *plain) for e in eqs]
    if all(p.total_degree() <= 1 for p in polys):
        sols = sp.linsolve(eqs, plain)
        out = []
        for tup in sols:
            free = sorted(set().union(*(to_sympy(v).free_symbols for v in tup)) & set(plain),
                          key=str)
            rep = {u: sp.Integer(0) for u in free}
            out.append(([to_sympy(v).xreplace(rep) for v in tup],
                        [(u, tup) for u in free]))
        return out
    try:
        sols = sp.solve_poly_system(eqs, *plain, strict=True)
    except (sp.polys.polyerrors.UnsolvableFactorError, NotImplementedError,
            sp.polys.polyerrors.PolynomialError):
        return None
    if sols is None:
        return None
    return [(list(t), []) for t in sols]


def _continuum_note(missing, unknowns, plain) -> str:
    if not missing:
        return ""
    back = dict(zip(plain, unknowns))
    tup = missing[0][1]
    relation = ", ".join(f"{back[u]} = {to_sympy(v).xreplace(back)}" for u, v in zip(plain, tup))
    free = ", ".join(str(back[u]) for u, _ in missing)
    return f"continuum of fixed points: {relation}; representative with {free} = 0"


def _dedupe_exact(sols):
    out = []
    for point, note in sols:
        if not any(all(sp.simplify(a - b) == 0 for a, b in zip(point, q)) for q, _ in out):
            out.append((point, note))
    return out



__all__ = ["EXACT_MAX_DIM", "EXACT_MAX_OPS", "NOTE", "ROUTE", "exact_attempt",
           "exact_fixed_points"]
