"""Exclusion by subdivision on systems whose zeros are known in closed form."""

import time

import sympy as sp
from flint import arb

from eqselect.numerics.intervals import working_precision
from eqselect.numerics.fixed_points.exclusion.search import ExclusionSearch

x, y = sp.symbols("x y")


def _search(G, bound, **kw):
    DG = [[sp.diff(g, v) for v in (x, y)] for g in G]
    s = ExclusionSearch((x, y), G, DG, bound, kw.get("max_boxes", 20_000),
                        kw.get("min_width", 1e-9))
    with working_precision():
        s.run(time.monotonic() + 60)
    return s


def test_every_simple_zero_is_proven_once():
    """x^2 = 2, y = x^3 - x: zeros (+-sqrt 2, +-sqrt 2), one on no grid line;
    x = 0 is a cut of the first bisection, so y = 0, x = 0 tests a zero on a cut."""
    s = _search([x ** 2 - 2, y - x ** 3 + x], (3, 3))
    assert not s.open_boxes and not s.exhausted
    mids = sorted(round(float(z[0].mid()), 12) for z in s.zeros)
    assert mids == [round(-2 ** 0.5, 12), round(2 ** 0.5, 12)]
    with working_precision():
        root = arb(2).sqrt()
        for z in s.zeros:  # each tight box holds its true zero (+-sqrt 2, y = x^3 - x)
            sign = 1 if z[0] > 0 else -1
            assert z[0].overlaps(sign * root) and z[1].overlaps(sign * (root ** 3 - root))
    on_cut = _search([x, y - sp.Rational(1, 3)], (1, 1))
    assert len(on_cut.zeros) == 1 and on_cut.zeros[0][0].contains(0)


def test_a_double_zero_leaves_boxes_open():
    s = _search([x ** 2, y], (1, 1), min_width=1e-6)
    assert s.open_boxes and all(b[0].contains(0) or abs(float(b[0].mid())) < 1e-5
                                for b in s.open_boxes)


def test_the_budget_stops_the_search_and_says_so():
    s = _search([sp.sin(7 * x) * sp.cos(5 * y), y - x / 3], (40, 40), max_boxes=50)
    assert s.exhausted and s.open_boxes
    assert s.certificate()["boxes_examined"] == 50
