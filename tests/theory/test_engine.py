"""theory/engine.py: the node-by-node copy to symengine is symengine's own sympify."""

from __future__ import annotations

import symengine as se
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from eqselect.theory import builtin
from eqselect.theory.engine import to_engine
from eqselect.theory.games.builtins import BUILTINS

x, y = sp.symbols("x y")
leaves = st.sampled_from([x, y, sp.Integer(3), sp.Rational(-2, 7), sp.Float(0.5), sp.pi,
                          sp.Dummy("u"), sp.Symbol("z", positive=True)])


def _tree(children):
    return st.one_of(st.builds(lambda a, b: a + b, children, children),
                     st.builds(lambda a, b: a * b, children, children),
                     st.builds(lambda a: sp.exp(a), children),
                     st.builds(lambda a: a ** 2, children),
                     st.builds(lambda a, b: sp.Mul(a, b, evaluate=False), children, children))


@given(st.recursive(leaves, _tree, max_leaves=12))
def test_copy_equals_sympify(expr):
    ours, theirs = to_engine(expr), se.sympify(expr)
    assert ours == theirs and str(ours) == str(theirs)


def test_copy_of_every_builtin_value_equals_sympify():
    for name in sorted(BUILTINS):
        for param in ("direct", "logit"):  # softmax adds nothing the logit trees lack
            try:
                game = builtin(name, param)
            except Exception:  # a parameterisation the game does not take
                continue
            if len(game.parameters) > 6:
                continue
            for v in game.values:
                assert to_engine(v) == se.sympify(v)


def test_numbers_and_text():
    assert to_engine(3) == se.Integer(3) and to_engine(sp.Rational(1, 3)) == se.Rational(1, 3)
    try:
        to_engine("x + 1")
    except TypeError as err:
        assert "never parsed from text" in str(err)
    else:
        raise AssertionError("text was accepted")
