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
