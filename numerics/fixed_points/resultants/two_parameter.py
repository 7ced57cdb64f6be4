"""Complete fixed points of two-parameter logit / softmax fields: resultants and certified roots.

Under logit and softmax the field of a normal-form game is rational in
u_i = exp(theta_i), so with two parameters its finite fixed points are the
positive real solutions (u1, u2) of two polynomial equations N1 = N2 = 0
(the numerators, integer coefficients, `exp_numerators`) where the
denominators do not vanish:

1. factors with no positive zero are divided out of N1 and N2: monomials,
   and factors whose coefficients all have one sign; a common factor left
   over (a curve of candidate fixed points) refuses the route, as does an
   identically zero component;
2. R1(u1) = Res_{u2}(N1, N2) and R2(u2) = Res_{u1}(N1, N2) (python-flint
   ``fmpz_mpoly.resultant``, non-zero since N1 and N2 are coprime): every
   common root projects onto a root of each;
3. the real roots of the square-free parts are isolated with certified
   balls (``fmpz_poly.complex_roots``, real roots with an exact zero
   imaginary part), and kept when certified positive;
4. a pair of isolating intervals (I1, I2) is dropped when the interval
   enclosure of N1 or N2 over I1 x I2 (arb) excludes 0: it holds no common
   root, certified. Every other pair is polished by mpmath Newton in theta
   from (log r1, log r2); it is a fixed point when Newton converges inside
   both intervals and the denominators are non-zero there (a candidate
   whose residual is tiny but where Newton fails refuses the route).

Since every common root is in some pair, the list is complete. The
certificate (the polynomials and the isolating intervals) travels with the
result. Small systems (each degree at most ``INLINE_DEGREE``, coefficients of at
most ``INLINE_BITS`` bits: flint eliminates them in well under a
millisecond) run in the calling process; others in a child process under the
caller's budget.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import sympy as sp

from eqselect.theory import Decomposition, Rule

from eqselect.theory.budget import DEFAULT_BUDGET, Budgeted, run_with_budget
from eqselect.numerics.fixed_points.core.characterise import characterise
from eqselect.numerics.fixed_points.resultants.exp_polynomials import exp_numerators
from eqselect.numerics.fixed_points.core.field import MpField, free_region_rule
from eqselect.numerics.fixed_points.newton.multistart import newton_polish
from eqselect.numerics.fixed_points.core.record import Route
from eqselect.numerics.fixed_points.core.routes import (RouteResult, RouteStatus, SetRoute,
                                                       not_found)

#: Largest degree in each variable eliminated in the calling process.
INLINE_DEGREE = 12
#: Largest coefficient, in bits, of a system eliminated in the calling process.
INLINE_BITS = 256
ROUTE = SetRoute.RESULTANT
NOTE = "resultants and certified real-root isolation: every finite fixed point is listed"


def positive_free_part(poly):
    """``poly`` with its monomial content and every factor of one coefficient sign removed.

    Such factors are positive (or negative) on the open positive orthant, so
    the result has the same zeros there. Returns a primitive polynomial (1
    when nothing is left).
    """
    _, factors = poly.factor()
    out = poly.context().from_dict({}) + 1
    for f, mult in factors:
        signs = {c > 0 for c in f.coeffs()}
        if len(signs) > 1:
            out = out * f ** mult
    return out


def coprime_numerators(polys):
    """(P1, P2) with the zeros of N1, N2 in the positive orthant, coprime; or a reason."""
    if any(p.is_zero() for p in polys):
        return "a component of the field vanishes identically (every point is fixed)"
    reduced = [positive_free_part(p) for p in polys]
    common = reduced[0].gcd(reduced[1])
    if not common.is_constant():
        return (f"N1 and N2 share the factor {common} (its coefficients change sign): "
                "a curve of fixed points may lie in the positive orthant")
    return reduced


def eliminate(polys) -> dict:
    """Square-free resultants in each variable and their certified positive roots.

    Parameters
    ----------
    polys : two coprime fmpz_mpoly in (u1, u2)

    Returns
    -------
    dict
        ``{"u1": (coefficients low to high, [(lo, hi), ...]), "u2": ...}``
        with exact integer coefficients and interval ends as decimal strings.
    """
    import flint

    out = {}
    for k, name in enumerate(("u1", "u2")):
        other = ("u2", "u1")[k]
        res = polys[0].resultant(polys[1], other)
        coeffs = [0] * (res.degrees()[k] + 1)
        for monom, c in res.to_dict().items():
            coeffs[monom[k]] += int(c)
        square_free, balls = positive_roots(flint.fmpz_poly(coeffs))
        intervals = [(b.lower().str(30, radius=False), b.upper().str(30, radius=False))
                     for b in balls]
        out[name] = ([int(c) for c in square_free.coeffs()], intervals)
    return out


def positive_roots(uni):
    """The square-free part of a univariate ``fmpz_poly`` and its positive real roots.

    Returns
    -------
    (fmpz_poly, list of arb)
        The square-free part and one certified ball per positive real root
        (``complex_roots``: an exact zero imaginary part, a positive lower end).
    """
    square_free = uni // uni.gcd(uni.derivative()) if uni.degree() > 0 else uni
    balls = []
    for ball, _ in (square_free.complex_roots() if square_free.degree() > 0 else []):
        if ball.imag == 0 and ball.real.lower() > 0:
            balls.append(ball.real)
    return square_free, balls


def _eliminate_within(polys, budget) -> Budgeted:
    """`eliminate` in this process when the system is small in degree and in its
    coefficients' size, else in a child process under the budget (flint's root
    isolation cannot be interrupted, and its time grows with the coefficients:
    payoffs of 10^-180 take minutes at degree 4)."""
    small = max(max(p.degrees()) for p in polys) <= INLINE_DEGREE and max(
        abs(int(c)).bit_length() for p in polys for c in p.coeffs()) <= INLINE_BITS
    if small:
        return Budgeted(True, eliminate(polys), 0.0)
    return run_with_budget(eliminate, (polys,), budget)


def resultant_attempt(dec: Decomposition, rule: Rule = Rule(),
                      budget: float = DEFAULT_BUDGET) -> RouteResult:
    """Every finite fixed point of a two-parameter logit / softmax field, certified.

    Steps as in the module docstring.

    Returns
    -------
    RouteResult
        Route RESULTANT; complete, with the certificate ``{"u1": {"polynomial",
        "intervals"}, "u2": {...}}`` (the square-free resultants in
        u_i = exp(theta_i) and their certified positive roots), or not found
        with the reason.

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> res = resultant_attempt(Decomposition(builtin("stag-hunt", "logit"), eta=0.55))
    >>> [[round(x, 12) for x in e.point] for e in res.points], res.certificate["u1"]["polynomial"]
    ([[0.69314718056, 0.69314718056]], [-2, 1])
    """
    r = free_region_rule(dec, rule)
    params = list(dec.game.parameters)
    if len(params) != 2:
        return RouteResult(ROUTE, RouteStatus.NOT_APPLICABLE,
                           reason=f"{len(params)} parameters, not 2")
    try:
        found = exp_numerators(dec.field(r), params)
    except ImportError as err:
        return not_found(ROUTE, f"python-flint is needed ({err})")
    if found is None:
        return not_found(ROUTE, "the field is not rational in exp(theta) with rational "
                                "coefficients")
    nums, dens, _ = found
    polys = coprime_numerators(nums)
    if isinstance(polys, str):
        return not_found(ROUTE, polys)
    run = _eliminate_within(polys, budget)
    if not run.finished:
        return not_found(ROUTE, run.error, budget_out=run.expired)
    cert = {k: {"polynomial": c, "intervals": [list(iv) for iv in ivs]}
            for k, (c, ivs) in run.value.items()}
    records = _pairs(dec, r, cert, polys, dens)
    if records is None:
        return RouteResult(ROUTE, RouteStatus.UNDECIDED, certificate=cert, reason=(
            "a near-root pair where Newton does not converge (a singular root)"))
    return RouteResult(ROUTE, RouteStatus.COMPLETE, tuple(records), notes=(NOTE,),
                       certificate=cert)


def _encloses_zero(poly, box) -> bool:
    """Whether the arb enclosure of ``poly`` over the box (two arb intervals) contains 0."""
    import flint

    total = flint.arb(0)
    for monom, c in poly.to_dict().items():
        total += int(c) * box[0] ** int(monom[0]) * box[1] ** int(monom[1])
    return total.contains(0)


def _candidates(cert, polys) -> list:
    """The pairs of isolating intervals whose box may hold a common root."""
    import flint

    out = []
    for iv1 in cert["u1"]["intervals"]:
        for iv2 in cert["u2"]["intervals"]:
            box = [flint.arb(lo).union(flint.arb(hi)) for lo, hi in (iv1, iv2)]
            if all(_encloses_zero(p, box) for p in polys):
                out.append((iv1, iv2))
    return out


def _pairs(dec, rule, cert, polys, dens) -> list | None:
    """Polish every candidate pair; keep those that converge inside both intervals.

    None when a candidate has a tiny residual but Newton does not converge there.
    """
    pairs = _candidates(cert, polys)
    if not pairs:
        return []
    mpf, out, seen = MpField(dec, rule), [], []
    with mpmath.workdps(30):
        for iv1, iv2 in pairs:
            box = [tuple(mpmath.mpf(v) for v in iv) for iv in (iv1, iv2)]
            start = [mpmath.log((a + b) / 2) for a, b in box]
            x, ok, _ = newton_polish(mpf, start, mpmath.mpf(10) ** -25, 40)
            if not ok and max(abs(v) for v in mpf.field(start)) < 1e-10:
                return None  # cannot decide this pair: refuse rather than miss a root
            if not ok or not all(a - _slack(a) <= mpmath.exp(t) <= b + _slack(b)
                                 for t, (a, b) in zip(x, box)):
                continue
            if any(max(abs(p - q) for p, q in zip(x, y)) < 1e-12 for y in seen) or \
                    _denominator_vanishes(dens, x):
                continue
            seen.append(x)
            note = (f"certified: u = exp(theta) in [{mpmath.nstr(box[0][0], 12)}, "
                    f"{mpmath.nstr(box[0][1], 12)}] x [{mpmath.nstr(box[1][0], 12)}, "
                    f"{mpmath.nstr(box[1][1], 12)}], isolating intervals of the resultants")
            u = [_rational_root(cert[k]["polynomial"], iv) for k, iv in (("u1", iv1),
                                                                         ("u2", iv2))]
            if all(r is not None for r in u):  # theta = log u exactly
                exact = tuple(sp.log(r) for r in u)
                x = [mpmath.log(mpmath.mpf(r.p) / r.q) for r in u]
                out.append(characterise(x, mpf, exact=exact, route=Route.EXACT, notes=(note,)))
            else:  # an algebraic u, known by its isolating box
                out.append(characterise(x, mpf, route=Route.INTERVAL, notes=(note,)))
    return out


def _rational_root(coeffs, interval):
    """The root of the integer polynomial ``coeffs`` (low to high) in the isolating
    ``interval`` (decimal strings) when it is rational, else None: a linear
    factor b u + a whose root -a/b lies in the interval (it holds one root)."""
    import flint

    lo, hi = (Fraction(v) for v in interval)
    for factor, _ in flint.fmpz_poly(coeffs).factor()[1]:
        if factor.degree() == 1:
            root = Fraction(-int(factor[0]), int(factor[1]))
            if lo <= root <= hi:
                return sp.Rational(root.numerator, root.denominator)
    return None


def _denominator_vanishes(dens, x) -> bool:
    u = [mpmath.exp(t) for t in x]
    for d in dens:
        value = sum(int(c) * u[0] ** int(m[0]) * u[1] ** int(m[1]) for m, c in d.to_dict().items())
        if abs(value) < mpmath.mpf(10) ** -20:
            return True
    return False


def _slack(v):
    return abs(v) * mpmath.mpf(10) ** -20


__all__ = ["INLINE_DEGREE", "NOTE", "ROUTE", "coprime_numerators", "eliminate",
           "positive_free_part", "positive_roots", "resultant_attempt"]
