"""Complete fixed points of two-parameter logit fields with algebraic payoffs: norms.

With an irrational payoff such as 1 + sqrt(2) the field is still rational
in u_i = exp(theta_i), but its coefficients lie in Q(alpha_1, ...,
alpha_m) for the algebraic constants alpha_j of the field (each a leaf
such as sqrt(2) or 2^(1/3), with minimal polynomial m_j over Z):

1. the field is walked into numerators and denominators in
   Z[u1, u2, a1, ..., am] (`exp_polynomials` with one generator a_j per
   constant); each numerator is reduced to the product of its distinct
   factors that may vanish on the positive orthant (P1, P2, coprime, or
   the route is refused);
2. R(u1, a) = Res_{u2}(P1, P2) vanishes at (u1*, alpha) for every common
   zero (u1*, u2*) of P(u, alpha); its norm
   N1(u1) = Res_{a_m}(... Res_{a_1}(R, m_1) ..., m_m) (successive norms)
   has integer coefficients and vanishes at u1* (alpha_j is a root of
   m_j); likewise N2(u2). Eliminating before norming keeps the candidates
   to the zeros of the true system and of its conjugates P(u, alpha'),
   with no mixing of conjugates between P1 and P2. A norm that vanishes
   identically (a common curve after substituting alpha) refuses the route;
3. the positive real roots of the square-free norms are isolated with
   certified balls (`two_parameter.positive_roots`), and every pair of
   isolating intervals is decided with alpha's true value by interval
   arithmetic (`interval_decision`): a fixed point (Krawczyk), not a zero
   (the enclosure of P excludes 0: a conjugate system's zero), or
   undecided after the refinements (the list is then not proven complete).

A constant that is not algebraic (pi, e, log 3) cannot be normed: the
route says so (`transcendental_constants`) and the caller falls back
to Newton, certifying each point with `certify.krawczyk.certify_points`. The whole
computation runs in a child process under the caller's budget.
"""

from __future__ import annotations

from dataclasses import replace

import mpmath
import sympy as sp

from eqselect.theory import Decomposition, Rule
from eqselect.theory.engine import to_sympy

from eqselect.numerics.fixed_points.resultants.interval_decision import FIXED, UNDECIDED, decide, \
    exact_interval
from eqselect.theory.budget import DEFAULT_BUDGET, run_with_budget
from eqselect.numerics.fixed_points.core.characterise import characterise
from eqselect.numerics.fixed_points.resultants.exp_polynomials import NotRationalInExp, _Walker
from eqselect.numerics.fixed_points.core.field import MpField, free_region_rule
from eqselect.numerics.fixed_points.newton.multistart import newton_polish
from eqselect.numerics.fixed_points.core.record import Route
from eqselect.numerics.fixed_points.core.routes import (RouteResult, RouteStatus, SetRoute,
                                                       not_found)
from eqselect.numerics.fixed_points.resultants.two_parameter import positive_roots

#: The route's name on an `EquilibriumSet`.
ROUTE = SetRoute.RESULTANT_ALGEBRAIC


def irrational_constants(F) -> list:
    """The leaf constants of F that are not rationals, e.g. sqrt(2), pi, log(3).

    A leaf is a number that the polynomial walk does not take apart: not a
    rational, sum, product or integer power.

    Examples
    --------
    >>> irrational_constants([sp.sqrt(2) * sp.Symbol("t") + 1 + sp.log(3)])
    [sqrt(2), log(3)]
    """
    out = set()
    for f in F:
        for sub in sp.preorder_traversal(to_sympy(f)):
            if sub.is_number and not (sub.is_Rational or sub.is_Add or sub.is_Mul or
                                      (sub.is_Pow and sub.exp.is_Integer)):
                out.add(sub)
            elif isinstance(sub, sp.exp):  # exp(theta + c) = exp(c) exp(theta): sympy folds e
                c = sub.args[0].as_independent(*sub.args[0].free_symbols, as_Add=True)[0]
                if c != 0:
                    out.add(sp.exp(c))
    return sorted(out, key=sp.default_sort_key)


def _kind(c) -> str:
    """'algebraic' (real), 'float' or the word for a constant that cannot be normed."""
    if c.is_Float:
        return "float"
    if c.is_algebraic and c.is_real:
        return "algebraic"
    if c.is_algebraic:
        return "algebraic but not known to be real"
    return "transcendental" if c.is_algebraic is False else "not known to be algebraic"


def transcendental_constants(F) -> list:
    """The constants of F that cannot be normed (not real algebraic), as strings."""
    return [str(c) for c in irrational_constants(F) if _kind(c) != "algebraic"]


def algebraic_attempt(dec: Decomposition, rule: Rule = Rule(),
                      budget: float = DEFAULT_BUDGET) -> RouteResult:
    """The algebraic route for a two-parameter logit / softmax field.

    Returns
    -------
    RouteResult
        Route RESULTANT_ALGEBRAIC: not applicable when the field has no
        irrational constant (the rational route `resultant_attempt` covers
        it); undecided when a constant cannot be normed
        (`transcendental_constants`); else the proven points, complete when
        every candidate is decided, with the certificate (``u1`` / ``u2``,
        the square-free norms and their isolating intervals;
        ``algebraic_numbers``; ``candidates``, the decision per pair).
    """
    r = free_region_rule(dec, rule)
    F = list(dec.field(r))
    consts = irrational_constants(F)
    if not consts:
        return RouteResult(ROUTE, RouteStatus.NOT_APPLICABLE,
                           reason="no irrational constant in the field")
    other = [c for c in consts if _kind(c) != "algebraic"]
    if other:
        words = ", ".join(f"{c} is {_kind(c) if _kind(c) != 'float' else 'a float'}"
                          for c in other)
        return not_found(ROUTE, f"the payoff constant {words}: it cannot be normed to "
                                "rational coefficients")
    run = run_with_budget(_solve, (F, list(dec.game.parameters), consts), budget)
    if not run.finished:
        return not_found(ROUTE, run.error, budget_out=run.expired)
    if isinstance(run.value, str):
        return not_found(ROUTE, run.value)
    return _records(dec, r, consts, run.value)


def _solve(F, params, consts):
    """Walk, reduce, eliminate, norm, isolate, decide (module docstring); plain data out."""
    import flint

    names = tuple(f"u{i + 1}" for i in range(len(params))) + \
        tuple(f"a{j + 1}" for j in range(len(consts)))
    ctx = flint.fmpz_mpoly_ctx.get(names, "lex")
    gens = ctx.gens()
    walker = _ConstantWalker(ctx, params, dict(zip(consts, gens[len(params):])))
    try:
        pairs = [walker.convert(to_sympy(f)) for f in F]
    except NotRationalInExp as err:
        return f"the field is not rational in exp(theta) ({err})"
    minimal = [_minimal_polynomial(c, ctx, gens[2 + j]) for j, c in enumerate(consts)]
    polys = [_sign_changing_part(_reduced(n, minimal), consts) for n, _ in pairs]
    if any(p.is_zero() for p in polys):
        return "a component of the field vanishes identically"
    common = polys[0].gcd(polys[1])
    if not common.is_constant():
        return f"the numerators share the factor {common}: a curve of fixed points may exist"
    norms, balls = [], []
    for k in range(2):
        uni = _norm(polys[0].resultant(polys[1], names[1 - k]), minimal, consts, k)
        if uni.is_zero():
            return ("a norm vanishes identically: after substituting the algebraic numbers the "
                    "numerators may share a curve of zeros")
        square_free, roots = positive_roots(uni)
        norms.append(square_free)
        balls.append(roots)
    system = {"polys": polys, "dens": [d for _, d in pairs], "norms": norms,
              "jac": [[p.derivative(k) for k in range(2)] for p in polys]}
    candidates = [decide(system, [exact_interval(b1), exact_interval(b2)], consts)
                  for b1 in balls[0] for b2 in balls[1]]
    return {"norms": [[int(c) for c in n.coeffs()] for n in norms],
            "intervals": [[[b.lower().str(25, radius=False), b.upper().str(25, radius=False)]
                           for b in bs] for bs in balls],
            "minimal": [[int(c) for c in m[1]] for m in minimal],
            "candidates": candidates}


class _ConstantWalker(_Walker):
    """`exp_polynomials`' walker with each algebraic constant as a generator of its own."""

    def __init__(self, ctx, params, constants):
        super().__init__(ctx, params)
        self.constants = constants

    def convert(self, e):
        if e in self.constants:
            return self.constants[e], self.one
        return super().convert(e)


def _minimal_polynomial(c, ctx, gen):
    """(m(a_j) as fmpz_mpoly, integer coefficients low degree first)."""
    x = sp.Dummy("x")
    coeffs = [int(v) for v in sp.Poly(sp.minimal_polynomial(c, x), x).all_coeffs()[::-1]]
    poly = ctx.from_dict({}) * 0
    for k, v in enumerate(coeffs):
        poly += v * gen ** k
    return poly, coeffs


def _sign_changing_part(poly, consts):
    """The product of the distinct factors of ``poly`` that may vanish on u > 0.

    Dropped: monomials in u, and factors whose coefficients share one sign
    when every constant is positive (so they are positive at (u, alpha)).
    Multiplicities are dropped too (each zero simple, for the Krawczyk test).
    """
    positive = all(c.is_positive for c in consts)
    _, factors = poly.factor()
    out = poly.context().from_dict({}) + 1
    for f, _ in factors:
        degrees = f.degrees()
        if not any(degrees[:2]):
            out *= f  # constant in u: non-zero at alpha, or the norm vanishes and says so
        elif len(f.coeffs()) > 1 and (len({c > 0 for c in f.coeffs()}) > 1 or not positive):
            out *= f
    return out


def reduce_mod(poly, m, var: int):
    """The pseudo-remainder of ``poly`` by m(a) in the generator ``var`` (m of degree d).

    Each step replaces the top power: poly <- lc(m) poly - c a^(D - d) m, with c
    the coefficient of a^D; the result has degree < d in a and equals lc(m)^e
    poly at every root of m, so it has the same zeros in u there. Norms of the
    reduced polynomial are far cheaper (the Sylvester matrix shrinks).
    """
    d = m.degrees()[var]
    lead = m.context().from_dict({k[:var] + (0,) + k[var + 1:]: v
                                  for k, v in m.to_dict().items() if k[var] == d})
    while poly.degrees()[var] >= d:
        top = poly.degrees()[var]
        shift = [0] * len(poly.degrees())
        shift[var] = top - d
        c = poly.context().from_dict({k[:var] + (0,) + k[var + 1:]: v
                                      for k, v in poly.to_dict().items() if k[var] == top})
        poly = lead * poly - c * poly.context().from_dict({tuple(shift): 1}) * m
    return poly


def _reduced(poly, minimal):
    """`reduce_mod` by every minimal polynomial in turn (the same zeros at alpha)."""
    for j, (m, _) in enumerate(minimal):
        poly = reduce_mod(poly, m, 2 + j)
    return poly


def _norm(res, minimal, consts, k):
    """Res_{a_m}(... Res_{a_1}(res, m_1) ...) as a univariate fmpz_poly in u_{k+1}."""
    import flint

    res = _reduced(res, minimal)
    for j, (m, _) in enumerate(minimal):
        res = reduce_mod(res, m, 2 + j).resultant(m, f"a{j + 1}")
    coeffs = [0] * (res.degrees()[k] + 1)
    for monom, c in res.to_dict().items():
        coeffs[monom[k]] += int(c)
    return flint.fmpz_poly(coeffs)


def _records(dec, rule, consts, data) -> RouteResult:
    """Characterise every proven fixed point; certificate and notes from the child's data."""
    mpf, out = MpField(dec, rule), []
    with mpmath.workdps(50):
        for cand in data["candidates"]:
            if cand["decision"] == FIXED:
                x = [mpmath.log(mpmath.mpf(v)) for v in cand["u"]]
                cand["theta"] = [mpmath.nstr(v, 50) for v in x]
                note = (f"interval-certified: exactly one zero with u = exp(theta) in "
                        f"[{cand['u1'][0]}, {cand['u1'][1]}] x [{cand['u2'][0]}, "
                        f"{cand['u2'][1]}] (Krawczyk, arb, alpha at its real value)")
                out.append(characterise(x, mpf, route=Route.INTERVAL, notes=(note,)))
    cert = {name: {"polynomial": data["norms"][k], "intervals": data["intervals"][k]}
            for k, name in enumerate(("u1", "u2"))}
    cert["algebraic_numbers"] = [{"value": str(c), "minimal_polynomial": m}
                                 for c, m in zip(consts, data["minimal"])]
    cert["candidates"] = data["candidates"]
    counts = {d: sum(c["decision"] == d for c in data["candidates"])
              for d in (FIXED, UNDECIDED)}
    dropped = len(data["candidates"]) - counts[FIXED] - counts[UNDECIDED]
    field_name = "Q(" + ", ".join(str(c) for c in consts) + ")"
    notes = [f"norms over {field_name} of the resultants, certified real-root isolation, and "
             f"each of {len(data['candidates'])} candidate pair(s) decided by interval "
             f"arithmetic ({counts[FIXED]} fixed point(s), {dropped} not a zero: zeros of a "
             "conjugate system or mixed pairs)"]
    if counts[UNDECIDED]:
        reason = (f"{counts[UNDECIDED]} candidate pair(s) undecided after refining to "
                  "the precision budget (a singular zero or a vanishing denominator)")
        out += _polish_undecided(mpf, data["candidates"])
        return RouteResult(ROUTE, RouteStatus.PARTIAL, tuple(out), reason,
                           tuple(notes) + (reason,), cert)
    notes.append("every finite fixed point is listed")
    return RouteResult(ROUTE, RouteStatus.COMPLETE, tuple(out), notes=tuple(notes),
                       certificate=cert)


def _polish_undecided(mpf, candidates) -> list:
    """Newton (theta) from each undecided box: records labelled ``newton``."""
    out = []
    with mpmath.workdps(40):
        for cand in candidates:
            if cand["decision"] != UNDECIDED:
                continue
            start = [mpmath.log((mpmath.mpf(cand[k][0]) + mpmath.mpf(cand[k][1])) / 2)
                     for k in ("u1", "u2")]
            x, ok, _ = newton_polish(mpf, start, mpmath.mpf(10) ** -25, 40)
            if ok:
                note = "an undecided candidate of the algebraic route, polished by Newton"
                out.append(characterise(x, mpf, route=Route.NEWTON, notes=(note,)))
    return out


def certified_newton(dec, rule, found: RouteResult) -> RouteResult:
    """A Newton `RouteResult` with each point proven by the Krawczyk test in theta.

    For fields with a transcendental constant: the list stays "may be
    incomplete", but every point that passes is a proven fixed point
    (route ``interval-certified``).
    """
    from eqselect.numerics.fixed_points.certify.krawczyk import certify_points

    points, proven = certify_points(dec, rule, list(found.points))
    note = (f"{proven} of {len(points)} Newton point(s) interval-certified (Krawczyk test on "
            "the field's arb enclosure, which is rigorous for the transcendental constants)")
    return replace(found, points=tuple(points), notes=tuple(found.notes) + (note,))


__all__ = ["ROUTE", "algebraic_attempt", "certified_newton", "irrational_constants",
           "reduce_mod", "transcendental_constants"]
