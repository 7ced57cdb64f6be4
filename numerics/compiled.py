"""Compiled fields and Jacobians of a `Decomposition`.

A `CompiledField` evaluates one rule's update direction F(phi) and its
Jacobian DF(phi) at many points at once, generated from the exact field.
SOS, whose shaping weight p is chosen pointwise, compiles its exact pieces
(v, cur + la, peer) and applies :func:`eqselect.theory.rules.sos_weight`
to every point; its Jacobian is that of the active piece (docs/rules.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Callable

import numpy as np

from eqselect.theory import Decomposition, Method, engine
from eqselect.theory.exact import to_exact
from eqselect.theory.rules import Rule, sos_weight
from eqselect.numerics.rule_argument import require_rule
from eqselect.numerics.codegen import compile_exprs
from eqselect.numerics.differences import central_jacobian, differences_needed


@dataclass(frozen=True)
class CompiledField:
    """F and DF of one rule at fixed coefficients, vectorised.

    Attributes
    ----------
    method : Method
    lam, own_coef : float
    field : callable
        ``field(x)``: x shape (n, d) -> F shape (n, d).
    jacobian : callable
        ``jacobian(x)``: x shape (n, d) -> DF shape (n, d, d).
    rule : Rule
        The rule with its exact coefficients.
    jacobian_kind : {"exact", "central differences"}
        How DF is evaluated: compiled from the exact Jacobian, or, for a
        field past `eqselect.numerics.differences.SYMBOLIC_JACOBIAN_OPS`,
        by central differences of F (about 10 correct digits).
    """

    method: Method
    lam: float
    own_coef: float
    dim: int
    field: Callable[[np.ndarray], np.ndarray]
    jacobian: Callable[[np.ndarray], np.ndarray]
    rule: Rule | None = None
    jacobian_kind: str = "exact"


def compile_field(dec: Decomposition, rule: Rule = Rule(),
                  backend: str = "llvm") -> CompiledField:
    """Compile a rule's field and Jacobian at numeric coefficients.

    Parameters
    ----------
    dec : Decomposition
        Its eta and every payoff symbol must have values: build
        ``Decomposition(game.substitute(), eta=PAPER.eta)`` first.
    rule : Rule
        Method and exact coefficients (`eqselect.theory.rules.resolve` makes
        one from a name).
    backend : str
        See :mod:`eqselect.numerics.codegen`.

    Raises
    ------
    ValueError
        When a symbol other than the parameters is left free.
    OptionsError
        When ``rule`` is not a `Rule`.
    """
    r = require_rule(rule, "compile_field")
    kind = "exact"
    if r.spec.adaptive:
        field, jacobian = _sos_functions(dec, r, backend)
    elif differences_needed(dec.field_engine(r)):
        field = compile_exprs(dec.field_engine(r), dec.game.parameters, backend=backend)
        jacobian, kind = partial(central_jacobian, field), "central differences"
    else:
        field, jacobian = _linear_functions(dec, r, backend)
    return CompiledField(r.method, float(r.lam), float(r.own_coef), len(dec.parameters),
                         field, jacobian, r, kind)


def _linear_functions(dec: Decomposition, r: Rule, backend: str):
    exprs = dec.field_engine(r)
    d = len(exprs)
    f = compile_exprs(exprs, dec.game.parameters, backend=backend)
    cache = {}

    def jacobian(x):
        # compiled on first use: for large games (the IPD) the Jacobian of a
        # shaped field holds third derivatives of J and costs far more than F
        if "J" not in cache:
            jac = [e for row in dec.jacobian_engine(r) for e in row]
            cache["J"] = compile_exprs(jac, dec.game.parameters, backend=backend)
        out = cache["J"](x)
        return out.reshape(out.shape[:-1] + (d, d))

    return f, jacobian


class _NumpyOps:
    """`sos_weight`'s branching, vectorised over points."""

    where = staticmethod(np.where)
    minimum = staticmethod(np.minimum)


def _sos_pieces(dec: Decomposition) -> list:
    """[v, u = cur + la, s = peer] stacked, as symengine expressions."""
    v, la, s = (dec.term_engine(k) for k in ("cur", "lookahead", "peer"))
    return v + [a + b for a, b in zip(v, la)] + s


def _sos_functions(dec: Decomposition, r: Rule, backend: str):
    d = len(dec.parameters)
    pieces = _sos_pieces(dec)
    f = compile_exprs(pieces, dec.game.parameters, backend=backend)
    a, b = float(r.sos_a), float(r.sos_b)
    cache = {}

    def split(x):
        out = f(x)
        return out[..., :d], out[..., d:2 * d], out[..., 2 * d:]

    def weight(v, u, s):
        return sos_weight(np.sum(v * v, -1), np.sum(u * u, -1), np.sum(s * u, -1),
                          a, b, _NumpyOps)

    def field(x):
        v, u, s = split(x)
        return u + weight(v, u, s)[..., None] * s

    def jacobian(x):
        if "J" not in cache:
            jac = [e for row in engine.jacobian(pieces, dec.parameters_engine()) for e in row]
            cache["J"] = compile_exprs(jac, dec.game.parameters, backend=backend)
        out = cache["J"](x)
        D = out.reshape(out.shape[:-1] + (3 * d, d))
        Dv, Du, Ds = D[..., :d, :], D[..., d:2 * d, :], D[..., 2 * d:, :]
        v, u, s = split(x)
        p = weight(v, u, s)
        grad_p = _sos_weight_gradient(v, u, s, Dv, Du, Ds, p, a, b)
        return Du + p[..., None, None] * Ds + s[..., :, None] * grad_p[..., None, :]

    return field, jacobian


def _sos_weight_gradient(v, u, s, Dv, Du, Ds, p, a, b):
    """grad p of the active branch of `sos_weight` (0 where p = 1).

    p = ||v||^2 gives 2 Dv^T v; p = -a ||u||^2 / <s, u> gives
    -a (2 Du^T u <s, u> - ||u||^2 (Ds^T u + Du^T s)) / <s, u>^2. At a switch
    of branch p is not differentiable and the branch chosen first is used.
    """
    v_sq, u_sq, dot = np.sum(v * v, -1), np.sum(u * u, -1), np.sum(s * u, -1)
    tu = lambda M, w: np.einsum("...rc,...r->...c", M, w)  # noqa: E731  M^T w
    on_p2 = (v_sq < b * b) & (p == v_sq)
    safe = np.where(dot < 0, dot, -1.0)
    on_p1 = ~on_p2 & (dot < 0) & (p < 1)
    g2 = 2 * tu(Dv, v)
    g1 = -a * (2 * tu(Du, u) * safe[..., None]
               - u_sq[..., None] * (tu(Ds, u) + tu(Du, s))) / (safe ** 2)[..., None]
    return np.where(on_p2[..., None], g2, np.where(on_p1[..., None], g1, 0.0))


def compile_components(dec: Decomposition, backend: str = "llvm") -> Callable:
    """All five components at once: ``f(x)`` -> shape (n, 5, d) in COMPONENTS order."""
    from eqselect.theory import COMPONENTS

    exprs = [e for name in COMPONENTS for e in dec.term_engine(name)]
    d = len(dec.game.parameters)
    f = compile_exprs(exprs, dec.game.parameters, backend=backend)

    def components(x):
        out = f(x)
        return out.reshape(out.shape[:-1] + (len(COMPONENTS), d))

    return components


def field_at_precision(dec: Decomposition, rule: Rule = Rule(), x=(), dps: int = 50) -> list:
    """F(x) in mpmath at ``dps`` digits (x as strings or exact numbers keeps it exact).

    ``rule`` is a `Rule`; SOS applies its weight p to the mpmath values of
    its pieces.

    Examples
    --------
    >>> import sympy as sp
    >>> from eqselect.theory import builtin
    >>> dec = Decomposition(builtin("stag-hunt", "logit"))
    >>> [abs(v) < 1e-45 for v in field_at_precision(dec, Rule("pg"), x=[sp.log(2), sp.log(2)])]
    [True, True]
    """
    from eqselect.numerics.codegen import compile_mpmath

    r = require_rule(rule, "field_at_precision")
    if not r.spec.adaptive:
        return compile_mpmath(dec.field_engine(r), dec.game.parameters, dps=dps)(list(x))
    d = len(dec.parameters)
    out = compile_mpmath(_sos_pieces(dec), dec.game.parameters, dps=dps)(list(x))
    v, u, s = out[:d], out[d:2 * d], out[2 * d:]
    p = sos_weight(sum(t * t for t in v), sum(t * t for t in u),
                   sum(t * w for t, w in zip(s, u)), r.sos_a, r.sos_b)
    return [t + p * w for t, w in zip(u, s)]


def field_exact(dec: Decomposition, rule: Rule = Rule(), point=()) -> list:
    """F at an exact point, exactly (sympy numbers; SOS with p applied exactly).

    Examples
    --------
    >>> import sympy as sp
    >>> from eqselect.theory import builtin
    >>> dec = Decomposition(builtin("stag-hunt", "direct"), eta=sp.Rational(11, 20))
    >>> field_exact(dec, Rule("peer-only", 1.5), point=[0, 0])
    [19/40, 19/40]
    """
    from eqselect.numerics.codegen import evaluate_exact

    r = require_rule(rule, "field_exact")
    if r.spec.adaptive:
        return dec.field_at(r, point)
    exprs = dec.field_engine(r)
    return evaluate_exact(exprs, dec.game.parameters, [to_exact(v) for v in point])

