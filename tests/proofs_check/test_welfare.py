"""A4 (welfare alignment) on the direct parameterisation, exact and past the print size."""

import sympy as sp

import eqselect.proofs_check.welfare as welfare
from eqselect.numerics.shaping import ShapingField
from eqselect.proofs_check.verdict import Certified
from eqselect.theory import PAPER, Decomposition, builtin
from eqselect.theory.rules import Rule


def _stag_hunt():
    return ShapingField(Decomposition(builtin("stag-hunt", "direct"), eta=PAPER.eta),
                        Rule("meta-mapg"))


def test_stag_hunt_counterexample_is_re_evaluated_exactly():
    v = welfare.check_a4(_stag_hunt())
    g = v.values["inner_product"]
    p1, p2 = sorted(g.free_symbols, key=str)
    assert sp.expand(g - welfare.welfare_alignment(_stag_hunt())) == 0
    assert v.holds is False and v.certified is Certified.EXACT
    x = v.values["counterexample"]
    assert v.values["value_there"] == g.subs({p1: x[0], p2: x[1]}) < 0


def test_an_inner_product_too_large_to_print_keeps_the_interval_verdict(monkeypatch):
    """Past PRINT_OPS g is reported by its size; the counterexample stays interval-certified."""
    monkeypatch.setattr(welfare, "PRINT_OPS", 0)
    v = welfare.check_a4(_stag_hunt())
    assert v.holds is False and v.certified is Certified.INTERVAL
    assert "too large to print" in v.values["inner_product"]
    assert "value_there" not in v.values
