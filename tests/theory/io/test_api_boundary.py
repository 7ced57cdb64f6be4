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
    for folder in ("theory", "numerics", "app", "proofs_check"):
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
