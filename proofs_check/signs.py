"""Deciding signs: exactly on segments (real-root isolation), on boxes by subdivision.

- `polynomial_sign`: the sign of a polynomial with rational coefficients on
  [a, b], exactly. Its real roots in [a, b] are isolated in disjoint
  rational intervals (sympy's ``Poly.intervals``, Vincent-Akritas-Strzebonski /
  Descartes' rule of signs) and counted with Sturm sequences
  (``Poly.count_roots``); between roots the sign is that of one exact sample.
- `box_sign`: whether f >= 0 on a box, by interval subdivision: a box whose
  enclosure has lower end >= 0 is proven; a box centre where the enclosure
  is < 0 is a counterexample; boxes narrower than ``min_width`` without
  either are left undecided (docs/alignment.md, "Certification").
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import Enum

import sympy as sp

from eqselect.numerics import intervals as iv


@dataclass(frozen=True)
class SegmentSign:
    """Sign of a polynomial on [a, b].

    Attributes
    ----------
    positive : bool
        p > 0 on all of [a, b].
    nonnegative : bool
    roots : tuple of (Rational, Rational)
        Isolating intervals of the real roots in [a, b]: each open interval
        (lo, hi) holds exactly one root, a degenerate one (r, r) is the root.
    negative_at : sympy.Rational or None
        An exact point of [a, b] where p < 0.
    sturm_count : int
        Roots in [a, b] counted by a Sturm sequence (equals ``len(roots)``).
    """

    positive: bool
    nonnegative: bool
    roots: tuple
    negative_at: object
    sturm_count: int = 0


def polynomial_sign(expr, s: sp.Symbol, a, b) -> SegmentSign:
    """Sign of the polynomial ``expr`` in ``s`` on [a, b] (rational a, b), exactly.

    Examples
    --------
    >>> s = sp.Symbol("s")
    >>> polynomial_sign(s**2 - sp.Rational(1, 4), s, 0, 1).roots
    ((0, 1),)
    >>> polynomial_sign(s + 1, s, 0, 1).positive
    True
    """
    a, b = sp.Rational(a), sp.Rational(b)
    poly = sp.Poly(sp.expand(expr), s, domain="QQ")
    if poly.is_zero:
        return SegmentSign(False, True, (), None, 0)
    roots = tuple(tuple(sp.Rational(x) for x in iv_) for iv_, _ in
                  poly.intervals(inf=a, sup=b))
    # exact samples: every open region between consecutive roots holds one of
    # the ends of an isolating interval or a midpoint between them
    cuts = [a] + [x for r in roots for x in r] + [b]
    samples = cuts + [(cuts[k] + cuts[k + 1]) / 2 for k in range(len(cuts) - 1)
                      if cuts[k] < cuts[k + 1]]
    samples = [x for x in samples if poly.eval(x) != 0 or x in (a, b)]
    negative = [x for x in samples if poly.eval(x) < 0]
    nonneg = not negative
    return SegmentSign(nonneg and not roots, nonneg, roots, negative[0] if negative else None,
                       int(poly.count_roots(a, b)))


@dataclass(frozen=True)
class BoxSign:
    """Outcome of a subdivision proof of f >= 0 on a box.

    Attributes
    ----------
    holds : bool or None
        True: every box proven; False: a counterexample; None: undecided boxes left.
    proven : int
        Boxes whose enclosure is >= 0.
    counterexample : tuple of float or None
        The first point found where f < 0 (certified by its enclosure).
    counter_enclosure : tuple of float or None
    undecided : tuple of (lower, upper)
        Boxes left (at most 20 reported).
    n_undecided : int
    minimum_lower : float
        Smallest lower end of an enclosure over the proven boxes.
    """

    holds: bool | None
    proven: int
    counterexample: tuple | None
    counter_enclosure: tuple | None
    undecided: tuple
    n_undecided: int
    minimum_lower: float


def box_sign(f, lower, upper, min_width: float = 1e-3, max_boxes: int = 20000,
             strict: bool = False) -> BoxSign:
    """Prove f >= 0 (``strict``: f > 0) on the box, or find a point where it fails.

    Parameters
    ----------
    f : callable
        Box (list of arb balls) -> arb ball enclosing f on it.
    lower, upper : sequence of float or Rational
    min_width : float
        Boxes are not split below this width.
    max_boxes : int
        Budget of enclosures computed.
    """
    queue = deque([(tuple(lower), tuple(upper))])
    proven, undecided, seen, min_lo = 0, [], 0, float("inf")
    with iv.working_precision():
        while queue:
            lo, hi = queue.popleft()
            seen += 1
            if seen > max_boxes:
                undecided.append((lo, hi))
                undecided.extend(queue)
                break
            enc = f(iv.box(lo, hi))
            ok = enc > 0 if strict else enc >= 0
            if ok:
                proven += 1
                min_lo = min(min_lo, iv.bounds(enc)[0])
                continue
            centre = tuple((sp.Rational(x) + sp.Rational(y)) / 2 if _rational(x, y)
                           else (float(x) + float(y)) / 2 for x, y in zip(lo, hi))
            at = f([iv.to_arb(c) for c in centre])
            if at < 0 or (strict and at <= 0):
                return BoxSign(False, proven, tuple(float(c) for c in centre),
                               iv.bounds(at), (), 0, min_lo)
            widths = [float(y) - float(x) for x, y in zip(lo, hi)]
            k = max(range(len(widths)), key=widths.__getitem__)
            if widths[k] < min_width:
                undecided.append((lo, hi))
                continue
            m = centre[k]
            queue.append((lo, hi[:k] + (m,) + hi[k + 1:]))
            queue.append((lo[:k] + (m,) + lo[k + 1:], hi))
    holds = True if not undecided else None
    rep = tuple((tuple(map(float, a)), tuple(map(float, b))) for a, b in undecided[:20])
    return BoxSign(holds, proven, None, None, rep, len(undecided), min_lo)


def _rational(x, y) -> bool:
    return isinstance(x, (sp.Rational, int)) and isinstance(y, (sp.Rational, int))


class Sign(str, Enum):
    """The sign of an expression on the whole region, when it is known."""

    ZERO = "zero"
    POSITIVE = "positive"
    NONNEGATIVE = "nonnegative"
    NEGATIVE = "negative"
    NONPOSITIVE = "nonpositive"
    UNKNOWN = "unknown"


_NEG = {Sign.ZERO: Sign.ZERO, Sign.POSITIVE: Sign.NEGATIVE, Sign.NEGATIVE: Sign.POSITIVE,
        Sign.NONNEGATIVE: Sign.NONPOSITIVE, Sign.NONPOSITIVE: Sign.NONNEGATIVE,
        Sign.UNKNOWN: Sign.UNKNOWN}


def sign_product(a: Sign, b: Sign) -> Sign:
    """The sign of x y from the signs of x and y."""
    if Sign.ZERO in (a, b):
        return Sign.ZERO
    if Sign.UNKNOWN in (a, b):
        return Sign.UNKNOWN
    flip = (a in (Sign.NEGATIVE, Sign.NONPOSITIVE)) != (b in (Sign.NEGATIVE, Sign.NONPOSITIVE))
    strict = a in (Sign.POSITIVE, Sign.NEGATIVE) and b in (Sign.POSITIVE, Sign.NEGATIVE)
    out = Sign.POSITIVE if strict else Sign.NONNEGATIVE
    return _NEG[out] if flip else out


def _sign_sum(signs) -> Sign:
    """The sign of a sum from the signs of its terms."""
    signs = [s for s in signs if s is not Sign.ZERO]
    if not signs:
        return Sign.ZERO
    for pos, strict in ((Sign.NONNEGATIVE, Sign.POSITIVE), (Sign.NONPOSITIVE, Sign.NEGATIVE)):
        if all(s in (pos, strict) for s in signs):
            return strict if strict in signs else pos
    return Sign.UNKNOWN


def _number_sign(x) -> Sign:
    if x.is_zero:
        return Sign.ZERO
    if x.is_positive:
        return Sign.POSITIVE
    if x.is_negative:
        return Sign.NEGATIVE
    return Sign.UNKNOWN


def term_sign(expr, nonnegative=frozenset()) -> Sign:
    """The sign of ``expr`` everywhere on the region, from its structure alone.

    Rules: numbers by their value; exp(x) > 0; symbols in ``nonnegative``
    (probabilities of the direct parameterisation) >= 0; products and even
    powers by the signs of their factors; sums whose terms share a sign; a sum
    that is a non-negative combination of monotone pairs
    (x - y)(e^x - e^y) >= 0 (:func:`monotone_pairs`).

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> term_sign(sp.exp(x) + 1), term_sign(-(x - 1) ** 2), term_sign(x * (sp.exp(x) - 1))
    (<Sign.POSITIVE: 'positive'>, <Sign.NONPOSITIVE: 'nonpositive'>, <Sign.NONNEGATIVE: 'nonnegative'>)
    """
    if expr.is_number:
        return _number_sign(expr)
    if isinstance(expr, sp.exp):
        return Sign.POSITIVE
    if expr.is_Symbol:
        return Sign.NONNEGATIVE if expr in nonnegative else Sign.UNKNOWN
    if expr.is_Pow:
        base, ex = expr.as_base_exp()
        s = term_sign(base, nonnegative)
        if ex.is_integer and ex.is_even:
            return Sign.POSITIVE if s in (Sign.POSITIVE, Sign.NEGATIVE) else (
                Sign.ZERO if s is Sign.ZERO else Sign.NONNEGATIVE)
        if ex.is_integer:
            return s
        return s if s in (Sign.POSITIVE, Sign.ZERO) else Sign.UNKNOWN
    if expr.is_Mul:
        out = Sign.POSITIVE
        for f in expr.args:
            out = sign_product(out, term_sign(f, nonnegative))
        return out if out is not Sign.UNKNOWN else monotone_pairs(expr)
    if expr.is_Add:
        out = _sign_sum(term_sign(t, nonnegative) for t in expr.args)
        return out if out is not Sign.UNKNOWN else monotone_pairs(expr)
    return Sign.UNKNOWN


def _split_exp(term):
    """term = c * exp(x) (x = 0 when no exp factor): (c, x), or None for several exps."""
    exps = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.exp)]
    if len(exps) > 1:
        return None
    if not exps:
        return term, sp.Integer(0)
    return sp.Mul(*[f for f in sp.Mul.make_args(term) if f is not exps[0]]), exps[0].args[0]


#: Most exp atoms a sum may hold for the monotone-pair decomposition
#: (the candidates grow as their number squared).
MAX_EXP_ATOMS = 6


def monotone_pairs(expr) -> Sign:
    """NONNEGATIVE / NONPOSITIVE if expr = sum_k c_k (x_k - y_k)(e^{x_k} - e^{y_k}), c_k of one sign.

    Every pair is >= 0 because exp is increasing. The exponents x, y range over
    those of the exp atoms of ``expr`` and 0; the coefficients c_k are solved
    exactly by matching monomials (a rational linear system). UNKNOWN when
    no such decomposition is found.

    Examples
    --------
    >>> a, b = sp.symbols("a b")
    >>> monotone_pairs(sp.expand((a + b) * (sp.exp(a + b) - 1) + (a - b) * (sp.exp(a) - sp.exp(b))))
    <Sign.NONNEGATIVE: 'nonnegative'>
    """
    e = sp.powsimp(sp.expand(expr), combine="exp")
    parts = [_split_exp(t) for t in sp.Add.make_args(e)]
    if any(p is None for p in parts):
        return Sign.UNKNOWN
    atoms = sorted({x for _, x in parts}, key=sp.default_sort_key)
    if 0 not in atoms:
        atoms.insert(0, sp.Integer(0))
    if len(atoms) > MAX_EXP_ATOMS + 1 or len(atoms) < 2:
        return Sign.UNKNOWN
    pairs = [(x, y) for i, x in enumerate(atoms) for y in atoms[i + 1:]]
    cs = [sp.Dummy(f"c{k}") for k in range(len(pairs))]
    tags = [sp.Dummy(f"E{k}") for k in range(len(atoms))]
    tag = dict(zip(atoms, tags))
    target = sum(c * tag[x] for c, x in parts)
    model = sum(c * (x - y) * (tag[x] - tag[y]) for c, (x, y) in zip(cs, pairs))
    gens = sorted((target.free_symbols | model.free_symbols) - set(cs), key=str)
    if not all(c.is_polynomial(*gens) for c, _ in parts):
        return Sign.UNKNOWN
    try:
        eqs = sp.Poly(sp.expand(model - target), *gens).coeffs()
    except sp.PolynomialError:
        return Sign.UNKNOWN  # coefficients that are not polynomial in the parameters
    sol = sp.linsolve(eqs, cs)
    if not sol:
        return Sign.UNKNOWN
    (values,) = sol
    values = [v.subs({c: 0 for c in cs}) for v in values]  # one particular solution
    if not all(v.is_number for v in values):
        return Sign.UNKNOWN
    if all(v >= 0 for v in values):
        return Sign.NONNEGATIVE if any(v != 0 for v in values) else Sign.ZERO
    if all(v <= 0 for v in values):
        return Sign.NONPOSITIVE
    return Sign.UNKNOWN


@dataclass(frozen=True)
class Factored:
    """expr = (product of ``known`` factors) * residual, each known factor signed.

    Attributes
    ----------
    expr : sympy.Expr
        The expression after normalisation (logs of sigmoids expanded,
        one fraction, factored).
    known : tuple of (sympy.Expr, Sign)
        Factors whose sign on the region follows from their structure.
    sign : Sign
        The sign of the product of the known factors.
    residual : sympy.Expr
        What is left for subdivision (1 when nothing is).
    within_budget : bool
        False when the expression was too large to simplify (then nothing is
        known and the residual is the expression itself).
    """

    expr: object
    known: tuple
    sign: Sign
    residual: object
    within_budget: bool = True

    @property
    def decided(self) -> Sign:
        """The sign of the whole expression, or UNKNOWN while a residual is left."""
        if self.sign is Sign.ZERO or self.residual == 1:
            return self.sign
        return Sign.UNKNOWN

    @property
    def reduced(self) -> bool:
        """Whether a factor other than a constant was signed and set aside."""
        return any(not f.is_number for f, _ in self.known)


#: Operation count past which an expression is not simplified (sympy's
#: factor and together grow quickly on logit fields).
MAX_SIMPLIFY_OPS = 600


#: Digits of a coefficient past which an expression is not factored: sympy's
#: factorisation over the integers slows down steeply with the coefficients'
#: size (seconds at 60 digits, minutes at 300, the largest payoff a game
#: file may hold), while interval subdivision does not.
MAX_FACTOR_DIGITS = 50


def _digits(expr) -> int:
    """The most digits of a numerator or denominator of a rational in ``expr``."""
    return max((max(len(str(abs(x.p))), len(str(x.q))) for x in expr.atoms(sp.Rational)),
               default=0)


def _expand_logs(expr):
    """log of a quotient or product written as a sum of logs (logs of sigmoids too).

    log(1 - 1/(1 + e^-x)) = -x - log(1 + e^-x) for real x: the arguments are
    positive on the region, so expanding is exact there.
    """
    e = expr.replace(lambda a: isinstance(a, sp.log),
                     lambda a: sp.log(sp.factor(sp.together(a.args[0]))))
    return sp.expand_log(e, force=True)


def signed_factors(expr, nonnegative=frozenset(), max_ops: int = MAX_SIMPLIFY_OPS) -> Factored:
    """Factor ``expr`` into factors of known sign and a residual (exact).

    1. Within the size budget, expand logs, bring to one fraction and factor
       (sympy); an expression that simplifies to 0 is ZERO.
    2. Sign each factor by :func:`term_sign`; the factors of unknown sign form
       the residual.

    Examples
    --------
    >>> x, y = sp.symbols("x y")
    >>> f = signed_factors(3 * sp.exp(x) * (x - y) ** 2 * (x + y))
    >>> f.sign, f.residual
    (<Sign.NONNEGATIVE: 'nonnegative'>, x + y)
    """
    if sp.count_ops(expr) > max_ops or _digits(expr) > MAX_FACTOR_DIGITS:
        return Factored(expr, (), Sign.POSITIVE, expr, within_budget=False)
    e = sp.factor(sp.together(_expand_logs(expr)))
    if e == 0:
        return Factored(e, ((e, Sign.ZERO),), Sign.ZERO, sp.Integer(1))
    known, residual, sign = [], [], Sign.POSITIVE
    for f in sp.Mul.make_args(e):
        s = term_sign(f, nonnegative)
        if s is Sign.UNKNOWN:
            residual.append(f)
        else:
            known.append((f, s))
            sign = sign_product(sign, s)
    return Factored(e, tuple(known), sign, sp.Mul(*residual))
