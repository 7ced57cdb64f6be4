"""Conversions to and from nashpy and pygambit keep payoffs and names exactly."""

import sys
from fractions import Fraction

import numpy as np
import pygambit as gbt
import pytest
import sympy as sp

import gambit_oracle
from eqselect.theory import builtin, normal_form_game
from eqselect.theory.errors import GameError, OptionsError
from eqselect.theory.io import convert


def three_player():
    tables = [np.arange(8).reshape(2, 2, 2).tolist(),
              [[[Fraction(1, 3), 0], [1, 2]], [[3, 4], [5, Fraction(-7, 2)]]],
              [[[0, 0], [0, 1]], [[1, 0], [0, 0]]]]
    return normal_form_game(tables, "direct", name="three", description="a 3-player game",
                            players=["Ann", "Bo", "Cy"],
                            action_names=[["u", "d"], ["l", "r"], ["x", "y"]])


def test_pygambit_round_trip_keeps_payoffs_names_and_texts():
    game = three_player()
    g = convert.to_pygambit(game)
    assert list(g.players) == ["Ann", "Bo", "Cy"]
    assert g.get_strategies("Bo") == ["l", "r"]
    assert (g.title, g.description) == ("three", "a 3-player game")
    assert g.to_arrays(dtype=Fraction)[1][0, 0, 0] == Fraction(1, 3)
    back = convert.from_pygambit(g, "direct")
    assert back.payoffs == game.payoffs
    assert (back.players, back.action_names) == (game.players, game.action_names)
    assert (back.name, back.description) == (game.name, game.description)


def test_pygambit_game_has_the_same_equilibria_as_the_oracle_of_the_tables():
    game = builtin("battle-of-sexes", "direct")
    g = convert.to_pygambit(game)
    mine = gambit_oracle._profiles(g, gbt.nash.enummixed_solve(g, rational=True).equilibria,
                                   True)
    assert sorted(mine) == sorted(gambit_oracle.enummixed(convert.payoff_tables(game)))


def test_nashpy_round_trip_and_equilibria():
    nashpy = pytest.importorskip("nashpy")
    game = builtin("stag-hunt", "direct", symbolic=True)
    with pytest.raises(GameError, match="payoff symbols a, b, c, d"):
        convert.to_nashpy(game)
    n = convert.to_nashpy(game, allow_lossy=True)  # symbols take their defaults
    assert isinstance(n, nashpy.Game)
    assert n.payoff_matrices[0].tolist() == [[4, 0], [3, 2]]
    back = convert.from_nashpy(n, "direct")
    assert back.payoffs == builtin("stag-hunt", "direct").payoffs
    profiles = sorted((round(float(s[0][0]), 9), round(float(s[1][0]), 9))
                      for s in n.support_enumeration())
    assert profiles == [(0.0, 0.0), (round(2 / 3, 9), round(2 / 3, 9)), (1.0, 1.0)]


def test_nashpy_exact_arrays_keep_fractions():
    pytest.importorskip("nashpy")
    game = normal_form_game([[[Fraction(1, 3), 0], [0, 1]], [[1, 0], [0, Fraction(2, 7)]]])
    n = convert.to_nashpy(game, exact=True)
    assert n.payoff_matrices[0][0, 0] == Fraction(1, 3)
    assert convert.from_nashpy(n).payoffs == game.payoffs
    assert convert.to_nashpy(game).payoff_matrices[1].dtype == float


def test_refusals():
    pytest.importorskip("nashpy")
    with pytest.raises(GameError, match="two-player"):
        convert.to_nashpy(three_player())
    with pytest.raises(GameError, match="not rational"):
        convert.to_pygambit(normal_form_game([[[sp.sqrt(2), 0], [0, 1]], [[1, 0], [0, 1]]]))
    with pytest.raises(GameError, match="no payoff tensors"):
        convert.to_pygambit(builtin("tandem"))


def test_missing_package_names_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "nashpy", None)  # import nashpy now raises ImportError
    with pytest.raises(OptionsError, match=r"pip install -e \"\.\[nashpy\]\""):
        convert.to_nashpy(builtin("stag-hunt"))
