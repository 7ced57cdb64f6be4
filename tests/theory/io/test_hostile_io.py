"""Hostile game files and expressions: every one refused with a GameError,
quickly, before any expensive work (the budgets of eqselect.theory.limits)."""

import json
import sys
import time

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from eqselect.theory import GameError
from eqselect.theory.exact import check_magnitude, to_exact
from eqselect.theory.io.expressions import parse_expression
from eqselect.theory.io.nfg import nfg_game
from eqselect.theory.io.spec import load_spec
from eqselect.theory.limits import current, using

A = sp.Symbol("a")


@pytest.mark.parametrize("text,match", [
    ("9^9^9^9", "larger than 10\\^300"),
    ("2^(2^2^2^2^2)", "larger than"),
    ("10^301", "larger than"),
    ("exp(1000)", "larger than"),
    ("exp(exp(exp(10)))", "larger than"),
    ("(" * 300 + "1" + ")" * 300, "nests deeper"),
    ("-" * 1500 + "1", "nests deeper"),
    ("2^" * 500 + "2", "nests deeper"),
    ("exp(" * 100 + "1" + ")" * 100, "nests deeper"),
    ("9" * 301, "more than 300 digits"),
    ("1" + "0" * 400, "more than 300 digits"),
    ("1+" * 1200 + "1", "characters long"),
    ("a^1000", "exponents of symbols"),
    ("(a^10)^11", "exponents of symbols"),
    ("a" + "*a" * 150, "exponents of symbols"),
    ("sqrt(-1)", "not a real number"),
    ("log(0)", "not a real number|non-positive"),
    ("0^(-1)", "division by zero|divides by zero"),
])
def test_expression_budgets(text, match):
    start = time.perf_counter()
    with pytest.raises(GameError, match=match):
        parse_expression(text, {"a": A})
    assert time.perf_counter() - start < 2


def test_nesting_below_the_limit_is_fine_and_never_near_the_recursion_limit():
    depth = current().max_nesting
    text = "(" * (depth - 1) + "a" + ")" * (depth - 1)
    assert parse_expression(text, {"a": A}) == A
    with using(max_nesting=sys.getrecursionlimit()):  # a user may raise it; still one error
        with pytest.raises(GameError):
            parse_expression("(" * 3000 + "1", {})


def test_magnitude_is_checked_when_values_are_filled_in():
    assert check_magnitude(2 ** A, {A: sp.Integer(10)}, "x") == 1024.0
    start = time.perf_counter()
    with pytest.raises(GameError, match="larger than"):
        check_magnitude(2 ** (2 ** A), {A: sp.Integer(100)}, "x")
    with pytest.raises(GameError, match="divides by zero"):
        check_magnitude(1 / (A - 1), {A: sp.Integer(1)}, "x")
    assert time.perf_counter() - start < 1


@pytest.mark.parametrize("value,match", [
    (10 ** 400, "digits"), (float("inf"), "finite"), (1e305, "outside"),
    (1 + 2j, "real number"), ("1", "real number"), (None, "real number"),
    (sp.I, "not a real number"), (sp.oo, "finite"), (True, "real number"),
])
def test_to_exact_refuses(value, match):
    with pytest.raises(GameError, match=match):
        to_exact(value)


def _json_game(tmp_path, data, name="g.json"):
    f = tmp_path / name
    f.write_text(data if isinstance(data, str) else json.dumps(data))
    return f


PD = [[[3, 0], [5, 1]], [[3, 5], [0, 1]]]


@pytest.mark.parametrize("text,match", [
    ('{"payoffs": ' + "[" * 10000 + "]" * 10000 + "}", "deeper than 64"),
    ('{"payoffs": 1, "payoffs": 2}', "appears twice"),
    ('{"payoffs": [[[' + "9" * 5000 + ", 0], [3, 2]], [[4, 3], [0, 2]]]}", "more than 300 digits"),
    ('{"payoffs": [[[1e999, 0], [3, 2]], [[4, 3], [0, 2]]]}', "finite"),
    ('[1, 2]', "table/object"),
    ('{"payoffs": [[["a", 0], [3, 2]], [[4, 3], [0, 2]]], "symbols": {"p1": 1}}', "policy parameter"),
    ('{"payoffs": [[["a", 0], [3, 2]], [[4, 3], [0, 2]]], "symbols": {"theta2": 1}}',
     "policy parameter"),
    ('{"payoffs": [[["a", 0], [3, 2]], [[4, 3], [0, 2]]], "symbols": {"p1_0": 1}}',
     "not allowed|policy parameter"),
    ('{"payoffs": [[["a", 0], [3, 2]], [[4, 3], [0, 2]]], "symbols": {"exp": 1}}', "reserved"),
    ('{"payoffs": [[["a", 0], [3, 2]], [[4, 3], [0, 2]]], "symbols": {"lambda": 1}}', "reserved"),
    ('{"payoffs": [[["a", 0], [3, 2]], [[4, 3], [0, 2]]], "symbols": {"tau": 1}}', "reserved"),
    ('{"payoffs": [[["a", 0], [3, 2]], [[4, 3], [0, 2]]], "symbols": {"lam": 1}}', "reserved"),
    ('{"payoffs": [[["a", 0], [3, 2]], [[4, 3], [0, 2]]], "symbols": {"lola": 1}}',
     "not allowed|reserved"),
    ('{"payoffs": [[[1, 0], [3, 2]], [[4, 3], [0, 2]]], "name": ["x"]}', "must be text"),
])
def test_hostile_json_files(tmp_path, text, match):
    with pytest.raises(GameError, match=match):
        load_spec(_json_game(tmp_path, text))


def test_deep_toml_and_big_files(tmp_path):
    f = tmp_path / "deep.toml"
    f.write_text("payoffs = " + "[" * 5000 + "]" * 5000)
    with pytest.raises(GameError, match="deeper than"):
        load_spec(f)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (current().max_file_bytes + 1))
    with pytest.raises(GameError, match="larger than"):
        load_spec(big)
    bad = tmp_path / "bin.json"
    bad.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(GameError, match="UTF-8"):
        load_spec(bad)


def test_a_symbol_default_that_makes_a_payoff_huge_is_refused_at_substitution(tmp_path):
    f = _json_game(tmp_path, {"payoffs": [[["2^a", 0], [3, 2]], [[4, 3], [0, 2]]],
                              "symbols": {"a": 10 ** 6}})
    game = load_spec(f, "direct")  # the symbolic game is fine
    start = time.perf_counter()
    with pytest.raises(GameError, match="larger than"):
        game.substitute()
    assert time.perf_counter() - start < 1
    assert game.substitute({"a": 3}).payoffs[0][0][0] == 8


def test_game_size_limits_name_the_option(tmp_path):
    n = 11
    shape = (2,) * n
    zeros = sp.MutableDenseNDimArray.zeros(*shape).tolist()
    f = _json_game(tmp_path, {"payoffs": [zeros] * n})
    start = time.perf_counter()
    with pytest.raises(GameError, match="max_entries"):
        load_spec(f)
    with using(max_entries=10 ** 6, max_params=10), \
            pytest.raises(GameError, match="11 policy parameters.*max_params"):
        load_spec(f)
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("text,match", [
    ('NFG 1 R "x" { "a" "b" } { 0 2 }\n', "at least two strategies"),
    ('NFG 1 R "x" { "a" "b" } { 2 -2 }\n', "at least two strategies"),
    ('NFG 1 R "x"', "truncated"),
    ("NFG 1 R", "truncated"),
    ('NFG 1 R "x" { "a" "b" } { 2 2', "truncated"),
    ('NFG 1 R "x" { "a" } { 2 }', "need at least 2"),
    ('NFG 1 R "x" { "a" "b" } { 2 2 } 1 2 3', "payoff list has 3"),
    ('NFG 1 R "x" { "a" "b" } { { { "C" } } { "C" "D" } }', "nest deeper"),
    ('NFG 1 R "x" { "a" "b" } { 2 2 } ' + "9" * 400 + " 1 1 1 1 1 1 1", "digits"),
    ('NFG 1 R "x" { "a" "b" } { 2 2 } 1e400 1 1 1 1 1 1 1', "finite"),
    ('NFG 1 R "x" { "a" "b" } { 2 2 } 1/0 1 1 1 1 1 1 1', "expected a number"),
    ('NFG 1 R "x" { "a" "b" } { 2 2 } { { "" 1 2 } } 1 1 1 9', "out of range"),
    ('NFG 1 R "x" { "a" "b" } { 99999999999999999999 2 }', "integer"),
    ("NOT A GAME", "not a Gambit"),
])
def test_nfg_edge_cases(text, match):
    with pytest.raises(GameError, match=match):
        nfg_game(text)


@given(st.text(max_size=200))
def test_any_text_is_a_value_or_one_game_error(text):
    try:
        value = parse_expression(text, {"a": A})
    except GameError:
        return
    assert isinstance(value, sp.Expr)
    assert value.free_symbols <= {A}


@given(st.text(alphabet='NFGRD12 {}",-/.e0123456789\n"ab', max_size=120))
def test_any_nfg_text_is_a_game_or_one_game_error(text):
    try:
        nfg_game("NFG 1 R " + text)
    except GameError:
        pass


def test_deadlines_nest_and_the_outer_keeps_counting():
    from eqselect.theory.limits import TimeBudgetExceeded, deadline

    def spin(seconds):
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            pass

    start = time.perf_counter()
    with pytest.raises(TimeBudgetExceeded, match="outer"):
        with deadline("outer", 0.6):
            with pytest.raises(TimeBudgetExceeded, match="inner"):
                with deadline("inner", 0.2):
                    spin(5)
            spin(5)
    assert time.perf_counter() - start < 2
    with deadline("nothing to do", 0.05):
        pass
    spin(0.1)  # the timer is off once the block is left
