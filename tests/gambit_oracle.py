"""pygambit as the independent Nash oracle of the test suite (pygambit 17 API).

Tables are payoff tensors, one per player, as nested lists of integers or
Fractions; profiles come back as tuples of Fractions (exact) or floats, one
tuple per player, in the tables' action order.
"""
from fractions import Fraction

import numpy as np
import pygambit as gbt


def game(tables, exact=True):
    """The pygambit strategic game of the payoff tables."""
    dtype = object if exact else float
    return gbt.StrategicGame.from_arrays(*[np.array(t, dtype=dtype) for t in tables])


def _profiles(g, equilibria, exact):
    out = []
    for eq in equilibria:
        prof = []
        for player in g.players:
            vals = [eq[player][s] for s in g.get_strategies(player)]
            prof.append(tuple(Fraction(str(v)) if exact else float(v) for v in vals))
        out.append(tuple(prof))
    return out


def enummixed(tables):
    """Every extreme Nash equilibrium of a bimatrix game, exactly."""
    g = game(tables, exact=True)
    return _profiles(g, gbt.nash.enummixed_solve(g, rational=True).equilibria, True)


def enumpoly(tables):
    """The isolated Nash equilibria of an N-player game, as floats."""
    g = game(tables, exact=False)
    return _profiles(g, gbt.nash.enumpoly_solve(g).equilibria, False)


def max_regret_is_zero(tables, profile):
    """Whether gambit's exact maximum regret of a rational profile is zero."""
    g = game(tables, exact=True)
    p = g.mixed_strategy_profile(rational=True)
    for player, strat in zip(g.players, profile):
        p.set_mixed_strategy(player, {s: gbt.Rational(Fraction(x).numerator,
                                                      Fraction(x).denominator)
                                      for s, x in zip(g.get_strategies(player), strat)})
    return p.max_regret() == 0
