"""The shaping field M of a rule, F_lambda = v + lambda M, and the margins mu, mu_M.

Each opponent-aware rule adds a shaping field M to the plain
policy-gradient field v = cur (docs/alignment.md):

==========  ===============  ==========================================
rule        M                F_lambda = v + lambda M is the rule's field
==========  ===============  ==========================================
pg          0                (no shaping)
meta-pg     own              with lambda = c
peer-only   peer             with lambda the peer coefficient
meta-mapg   own + peer       the paper's population shaping field
lookahead   la               with lambda = 1
lola        la + peer        with lambda = 1
==========  ===============  ==========================================

At a point phi, with J_v = Dv(phi) and J_M = DM(phi),
mu = -lambda_max(sym J_v) and mu_M = -lambda_max(sym J_M),
sym(A) = (A + A^T)/2. At an exact point (rationals, or algebraic numbers
sympy can decide) both are exact: closed form for d <= 2, otherwise the
largest real root of the characteristic polynomial isolated exactly
(``Poly.real_roots``). At a float point they are enclosed in intervals
(:mod:`eqselect.numerics.intervals`), certified for that point.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import sympy as sp

from eqselect.theory import Decomposition, OptionsError, Rule
from eqselect.theory.rules import HOLA_ORDER, TERMS, Method, series_term, spec
from eqselect.theory.exact import to_exact
from eqselect.theory.serialize import Record
from eqselect.numerics import intervals as iv
from eqselect.numerics.rule_argument import require_rule

def shaping_pieces(method) -> dict[str, int]:
    """The pieces of M for a method: every term but cur that its field weighs.

    M = own + peer for meta-mapg, peer for peer-only and lola-foerster, own for
    meta-pg, la for lookahead, la + peer for lola, A v for sga, -H^T v for
    consensus, own + peer + la + sla for meta-mapg-exact, the field minus v for
    eg, cgd and lss, la + peer + LOLA's series terms for hola (docs/alignment.md).
    ``method`` is a method name, Method or Rule (a Rule gives HOLA's order).

    Raises
    ------
    OptionsError
        For sos, whose weight is chosen pointwise (no smooth M to differentiate).
    """
    s = spec(method)
    if s.adaptive:
        raise OptionsError(f"{s.method.value}: the shaping field is piecewise in a weight "
                           "chosen pointwise, so mu_M and the alignment conditions are not "
                           "defined")
    pieces = {term: 1 for term, w in zip(TERMS, s.weights) if term != "cur" and w != 0}
    if s.method is Method.HOLA:  # LOLA's series terms up to the rule's order
        order = method.order if isinstance(method, Rule) else HOLA_ORDER
        pieces.update({series_term(k): 1 for k in range(2, order + 1)})
    return pieces


#: Exact eigenvalues are attempted up to this dimension.
MAX_EXACT_DIM = 6


class ShapingField:
    """v, M and their exact Jacobians for one game and rule.

    Parameters
    ----------
    dec : Decomposition
        Numeric eta and payoffs.
    rule : Rule

    Examples
    --------
    >>> from eqselect.theory import Rule, builtin
    >>> sf = ShapingField(Decomposition(builtin("stag-hunt", "direct"), eta=sp.Rational(11, 20)),
    ...                   Rule("peer-only"))
    >>> sf.M.T
    Matrix([[99*p1/20 + 33/20, 99*p2/20 + 33/20]])
    """

    def __init__(self, dec: Decomposition, rule: Rule):
        self.dec = dec
        self.rule = require_rule(rule, "ShapingField")
        self.pieces = shaping_pieces(self.rule)

    @property
    def symbols(self) -> tuple:
        """phi, the game's parameters."""
        return self.dec.game.parameters

    @cached_property
    def v(self) -> sp.Matrix:
        """v = cur, the plain policy-gradient field."""
        return self.dec.cur

    @cached_property
    def M(self) -> sp.Matrix:
        """M, the sum of the rule's shaping pieces (module table)."""
        out = sp.zeros(len(self.symbols), 1)
        for name, weight in self.pieces.items():
            out += weight * self.dec.term(name)
        return sp.Matrix([sp.expand(x) if x.is_polynomial(*self.symbols) else x for x in out])

    @cached_property
    def J_v(self) -> sp.Matrix:
        """J_v = Dv, exact (d x d)."""
        return self.dec.component_jacobian("cur")

    @cached_property
    def J_M(self) -> sp.Matrix:
        """J_M = DM, exact (d x d)."""
        return self.M.jacobian(sp.Matrix(self.symbols))

    def F(self, lam) -> sp.Matrix:
        """F_lambda = v + lambda M (a float lambda is kept exact: 0.55 -> 11/20)."""
        return self.v + to_exact(lam, "lambda") * self.M

    def DF(self, lam) -> sp.Matrix:
        """DF_lambda = J_v + lambda J_M."""
        return self.J_v + to_exact(lam, "lambda") * self.J_M

    @property
    def trivial(self) -> bool:
        """Whether M = 0 identically (plain PG)."""
        return all(x == 0 for x in self.M)


@dataclass(frozen=True)
class Margins(Record):
    """mu = -lambda_max(sym J_v) and mu_M = -lambda_max(sym J_M) at one point.

    Attributes
    ----------
    mu, mu_M : float
    exact_mu, exact_mu_M : sympy.Expr or None
        Exact values when the point is exact.
    enclosure_mu, enclosure_mu_M : tuple of float
        Certified (lower, upper) bounds (at the given point).
    certified : str
        "exact" or "interval".
    """

    mu: float
    mu_M: float
    exact_mu: object
    exact_mu_M: object
    enclosure_mu: tuple
    enclosure_mu_M: tuple
    certified: str


def lambda_max_exact(A: sp.Matrix):
    """lambda_max(sym A) exactly, or None when sympy cannot decide it.

    d <= 2: the closed form (a + c)/2 + sqrt(((a - c)/2)^2 + b^2). Otherwise the
    characteristic polynomial (rational coefficients required) and its real
    roots isolated exactly; the largest is returned as a ``CRootOf``.

    Examples
    --------
    >>> lambda_max_exact(sp.Matrix([[0, 3], [3, 0]]))
    3
    """
    S = (A + A.T) / 2
    d = S.shape[0]
    if d == 1:
        return S[0, 0] if S[0, 0].is_number else None
    if d == 2:
        a, b, c = S[0, 0], S[0, 1], S[1, 1]
        return sp.radsimp((a + c) / 2 + sp.sqrt(((a - c) / 2) ** 2 + b ** 2))
    if d > MAX_EXACT_DIM or not all(x.is_Rational for x in S):
        return None
    roots = S.charpoly().real_roots()  # a symmetric matrix: every root is real
    return max(roots, key=lambda r: r.evalf(30)) if roots else None


def _is_exact(point) -> bool:
    """Exact numbers (rationals, or algebraic / transcendental constants)."""
    return point is not None and all(isinstance(x, sp.Basic) and x.is_number
                                     and not x.has(sp.Float) for x in point)


def _is_rational(point) -> bool:
    return point is not None and all(isinstance(x, sp.Basic) and x.is_Rational for x in point)


def margins_at(sf: ShapingField, point, exact=None) -> Margins:
    """mu and mu_M at a point: exact at a rational point, else enclosed in balls.

    At an exact irrational point (log((1 + sqrt 5)/2), ...) the enclosure is
    evaluated at the exact coordinates, so it is certified for that point.

    Parameters
    ----------
    sf : ShapingField
    point : sequence of float
    exact : sequence of sympy numbers or None
    """
    exact = exact if _is_exact(exact) else (point if _is_exact(point) else None)
    with iv.working_precision():
        arg = [iv.to_arb(x) for x in (exact if exact is not None else point)]
        encl = []
        for J in (sf.J_v, sf.J_M):
            f = iv.IntervalFunction(list(J), sf.symbols)
            vals = f(arg)
            d = J.shape[0]
            m = [[vals[i * d + j] for j in range(d)] for i in range(d)]
            e = iv.lambda_max_enclosure(iv.symmetric_part(m))
            lo, hi = iv.bounds(e)
            encl.append((-hi, -lo))
    exact_vals = [None, None]
    if _is_rational(exact):  # beyond rationals sympy's simplification has no budget
        sub = dict(zip(sf.symbols, exact))
        for k, J in enumerate((sf.J_v, sf.J_M)):
            top = lambda_max_exact(J.xreplace(sub))
            exact_vals[k] = None if top is None else -top
    mids = [float(sp.N(x, 20)) if x is not None else 0.5 * (e[0] + e[1])
            for x, e in zip(exact_vals, encl)]
    certified = "exact" if all(x is not None for x in exact_vals) else "interval"
    return Margins(mids[0], mids[1], exact_vals[0], exact_vals[1], encl[0], encl[1], certified)
