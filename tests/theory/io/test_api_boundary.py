"""The Python API checks its inputs where they enter and raises the project's
errors; no string ever reaches sympy's parser."""

import ast
import pathlib

import pytest
import sympy as sp

from eqselect.theory import Decomposition, GameError, builtin, entropy_regularized, normal_form_game
from eqselect.theory.games.entropy import shannon_entropy
from eqselect.theory.io.spec import load_spec

ROOT = pathlib.Path(__file__).resolve().parents[3]
PD = [[[3, 0], [5, 1]], [[3, 5], [0, 1]]]


def test_shannon_entropy_never_parses_text(tmp_path):
    marker = tmp_path / "ran"
    payload = f"__import__('pathlib').Path({str(marker)!r}).write_text('x')"
    with pytest.raises(GameError):
        shannon_entropy([payload])
    with pytest.raises(GameError):
        shannon_entropy(payload)
    assert not marker.exists()
    half = sp.Rational(1, 2)
    assert shannon_entropy([half, half]) == sp.log(2)
    assert shannon_entropy([sp.Integer(1), sp.Integer(0)]) == 0


@pytest.mark.parametrize("call,match", [
    (lambda: builtin(["stag-hunt"]), "unknown game"),
    (lambda: builtin("stag-hunt", 3), "parameterization"),
    (lambda: builtin("stag-hunt", symbolic="no"), "True or False"),
    (lambda: builtin("stag-hunt", "logitt"), "unknown parameterization"),
    (lambda: normal_form_game("stag-hunt"), "payoffs must be|two agents"),
    (lambda: normal_form_game(None), "payoffs must be"),
    (lambda: normal_form_game(PD, None), "parameterization"),
    (lambda: normal_form_game([[[1 + 2j, 0], [0, 0]], PD[1]]), "real number"),
    (lambda: normal_form_game([[[None, 0], [0, 0]], PD[1]]), "real number"),
    (lambda: normal_form_game([[["1", 0], [0, 0]], PD[1]]), "real number"),
    (lambda: normal_form_game(PD, payoff_symbols={"a": "4"}), "real number"),
    (lambda: normal_form_game(PD, payoff_symbols=["a"]), "must map"),
    (lambda: normal_form_game(PD, payoff_symbols={"p1": 1}), "policy parameter"),
    (lambda: normal_form_game(PD, payoff_symbols={"x^{\\input{f}}": 1}), "not allowed"),
    (lambda: normal_form_game([[[sp.Symbol("p1"), 0], [5, 1]], PD[1]], "direct"), "undeclared"),
    (lambda: normal_form_game(PD, name=None), "must be text"),
    (lambda: entropy_regularized("stag-hunt", 1), "takes a Game"),
    (lambda: entropy_regularized(builtin("stag-hunt"), "1"), "real number"),
    (lambda: entropy_regularized(builtin("stag-hunt"), -1), ">= 0"),
    (lambda: Decomposition("stag-hunt"), "takes a Game"),
    (lambda: load_spec(3), "path"),
    (lambda: load_spec("g.json", parameterization=3), "parameterization"),
    (lambda: load_spec("g.json", fallback=None), "parameterization"),
])
def test_wrong_types_raise_game_errors(call, match):
    with pytest.raises(GameError, match=match):
        call()


def test_substitute_maps_names_and_refuses_unknown_keys():
    game = builtin("stag-hunt", "direct", symbolic=True)
    by_name = game.substitute({"a": 5})
    by_symbol = game.substitute({sp.Symbol("a"): 5})
    assert by_name.values == by_symbol.values
    assert by_name.values != game.values
    assert sp.Symbol("a") not in by_name.payoff_symbols
    for bad in ({"z": 1}, {sp.Symbol("z"): 1}, {1: 1}):
        with pytest.raises(GameError, match="not a payoff symbol"):
            game.substitute(bad)
    with pytest.raises(GameError, match="real number"):
        game.substitute({"a": "__import__('os')"})
    with pytest.raises(GameError, match="only the game's payoff symbols"):
        game.substitute({"a": sp.Symbol("p1")})
    assert game.substitute({"a": sp.Symbol("b") + 1}).payoff_symbols.keys() == {
        sp.Symbol(n) for n in "bcd"}
    with pytest.raises(GameError, match="mapping"):
        game.substitute([("a", 1)])


def test_symbol_names_from_the_api_are_the_declared_symbols():
    game = normal_form_game([[[sp.Symbol("a"), 0], [5, 1]], PD[1]],
                            "direct", payoff_symbols={"a": 3})
    ref = normal_form_game(PD, "direct")
    assert all(sp.expand(v - w) == 0 for v, w in zip(game.substitute().values, ref.values))


def _calls(tree, names):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name in names:
                yield node


def test_no_text_reaches_sympys_parser():
    """Every sympify / parse_expr / S(...) call in the package is one of the
    two in engine.py, which refuse str and bytes before converting."""
    allowed = {("theory/engine.py", "to_engine"), ("theory/engine.py", "to_sympy")}
    found = set()
    for folder in ("theory", "numerics", "app", "proofs_check", "studies"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for fn in ast.walk(tree):
                if not isinstance(fn, ast.FunctionDef):
                    continue
                for call in _calls(fn, {"sympify", "parse_expr", "S", "parse_expression"}):
                    if getattr(call.func, "attr", getattr(call.func, "id", "")) == "parse_expression":
                        continue
                    found.add((str(path.relative_to(ROOT)), fn.name))
    assert found <= allowed, found - allowed
    from eqselect.theory import engine

    for text in ("1", b"1"):
        with pytest.raises(TypeError):
            engine.to_engine(text)
        with pytest.raises(TypeError):
            engine.to_sympy(text)


# -- The facade and the objects a user builds go through eqselect.theory.validate --

import math  # noqa: E402
import time  # noqa: E402
from fractions import Fraction  # noqa: E402

import numpy as np  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import eqselect as eq  # noqa: E402
from eqselect.theory import EqselectError, OptionsError, Rule, ipd, validate  # noqa: E402
from eqselect.theory.errors import LimitError  # noqa: E402


@pytest.fixture(scope="module")
def dec():
    from eqselect.numerics.dynamics import basins  # noqa: F401 -- imported before the clocks
    from eqselect.numerics.fixed_points import find  # noqa: F401

    return Decomposition(builtin("stag-hunt", "direct"), eta=sp.Rational(11, 20))


NAN = float("nan")
API_REFUSALS = [
    (lambda d: eq.find_equilibria(d, "pg", seed=-1), ">= 0"),
    (lambda d: eq.find_equilibria(d, "pg", seed=2**64), "<= 4294967295"),
    (lambda d: eq.find_equilibria(d, "pg", seed=1.5), "must be an integer"),
    (lambda d: eq.find_equilibria(d, "pg", n_seeds=-1), ">= 0"),
    (lambda d: eq.find_equilibria(d, "pg", n_seeds=10**9), "<= 10000"),
    (lambda d: eq.find_equilibria(d, "pg", budget=NAN), "finite"),
    (lambda d: eq.find_equilibria(d, "pg", budget=-1), r"\(0, inf\)"),
    (lambda d: eq.find_equilibria(d, "pg", budget="5"), "real number"),
    (lambda d: eq.find_equilibria(d, "pg", budget=math.inf), "finite"),
    (lambda d: eq.basin_map(d, "pg", grid=2.5), "grid must be an integer"),
    (lambda d: eq.basin_map(d, "pg", grid=True), "grid must be an integer"),
    (lambda d: eq.basin_map(d, "pg", grid=3, steps=10**12), "time limit of 3600 s"),
    (lambda d: eq.basin_map(d, "pg", grid=10**6), "GB"),
    (lambda d: eq.basin_map(d, "pg", grid=3, low=NAN), "finite"),
    (lambda d: eq.basin_monte_carlo(d, "pg", n=10**10), "lower n or steps"),
    (lambda d: eq.basin_monte_carlo(d, "pg", n=100, seed=-3), ">= 0"),
    (lambda d: eq.continue_in_lambda(d, "peer-only", lam_range=(0, NAN)), "finite"),
    (lambda d: eq.continue_in_lambda(d, "peer-only", lam_range=(1, 1)), "empty"),
    (lambda d: eq.continue_in_lambda(d, "peer-only", starts=[[NAN, 0.5]]), "finite"),
    (lambda d: eq.continue_in_lambda(d, "peer-only", starts=[[0.5]]), "1 coordinates"),
    (lambda d: Rule("pg", annealing="__import__('os')"), "annealing"),
    (lambda d: ipd(horizon=True), "positive integer"),
    (lambda d: normal_form_game(PD, payoff_symbols={"a": 1}), "no payoff uses"),
    (lambda d: Decomposition(d.game, eta=sp.Symbol("p1")), "p1, a parameter"),
    (lambda d: entropy_regularized(d.game, 10**32), r"\[0, 1e\+12\]"),
    (lambda d: eq.find_equilibria("stag-hunt", "pg"), "must be a Decomposition"),
    (lambda d: eq.basin_map(d.game, "pg"), "must be a Decomposition"),
    (lambda d: eq.continue_in_lambda(d, "peer-only", options="x"), "ContinuationOptions"),
    (lambda d: _separatrix(d, eps=-1), "eps must lie in"),
    (lambda d: _separatrix(d, max_length=1e300), "arc-length steps"),
    (lambda d: _separatrix(d, ds=math.inf), "finite"),
    (lambda d: _mpmath(10**9), "dps must be <= 1000"),
    (lambda d: _mpmath(-5), "dps must be >= 5"),
    (lambda d: _check_options(lam_max=-1), "lam_max"),
    (lambda d: _check_options(tau_high=NAN), "tau_high"),
]


def _separatrix(dec, **keywords):
    from eqselect.numerics.dynamics.separatrix import separatrix

    return separatrix(dec, (2 / 3, 2 / 3), Rule("pg"), **keywords)


def _mpmath(dps):
    from eqselect.numerics.codegen import compile_mpmath

    x = sp.Symbol("x")
    return compile_mpmath([x + 1], [x], dps=dps)


def _check_options(**fields):
    from eqselect.proofs_check.check import CheckOptions

    return CheckOptions(**fields)


@pytest.mark.parametrize("call,match", API_REFUSALS)
def test_the_api_refuses_bad_arguments_at_once_with_one_line(dec, call, match):
    start = time.perf_counter()
    with pytest.raises(EqselectError, match=match) as info:
        call(dec)
    assert "\n" not in str(info.value)
    assert time.perf_counter() - start < 5


def test_sizes_past_the_limits_are_limit_errors_and_in_range_sizes_run(dec):
    with pytest.raises(LimitError):
        eq.basin_monte_carlo(dec, "pg", n=10**10)
    bm = eq.basin_map(dec, "pg", grid=3.0, steps=5)  # an integral float is an integer
    assert sum(bm.outcomes.values()) == 9
    assert eq.find_equilibria(dec, "pg", seed=np.int64(2**32 - 1)).equilibria


def test_a_symbolic_eta_of_its_own_is_kept(dec):
    eta = sp.Symbol("eta_inner")
    assert Decomposition(dec.game, eta=eta).eta == eta


def _is_integral(x) -> bool:
    """An independent statement of what validate.integer accepts."""
    if isinstance(x, bool):
        return False
    if isinstance(x, int):
        return True
    return isinstance(x, (float, Fraction)) and math.isfinite(x) and x == int(x) \
        and abs(x) < 2**53


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
                 st.fractions(), st.booleans(), st.text(max_size=3), st.none()))
def test_integer_accepts_exactly_the_integral_numbers(x):
    if _is_integral(x):
        assert validate.integer(x, "n") == int(x)
    else:
        with pytest.raises(OptionsError, match="must be an integer"):
            validate.integer(x, "n")


@settings(max_examples=60, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True), st.floats(-5, 5), st.floats(-5, 5))
def test_real_accepts_exactly_the_finite_numbers_in_range(x, a, b):
    low, high = min(a, b), max(a, b)
    inside = math.isfinite(x) and low <= x <= high
    if inside:
        assert validate.real(x, "x", low, high) == x
    else:
        with pytest.raises(OptionsError):
            validate.real(x, "x", low, high)


@pytest.mark.parametrize("items,ok", [(["pg", "lola"], True), (["pg", "pg"], False),
                                      ([("1:C", 0.5), ("1:C", 0.5)], False), ([], True)])
def test_distinct_refuses_repeats(items, ok):
    if ok:
        assert validate.distinct(items, "--method") == tuple(items)
    else:
        with pytest.raises(OptionsError, match="twice"):
            validate.distinct(items, "--method")
