"""Game files and the whitelisting expression parser."""

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from eqselect.theory import GameError, builtin
from eqselect.theory.io.expressions import parse_expression
from eqselect.theory.io.spec import load_spec, nfg_game


def test_toml_spec_with_symbols(tmp_path):
    f = tmp_path / "g.toml"
    f.write_text('payoffs = [[["a", 0], [3, 2]], [["a", 3], [0, 2]]]\n[symbols]\na = 4\n')
    game = load_spec(f, "direct")
    assert game.payoff_symbols == {sp.Symbol("a"): 4}
    ref = builtin("stag-hunt", "direct")
    assert all(sp.expand(v - w) == 0 for v, w in zip(game.substitute().values, ref.values))


def test_nfg_payoff_and_outcome_versions_agree():
    payoff = 'NFG 1 R "pd" { "1" "2" } { 2 2 }\n3 3 5 0 0 5 1 1\n'
    outcome = ('NFG 1 R "pd" { "1" "2" } { { "C" "D" } { "C" "D" } } ""\n'
               '{ { "" 3, 3 } { "" 5, 0 } { "" 0, 5 } { "" 1, 1 } }\n1 2 3 4\n')
    a, b = nfg_game(payoff, "direct"), nfg_game(outcome, "direct")
    ref = builtin("prisoners-dilemma", "direct")
    for g in (a, b):
        assert all(sp.expand(v - w) == 0 for v, w in zip(g.values, ref.values))


@pytest.mark.parametrize("text,match", [
    ("__import__('os')", "unexpected token"),
    ("a + b", "undeclared symbol 'b'"),
    ("1/0", "division by zero"),
    ("(a", "ends too early"),
    ("a @ 2", "unexpected token '@'"),
])
def test_parser_refuses_with_the_offending_token(text, match):
    with pytest.raises(GameError, match=match):
        parse_expression(text, {"a": sp.Symbol("a")})


@given(st.integers(-50, 50), st.integers(1, 9), st.integers(0, 3))
def test_parser_agrees_with_sympy_arithmetic(n, m, k):
    a = sp.Symbol("a")
    text = f"({n} - a/{m})^{k} * exp(a) + 0.25"
    assert sp.expand(parse_expression(text, {"a": a})
                     - ((n - a / m) ** k * sp.exp(a) + sp.Rational(1, 4))) == 0


def test_an_explicit_parameterization_wins_over_the_files(tmp_path):
    """Guards --param on a file that states its own parameterization: the
    command line wins, the file's counts only when none is given."""
    f = tmp_path / "g.toml"
    f.write_text('parameterization = "direct"\n'
                 'payoffs = [[[4, 0], [3, 2]], [[4, 3], [0, 2]]]\n')
    assert load_spec(f).parameterization == "direct"
    assert load_spec(f, "logit").parameterization == "logit"
    assert load_spec(f, "softmax").parameterization == "softmax"
    bare = tmp_path / "h.toml"
    bare.write_text('payoffs = [[[4, 0], [3, 2]], [[4, 3], [0, 2]]]\n')
    assert load_spec(bare).parameterization == "logit"
    assert load_spec(bare, fallback="direct").parameterization == "direct"


def test_a_spec_states_its_entropy_temperature_and_keeps_it(tmp_path):
    """Guards the `tau` key of a game file (docs/cli.md): it was refused as an
    unknown key, and a regularised game could not be written."""
    from eqselect.theory import entropy_regularized
    from eqselect.theory.io.write import write_game

    f = tmp_path / "g.toml"
    f.write_text('tau = "1/10"\npayoffs = [[[4, 0], [3, 2]], [[4, 3], [0, 2]]]\n')
    game = load_spec(f)
    want = entropy_regularized(builtin("stag-hunt"), sp.Rational(1, 10))
    assert game.tau == sp.Rational(1, 10) and game.values == want.values
    for suffix in (".toml", ".json"):
        back = load_spec(write_game(game, tmp_path / f"w{suffix}"))
        assert (back.tau, back.values, back.description) == (game.tau, game.values,
                                                              game.description)
    with pytest.raises(GameError, match="cannot hold the entropy regularisation tau = 1/10"):
        write_game(game, tmp_path / "w.nfg")
    assert not (tmp_path / "w.nfg").exists()
    plain = load_spec(write_game(game, tmp_path / "w.nfg", allow_lossy=True))
    assert plain.tau is None and plain.payoffs == builtin("stag-hunt").payoffs
    for bad, match in (("-1", "must be >= 0"), ('"q"', "undeclared symbol"), ("nan", "finite")):
        f.write_text(f"tau = {bad}\npayoffs = [[[4, 0], [3, 2]], [[4, 3], [0, 2]]]\n")
        with pytest.raises(GameError, match=match):
            load_spec(f)
