"""Code generation refuses functions and symbols it does not know, unexecuted.

Each hostile expression applies an undefined function whose name is Python
source creating a marker file; had any backend printed the name into its
generated source and run it, the file would exist.
"""

import dataclasses

import numpy as np
import pytest
import sympy as sp
import symengine as se

from eqselect.numerics.codegen import BACKENDS, compile_exprs, compile_mpmath, mpmath_function
from eqselect.numerics.compiled import compile_field
from eqselect.numerics.dynamics.kernels.codegen import coordinate, scalar_block
from eqselect.numerics.dynamics.kernels.native import native_field
from eqselect.numerics.dynamics.kernels.source import kernel_source
from eqselect.theory import Decomposition, Rule, builtin
from eqselect.theory.errors import EqselectError, ExpressionError
from eqselect.theory.games.normal_form import normal_form_game

P = sp.Symbol("p")


@pytest.fixture
def payload(tmp_path):
    """(hostile function of P, marker path that must stay absent)."""
    marker = tmp_path / "executed"
    name = f"__import__('pathlib').Path({str(marker)!r}).touch() or (lambda x: x)"
    return sp.Function(name)(P), marker


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_every_backend_refuses_an_undefined_function(backend, payload):
    f, marker = payload
    with pytest.raises(ExpressionError, match="does not know") as err:
        compile_exprs([sp.exp(P) + f], [P], backend=backend)
    assert "__import__" in str(err.value) and isinstance(err.value, EqselectError)
    assert not marker.exists()


def test_mpmath_paths_refuse_an_undefined_function(payload):
    f, marker = payload
    with pytest.raises(ExpressionError, match="does not know"):
        compile_mpmath([f * P], [P])
    with pytest.raises(ExpressionError, match="does not know"):
        mpmath_function([sp.log(P) - f], [P])
    assert not marker.exists()


def test_compile_field_refuses_a_game_holding_an_undefined_function(payload):
    f, marker = payload
    game = builtin("stag-hunt", "direct")
    hostile = dataclasses.replace(game, values=(game.values[0] + f.subs(P, game.parameters[0]),
                                                game.values[1]))
    for backend in sorted(BACKENDS):
        with pytest.raises(ExpressionError, match="does not know"):
            compile_field(Decomposition(hostile), Rule("pg"), backend=backend)
    assert not marker.exists()


def test_sympy_functions_symengine_lacks_are_refused():
    with pytest.raises(ExpressionError, match="PyFunction|besselj"):
        compile_exprs([sp.besselj(1, P)], [P], backend="numpy")


def test_kernel_generators_refuse_an_undefined_function(payload):
    f, marker = payload
    with pytest.raises(ExpressionError, match="does not know"):
        kernel_source([[f, P]], [P], None, None, None)
    with pytest.raises(ExpressionError, match="does not know"):
        native_field([f], [P], [])
    x = coordinate(0)
    with pytest.raises(ExpressionError, match="does not know"):
        scalar_block([se.Function("g")(x)], ["_u0"], [x], "_a")
    assert not marker.exists()


def test_kernel_block_refuses_symbols_it_did_not_name():
    x = coordinate(0)
    with pytest.raises(ExpressionError, match="no value: os"):
        scalar_block([x * se.Symbol("os")], ["_u0"], [x], "_a")
    lines, _ = scalar_block([se.exp(x) + se.log(1 + x)], ["_u0"], [x], "_a")
    assert lines[-1].startswith("_u0 = ")


def test_symbol_names_never_reach_numpy_source():
    s = sp.Symbol("a; import os")
    f = compile_exprs([2 * s + 1], [s], backend="numpy")
    assert f([3.0]).tolist() == [7.0]


def test_allowed_functions_compile_on_every_backend():
    exprs = [sp.exp(P) + sp.log(P) + sp.sqrt(P) + sp.Abs(P - 1) + sp.tanh(P), sp.Min(P, 1)]
    want = [np.exp(0.5) + np.log(0.5) + np.sqrt(0.5) + 0.5 + np.tanh(0.5), 0.5]
    for backend in sorted(BACKENDS):
        np.testing.assert_allclose(compile_exprs(exprs, [P], backend=backend)([0.5]), want,
                                   rtol=1e-12)


def test_normal_form_game_refuses_hostile_payoffs(payload):
    f, marker = payload
    p = sp.Symbol("a")
    with pytest.raises(ExpressionError, match="payoff"):
        normal_form_game([[[f.subs(P, p), 0], [3, 2]], [[4, 3], [0, 2]]], "direct",
                         payoff_symbols={p: 4})
    with pytest.raises(EqselectError, match="not allowed"):
        normal_form_game([[[sp.Symbol("a; import os"), 0], [3, 2]], [[4, 3], [0, 2]]],
                         "direct", payoff_symbols={sp.Symbol("a; import os"): 1})
    with pytest.raises(EqselectError, match="undeclared"):
        normal_form_game([[[sp.Symbol("a; import os"), 0], [3, 2]], [[4, 3], [0, 2]]], "direct")
    assert not marker.exists()
