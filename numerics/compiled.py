"""Compiled fields and Jacobians of a `Decomposition`.

A `CompiledField` evaluates one method's update direction F(phi) and its
Jacobian DF(phi) at many points at once, generated from the exact field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from eqselect.theory import Decomposition, Method
from eqselect.theory.exact import to_exact
from eqselect.numerics.codegen import compile_exprs


@dataclass(frozen=True)
class CompiledField:
    """F and DF of one method at fixed coefficients, vectorised.

    Attributes
    ----------
    method : Method
    lam, own_coef : float
    field : callable
        ``field(x)``: x shape (n, d) -> F shape (n, d).
    jacobian : callable
        ``jacobian(x)``: x shape (n, d) -> DF shape (n, d, d).
    """

    method: Method
    lam: float
    own_coef: float
    dim: int
    field: Callable[[np.ndarray], np.ndarray]
    jacobian: Callable[[np.ndarray], np.ndarray]


def compile_field(dec: Decomposition, method="pg", lam=1.5, own_coef=0.35,
                  backend: str = "llvm") -> CompiledField:
    """Compile a method's field and Jacobian at numeric coefficients.

    The decomposition's eta and every payoff symbol must have values:
    build ``Decomposition(game.substitute(), eta=0.55)`` first.

    Raises
    ------
    ValueError
        When a symbol other than the parameters is left free.
    """
    m = Method.parse(method)
    lam_x, own_x = to_exact(lam, "lambda"), to_exact(own_coef, "own coefficient")
    exprs = dec.field_engine(m, lam_x, own_x)
    d = len(exprs)
    f = compile_exprs(exprs, dec.game.parameters, backend=backend)
    cache = {}

    def field(x):
        return f(x)

    def jacobian(x):
        # compiled on first use: for large games (the IPD) the Jacobian of a
        # shaped field holds third derivatives of J and costs far more than F
        if "J" not in cache:
            jac = [e for row in dec.jacobian_engine(m, lam_x, own_x) for e in row]
            cache["J"] = compile_exprs(jac, dec.game.parameters, backend=backend)
        out = cache["J"](x)
        return out.reshape(out.shape[:-1] + (d, d))

    return CompiledField(m, float(lam_x), float(own_x), d, field, jacobian)


def compile_components(dec: Decomposition, backend: str = "llvm") -> Callable:
    """All five components at once: ``f(x)`` -> shape (n, 5, d) in COMPONENTS order."""
    from eqselect.theory import COMPONENTS

    exprs = [e for name in COMPONENTS for e in dec._parts[name]]
    d = len(dec.game.parameters)
    f = compile_exprs(exprs, dec.game.parameters, backend=backend)

    def components(x):
        out = f(x)
        return out.reshape(out.shape[:-1] + (len(COMPONENTS), d))

    return components


def field_at_precision(dec: Decomposition, method="pg", lam=1.5, own_coef=0.35, x=(),
                       dps: int = 50) -> list:
    """F(x) in mpmath at ``dps`` digits (x as strings or exact numbers keeps it exact).

    Examples
    --------
    >>> import sympy as sp
    >>> from eqselect.theory import builtin
    >>> dec = Decomposition(builtin("stag-hunt", "logit"))
    >>> [abs(v) < 1e-45 for v in field_at_precision(dec, "pg", x=[sp.log(2), sp.log(2)])]
    [True, True]
    """
    from eqselect.numerics.codegen import compile_mpmath

    m = Method.parse(method)
    exprs = dec.field_engine(m, to_exact(lam, "lambda"), to_exact(own_coef, "own coefficient"))
    return compile_mpmath(exprs, dec.game.parameters, dps=dps)(list(x))


def field_exact(dec: Decomposition, method="pg", lam=1.5, own_coef=0.35, point=()) -> list:
    """F at an exact point, exactly (sympy numbers).

    Examples
    --------
    >>> import sympy as sp
    >>> from eqselect.theory import builtin
    >>> dec = Decomposition(builtin("stag-hunt", "direct"), eta=sp.Rational(11, 20))
    >>> field_exact(dec, "peer-only", 1.5, point=[0, 0])
    [19/40, 19/40]
    """
    from eqselect.numerics.codegen import evaluate_exact

    m = Method.parse(method)
    exprs = dec.field_engine(m, to_exact(lam, "lambda"), to_exact(own_coef, "own coefficient"))
    return evaluate_exact(exprs, dec.game.parameters, [to_exact(v) for v in point])
