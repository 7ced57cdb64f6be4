"""theory/canonical.py: the shortcut sums and products are sympy's own ``Add`` and ``Mul``."""

from __future__ import annotations

import itertools
import os

import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from eqselect.theory.canonical import product, total
from eqselect.theory.games.normal_form import normal_form_game
from eqselect.theory.parameterizations import Parameterization, policy

rationals = st.builds(sp.Rational, st.integers(-7, 7), st.integers(1, 5))
#: Examples of the game-building properties (``EQSELECT_FULL_SCALE=1``: the profile's count).
EXAMPLES = settings().max_examples if os.environ.get("EQSELECT_FULL_SCALE") == "1" else 8


def _same(fast, slow):
    """Equal, and the same tree: same type, arguments, hash and printed text."""
    assert fast == slow and type(fast) is type(slow)
    assert fast.args == slow.args and hash(fast) == hash(slow) and str(fast) == str(slow)
    assert fast.is_commutative == slow.is_commutative


@settings(max_examples=EXAMPLES)
@given(st.lists(st.integers(1, 4), min_size=2, max_size=3), rationals)
def test_product_is_mul_of_strategy_factors(actions, coeff):
    strategies = [policy(Parameterization.DIRECT, list(sp.symbols(f"p{i}_0:{m - 1}")), m)
                  for i, m in enumerate(a + 1 for a in actions)]
    for profile in itertools.product(*(range(len(s)) for s in strategies)):
        factors = [s[a] for s, a in zip(strategies, profile)]
        _same(product(coeff, factors), coeff * sp.Mul(*factors))


@given(st.integers(2, 6))
def test_direct_policy_is_one_minus_the_sum(m):
    syms = list(sp.symbols(f"q0:{m - 1}"))
    *head, last = policy(Parameterization.DIRECT, syms, m)
    assert head == syms
    _same(last, 1 - sum(syms, sp.Integer(0)))


def test_single_factor_and_degenerate_sums():
    p, q = sp.symbols("p q")
    _same(product(sp.Integer(2), [p + q]), 2 * (p + q))  # distributes, as Mul does
    _same(product(sp.Integer(-1), [p]), -p)
    assert product(sp.Integer(0), [p, q]) == 0
    assert total([]) == 0 and total([sp.Integer(2), sp.Integer(-2)]) == 0
    _same(total([sp.Integer(3), p]), p + 3)
    _same(total([-p * q]), -p * q)


@settings(max_examples=EXAMPLES)
@given(st.lists(st.integers(2, 3), min_size=2, max_size=3), st.data())
def test_expected_payoffs_match_the_general_construction(actions, data):
    """Every value J_i of a direct normal-form game equals the sum built by Add and Mul
    (the independent construction: u * Mul(strategies) summed over every profile)."""
    size = 1
    for m in actions:
        size *= m
    tables = [data.draw(st.lists(rationals, min_size=size, max_size=size)) for _ in actions]
    nested = [sp.ImmutableDenseNDimArray(t, tuple(actions)).tolist() for t in tables]
    game = normal_form_game(nested, "direct")
    for value, flat in zip(game.values, tables):
        terms = [u * sp.Mul(*(s[a] for s, a in zip(game.strategies, profile)))
                 for u, profile in zip(flat, itertools.product(*(range(m) for m in actions)))]
        _same(value, sp.Add(*terms))
