"""Game files written by eqselect read back exactly: .nfg (also through pygambit), .toml, .json."""

from fractions import Fraction

import pygambit as gbt
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from eqselect.theory import GameError, OptionsError, builtin, normal_form_game
from eqselect.theory.io.spec import load_spec, nfg_game
from eqselect.theory.io.write import game_spec, nfg_text, write_game

NAME = st.from_regex(r"[a-hXYZ_0-9-]{1,3}( [a-h0-9]{1,2})?", fullmatch=True)
PAYOFF = st.fractions(min_value=-20, max_value=20, max_denominator=7)


@st.composite
def named_games(draw):
    """Random 2- or 3-player games with rational payoffs and distinct names."""
    shape = draw(st.lists(st.integers(2, 3), min_size=2, max_size=3))
    n = len(shape)
    players = draw(st.lists(NAME, min_size=n, max_size=n, unique=True))
    actions = [draw(st.lists(NAME, min_size=m, max_size=m, unique=True)) for m in shape]
    import numpy as np
    tables = [np.array(draw(st.lists(PAYOFF, min_size=int(np.prod(shape)),
                                     max_size=int(np.prod(shape)))),
                       dtype=object).reshape(shape).tolist() for _ in range(n)]
    return normal_form_game(tables, "direct", name="g", description="random game",
                            players=players, action_names=actions)


@settings(max_examples=12)
@given(named_games())
def test_nfg_round_trip_keeps_payoffs_and_names(game):
    back = nfg_game(nfg_text(game), "direct")
    assert back.payoffs == game.payoffs
    assert back.players == game.players and back.action_names == game.action_names
    assert back.description == game.description


@settings(max_examples=12)
@given(game=named_games())
def test_pygambit_reads_the_written_nfg(tmp_path_factory, game):
    path = write_game(game, tmp_path_factory.mktemp("nfg") / "g.nfg")
    g = gbt.read_nfg(str(path))
    assert list(g.players) == list(game.players)
    assert [g.get_strategies(p) for p in g.players] == [list(a) for a in game.action_names]
    arrays = g.to_arrays(dtype=Fraction)
    for mine, theirs in zip(game.payoffs, arrays):
        flat_mine = list(sp.ImmutableDenseNDimArray(mine)._array)
        flat_theirs = [sp.Rational(x.numerator, x.denominator) for x in theirs.flatten()]
        assert flat_mine == flat_theirs


def test_pygambit_written_nfg_reads_back_with_names(tmp_path):
    g = gbt.StrategicGame.from_arrays([[1, 0], [Fraction(1, 3), 2]], [[0, 5], [1, -1]],
                                      title="from gambit")
    g.relabel_players({"1": "Alice", "2": "Bob"})
    g.relabel_strategies("Alice", {"1": "top", "2": "bottom"})
    path = tmp_path / "g.nfg"
    g.to_nfg(str(path))
    game = load_spec(path, "direct")
    assert game.players == ("Alice", "Bob")
    assert game.action_names == (("top", "bottom"), ("1", "2"))
    assert game.payoffs[0] == [[1, 0], [sp.Rational(1, 3), 2]]
    assert game.description == "from gambit"


def test_nfg_count_form_gets_default_names():
    game = nfg_game('NFG 1 R "pd" { "" "" } { 2 2 }\n3 3 5 0 0 5 1 1\n', "direct")
    assert game.players == ("1", "2") and game.action_names == (("0", "1"), ("0", "1"))


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_spec_round_trip_keeps_symbols_expressions_and_names(tmp_path, suffix):
    u, v = sp.symbols("u v")
    game = normal_form_game(
        [[[u, sp.Rational(1, 3)], [sp.sqrt(2) + u ** 2, sp.exp(1)]],
         [[v, 1], [2, -sp.Rational(7, 2)]]], "direct", name="mixed",
        payoff_symbols={u: Fraction(1, 3), v: 2}, players=["row", "column"],
        action_names=[["up", "down"], ["left", "right"]], description='a "quoted" game')
    back = load_spec(write_game(game, tmp_path / f"g{suffix}"))  # the file's own
    assert back.payoffs == game.payoffs
    assert back.payoff_symbols == game.payoff_symbols
    assert (back.players, back.action_names) == (game.players, game.action_names)
    assert (back.name, back.description, back.parameterization) == (
        "mixed", 'a "quoted" game', "direct")


def test_builtin_names_and_defaults():
    game = builtin("stag-hunt")
    assert game.players == ("1", "2") and game.action_names == (("C", "D"), ("C", "D"))
    assert builtin("matching-pennies").action_name(1, 1) == "T"
    assert builtin("tandem").player_name(0) == "1"  # no names given: defaults
    assert game_spec(game)["actions"] == [["C", "D"], ["C", "D"]]


def test_symbolic_nfg_is_refused_unless_lossy_and_then_takes_the_symbol_defaults():
    with pytest.raises(GameError, match="allow_lossy=True"):
        nfg_text(builtin("stag-hunt", symbolic=True))
    text = nfg_text(builtin("stag-hunt", symbolic=True), allow_lossy=True)
    assert text.strip().splitlines()[-1] == "4 4 3 0 0 3 2 2"


@pytest.mark.parametrize("kwargs,match", [
    ({"players": ["a"]}, "players: expected 2 names"),
    ({"players": ["a", "a"]}, "distinct"),
    ({"action_names": [["x", ""], ["y", "z"]]}, "non-empty"),
    ({"action_names": [["x", "y"]]}, "2 lists"),
    ({"players": ["a ", "b"]}, "Gambit's label rule"),
    ({"players": ["a  b", "b"]}, "Gambit's label rule"),
])
def test_bad_names_are_refused(kwargs, match):
    with pytest.raises(GameError, match=match):
        normal_form_game([[[1, 0], [0, 1]], [[1, 0], [0, 1]]], **kwargs)


def test_spec_file_names_are_checked(tmp_path):
    f = tmp_path / "g.toml"
    f.write_text('players = ["a", "b"]\nactions = [["x", "y"], ["x"]]\n'
                 'payoffs = [[[1, 0], [0, 1]], [[1, 0], [0, 1]]]\n')
    with pytest.raises(GameError, match="actions of player 2: expected 2 names"):
        load_spec(f)


def test_unwritable_games_leave_nothing(tmp_path):
    with pytest.raises(GameError, match="not rational"):
        write_game(normal_form_game([[[sp.sqrt(2), 0], [0, 1]], [[1, 0], [0, 1]]]),
                   tmp_path / "g.nfg")
    with pytest.raises(GameError, match="no payoff tensors"):
        write_game(builtin("tandem"), tmp_path / "t.toml")
    with pytest.raises(OptionsError, match="unknown game file type"):
        write_game(builtin("stag-hunt"), tmp_path / "s.csv")
    assert list(tmp_path.iterdir()) == []


def test_a_symbolic_builtin_is_written_and_read_back(tmp_path):
    """The symbolic 2x2 games' payoff c is no longer reserved, so they can be
    saved as game files (refused before: 'c' was the own coefficient's name)."""
    game = builtin("stag-hunt", "direct", symbolic=True)
    back = load_spec(write_game(game, tmp_path / "s.toml"), "direct")
    assert back.payoffs == game.payoffs and back.payoff_symbols == game.payoff_symbols
