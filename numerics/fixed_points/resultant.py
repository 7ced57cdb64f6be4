"""Complete fixed points of two-parameter logit / softmax fields: resultants and certified roots.

Under logit and softmax the field of a normal-form game is rational in
u_i = exp(theta_i), so with two parameters its finite fixed points are the
positive real solutions (u1, u2) of two polynomial equations N1 = N2 = 0
(the numerators, integer coefficients) where the denominators do not vanish:

1. R1(u1) = Res_{u2}(N1, N2) and R2(u2) = Res_{u1}(N1, N2) (python-flint
   ``fmpz_mpoly.resultant``): every common root projects onto a root of each;
   an identically zero resultant (a common factor: a curve of fixed points)
   refuses the route;
2. the real roots of the square-free parts are isolated with certified
   balls (``fmpz_poly.complex_roots``, real roots with an exact zero
   imaginary part), and kept when certified positive;
3. every pair (r1, r2) is polished by mpmath Newton in theta from
   (log r1, log r2); a pair is a fixed point when Newton converges inside
   both isolating intervals (a common root is attracting from its own
   projections), and the denominators are non-zero there.

Since every common root is among the pairs, the list is complete. The
certificate (the polynomials and the isolating intervals) travels with the
result. The elimination runs under the caller's budget.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import sympy as sp

from eqselect.theory import Decomposition

from eqselect.numerics.fixed_points.budget import DEFAULT_BUDGET, run_with_budget
from eqselect.numerics.fixed_points.characterise import characterise
from eqselect.numerics.fixed_points.exact_solve import _exp_to_z
from eqselect.numerics.fixed_points.field import MpField, free_region_rule
from eqselect.numerics.fixed_points.newton import newton_polish
from eqselect.numerics.fixed_points.record import Route


@dataclass(frozen=True)
class ResultantAttempt:
    """The outcome of the resultant route.

    Attributes
    ----------
    equilibria : list of Equilibrium or None
        Every finite fixed point (complete), or None when the route does not apply.
    reason : str
        Why not ("" when it applied).
    certificate : dict or None
        ``{"u1": {"polynomial", "intervals"}, "u2": {...}}``: the square-free
        resultants (in u_i = exp(theta_i)) and their certified positive roots.
    """

    equilibria: list | None
    reason: str = ""
    certificate: dict | None = None


def integer_numerators(F, params):
    """(N1, N2, denominators, u) with F_i = N_i / D_i in u = exp(theta), integer N_i; or None."""
    us = [sp.Symbol(f"u{i + 1}", positive=True) for i in range(len(params))]
    out, dens = [], []
    for f in F:
        g = _exp_to_z(f, params, us)
        if g is None or not g.is_rational_function(*us):
            return None
        num, den = sp.fraction(sp.together(g))
        poly = sp.Poly(sp.expand(num), *us)
        if poly.is_zero or not all(c.is_Rational for c in poly.coeffs()):
            return None
        lcm = sp.ilcm(1, 1, *[c.q for c in poly.coeffs()])
        out.append(sp.Poly(poly * lcm, *us))
        dens.append(den)
    return out, dens, us


def eliminate(polys) -> dict | None:
    """Square-free resultants in each variable and their certified positive roots.

    Returns ``{"u1": (coefficients low to high, [(lo, hi), ...]), "u2": ...}``
    with exact integer coefficients and interval ends as decimal strings,
    or None when a resultant vanishes identically.
    """
    import flint

    ctx = flint.fmpz_mpoly_ctx.get(("u1", "u2"), "lex")
    mp = [ctx.from_dict({tuple(m): int(c) for m, c in p.terms()}) for p in polys]
    out = {}
    for k, name in enumerate(("u1", "u2")):
        other = ("u2", "u1")[k]
        res = mp[0].resultant(mp[1], other)
        if res.is_zero():
            return None
        coeffs = [0] * (res.degrees()[k] + 1)
        for monom, c in res.to_dict().items():
            coeffs[monom[k]] += int(c)
        uni = flint.fmpz_poly(coeffs)
        square_free = uni // uni.gcd(uni.derivative())
        intervals = []
        for ball, _ in square_free.complex_roots():
            if ball.imag == 0 and ball.real.lower() > 0:
                intervals.append((ball.real.lower().str(30, radius=False),
                                  ball.real.upper().str(30, radius=False)))
        out[name] = ([int(c) for c in square_free.coeffs()], intervals)
    return out


def _eliminate_or_none(polys):
    try:
        return eliminate(polys)
    except ImportError as err:
        return f"python-flint is needed ({err})"


def resultant_attempt(dec: Decomposition, rule="pg", lam=None, own_coef=None,
                      budget: float = DEFAULT_BUDGET) -> ResultantAttempt:
    """Every finite fixed point of a two-parameter logit / softmax field, certified.

    Steps as in the module docstring.

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> res = resultant_attempt(Decomposition(builtin("stag-hunt", "logit"), eta=0.55))
    >>> [[round(x, 12) for x in e.point] for e in res.equilibria], res.certificate["u1"]["polynomial"]
    ([[0.69314718056, 0.69314718056]], [0, -2, 1])
    """
    r = free_region_rule(dec, rule, lam, own_coef)
    params = list(dec.game.parameters)
    if len(params) != 2:
        return ResultantAttempt(None, f"{len(params)} parameters, not 2")
    F = list(dec.field(r.method, r.lam, r.own_coef))
    found = integer_numerators(F, params)
    if found is None:
        return ResultantAttempt(None, "the field is not rational in exp(theta) with rational "
                                      "coefficients, or a component vanishes identically")
    polys, dens, us = found
    run = run_with_budget(_eliminate_or_none, (polys,), budget)
    if not run.finished or run.value is None or isinstance(run.value, str):
        why = run.error or run.value or "a resultant vanishes identically (a curve of fixed points)"
        return ResultantAttempt(None, why)
    cert = {k: {"polynomial": c, "intervals": [list(iv) for iv in ivs]}
            for k, (c, ivs) in run.value.items()}
    records = _pairs(dec, r, cert, dens, us)
    if records is None:
        return ResultantAttempt(None, "a near-root pair where Newton does not converge "
                                      "(a singular root)", cert)
    return ResultantAttempt(records, "", cert)


def _pairs(dec, rule, cert, dens, us) -> list:
    """Polish every pair of isolated roots; keep those that converge inside both intervals.

    None when a pair has a tiny residual but Newton does not converge there.
    """
    mpf, out, seen = MpField(dec, rule), [], []
    with mpmath.workdps(30):
        for iv1 in cert["u1"]["intervals"]:
            for iv2 in cert["u2"]["intervals"]:
                box = [tuple(mpmath.mpf(v) for v in iv) for iv in (iv1, iv2)]
                start = [mpmath.log((a + b) / 2) for a, b in box]
                x, ok, _ = newton_polish(mpf, start, mpmath.mpf(10) ** -25, 40)
                if not ok and max(abs(v) for v in mpf.field(start)) < 1e-10:
                    return None  # cannot decide this pair: refuse rather than miss a root
                if not ok or not all(a - _slack(a) <= mpmath.exp(t) <= b + _slack(b)
                                     for t, (a, b) in zip(x, box)):
                    continue
                if any(max(abs(p - q) for p, q in zip(x, y)) < 1e-12 for y in seen):
                    continue
                u = {s: sp.Float(str(mpmath.exp(t)), 30) for s, t in zip(us, x)}
                if any(abs(sp.N(d.xreplace(u), 30)) < 1e-20 for d in dens):
                    continue
                seen.append(x)
                note = (f"certified: u = exp(theta) in [{mpmath.nstr(box[0][0], 12)}, "
                        f"{mpmath.nstr(box[0][1], 12)}] x [{mpmath.nstr(box[1][0], 12)}, "
                        f"{mpmath.nstr(box[1][1], 12)}], isolating intervals of the resultants")
                out.append(characterise(x, mpf, route=Route.EXACT, notes=(note,)))
    return out


def _slack(v):
    return abs(v) * mpmath.mpf(10) ** -20


__all__ = ["ResultantAttempt", "eliminate", "integer_numerators", "resultant_attempt"]
