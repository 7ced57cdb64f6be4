"""The field continued in: F(phi, p) and [D_phi F, D_p F], compiled once.

The continuation parameter p is the shaping coefficient lambda ("lam"), a
payoff symbol of the game, eta when the decomposition keeps it symbolic, or the
entropy temperature tau when the game carries it as a symbol
(``entropy_regularized(game, sympy.Symbol("tau"))``): its branches are the
quantal response equilibria of the regularised game, followed in tau.
Derivatives are exact (symengine), except for fields too large for that
(central differences, docs/limits.md); the compiled functions evaluate at one
point with p as the last argument (`eqselect.numerics.codegen`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import numpy as np
import sympy as sp

from eqselect.theory import Decomposition, GameError
from eqselect.theory.engine import to_engine
from eqselect.theory.rules import LAMBDA, Rule
from eqselect.numerics.rule_argument import require_rule

from eqselect.numerics.codegen import compile_exprs
from eqselect.numerics.differences import FLOAT_STEP, central_jacobian, differences_needed

_LAMBDA_NAMES = ("lam", "lambda")


@dataclass(frozen=True)
class ExtendedField:
    """F(phi, p) and its exact Jacobian [D_phi F, D_p F], compiled.

    Attributes
    ----------
    symbol : sympy.Symbol
        The continuation parameter p.
    parameter : str
        Its name as reported ("lam" for the shaping coefficient).
    exprs : tuple of symengine expressions
        F, aligned with the game's parameters, free in phi and p only.
    dim : int
        d.
    phi : tuple of sympy.Symbol
        The game's parameters, in the order of x.
    batch_field, batch_jacobian : callable
        The compiled F and [D_phi F, D_p F] on many points: ``(x, [p])`` with x of
        shape (n, d) -> (n, d) and (n, d * (d + 1)).
    jacobian_kind : {"exact", "central differences"}
        Exact (symengine), or by central differences of F for a field past
        `eqselect.numerics.differences.SYMBOLIC_JACOBIAN_OPS` (docs/limits.md).
    """

    symbol: sp.Symbol
    parameter: str
    exprs: tuple
    dim: int
    phi: tuple
    batch_field: object = field(repr=False)
    batch_jacobian: object = field(repr=False)
    jacobian_kind: str = "exact"

    @property
    def notes(self) -> tuple[str, ...]:
        """What a result computed with this field should say about its Jacobian."""
        if self.jacobian_kind == "exact":
            return ()
        return ("the field is too large for a compiled exact Jacobian: [D_phi F, D_p F] "
                "comes from central differences of F (about 10 correct digits; "
                "docs/limits.md)",)

    @property
    def label(self) -> str:
        """The parameter's name in notes: "lambda" for the shaping coefficient."""
        return note_name(self.parameter)

    def field(self, x, p: float) -> np.ndarray:
        """F(x, p); x shape (d,) -> shape (d,)."""
        return self.batch_field(np.asarray(x, dtype=float), [p])

    def jacobian(self, x, p: float) -> np.ndarray:
        """[D_phi F, D_p F] at (x, p), shape (d, d + 1)."""
        return self.batch_jacobian(np.asarray(x, dtype=float), [p]).reshape(self.dim, self.dim + 1)

    def at(self, value: float) -> "FieldAt":
        """The field at fixed p, batched (for Newton from many seeds)."""
        return FieldAt(self, float(value))


def note_name(parameter: str) -> str:
    """A continuation parameter's name in notes: "lambda" for "lam", else itself."""
    return "lambda" if parameter in _LAMBDA_NAMES else parameter


def parameter_symbol(dec: Decomposition, parameter: str) -> sp.Symbol:
    """The symbol continued in: lambda for "lam", else a payoff symbol, eta or a
    symbolic entropy temperature tau.

    Raises
    ------
    GameError
        For a name that is neither (the message lists the valid ones).
    """
    if parameter in _LAMBDA_NAMES:
        return LAMBDA
    free = {s.name: s for s in dec.game.payoff_symbols}
    if isinstance(dec.eta, sp.Symbol):
        free[dec.eta.name] = dec.eta
    if isinstance(dec.game.tau, sp.Symbol):  # a symbolic entropy temperature: QRE branches
        free[dec.game.tau.name] = dec.game.tau
    if parameter in free:
        return free[parameter]
    valid = ", ".join(["lam", *sorted(free)])
    raise GameError(f"cannot continue in {parameter!r}; valid parameters: {valid}")


def extended_field(dec: Decomposition, rule: Rule = Rule(), parameter: str = "lam",
                   backend: str = "llvm") -> ExtendedField:
    """Compile F(phi, p) and [D_phi F, D_p F] for continuation in ``parameter``.

    Parameters
    ----------
    dec : Decomposition
    rule : Rule
        Method and exact coefficients (`eqselect.theory.rules.resolve` makes
        one from what a user typed).
    parameter : str
        "lam" (the shaping coefficient lambda, kept as a symbol), a payoff
        symbol of the game (built with ``symbolic=True``; the other payoff
        symbols are set to their defaults) or "eta" when the decomposition
        keeps eta symbolic.

    Raises
    ------
    GameError
        Unknown parameter, or a symbol left without a value (symbolic eta).

    Examples
    --------
    >>> from eqselect.theory import Rule, builtin
    >>> ef = extended_field(Decomposition(builtin("stag-hunt", "direct"), eta=0.55),
    ...                     Rule("peer-only"))
    >>> ef.jacobian([0.0, 0.0], 0.0).round(12).tolist()
    [[0.0, 3.0, 1.65], [3.0, 0.0, 1.65]]
    """
    r = require_rule(rule, "extended_field")
    m, own_x = r.method, r.own_coef
    sym = parameter_symbol(dec, parameter)
    lam_x = LAMBDA if sym == LAMBDA else r.lam
    exprs = dec.field_engine(m, lam_x, own_x)
    subs = {to_engine(s): to_engine(v) for s, v in dec.game.payoff_symbols.items()
            if s != sym}
    if subs:
        exprs = [e.subs(subs) for e in exprs]
    if isinstance(dec.eta, sp.Symbol) and dec.eta != sym:
        raise GameError("the decomposition keeps eta symbolic; build "
                        "Decomposition(game, eta=...) with a number or continue in 'eta'")
    phi = [to_engine(s) for s in dec.game.parameters]
    se_sym = to_engine(sym)
    params = dec.game.parameters
    f = compile_exprs(exprs, params, params=[sym], backend=backend)
    name = "lam" if sym == LAMBDA else sym.name
    if differences_needed(exprs):  # a field too large for its exact Jacobian (docs/limits.md)
        return ExtendedField(sym, name, tuple(exprs), len(phi), tuple(params), f,
                             partial(_extended_differences, f, len(phi)),
                             "central differences")
    jac = [e.diff(v) for e in exprs for v in [*phi, se_sym]]
    J = compile_exprs(jac, params, params=[sym], backend=backend)
    return ExtendedField(sym, name, tuple(exprs), len(phi), tuple(params), f, J)


def _extended_differences(f, d: int, x, p) -> np.ndarray:
    """[D_phi F, D_p F] by central differences: shape (n, d * (d + 1)), rows of F first."""
    x = np.atleast_2d(np.asarray(x, dtype=float))
    p = float(np.asarray(p, dtype=float).reshape(-1)[0])
    d_phi = central_jacobian(lambda y: f(y, [p]), x)                    # (n, d, d)
    h = FLOAT_STEP * max(1.0, abs(p))
    d_p = (f(x, [p + h]) - f(x, [p - h])) / ((p + h) - (p - h))          # (n, d)
    return np.concatenate([d_phi, d_p[:, :, None]], axis=2).reshape(len(x), d * (d + 1))


@dataclass(frozen=True)
class FieldAt:
    """F(., p) and D_phi F(., p) at one value of p, on many points at once.

    ``field(x)``: x shape (n, d) -> (n, d); ``jacobian(x)`` -> (n, d, d).
    """

    system: ExtendedField
    value: float

    def field(self, x) -> np.ndarray:
        """F(x, p) for every row of x."""
        return self.system.batch_field(np.atleast_2d(np.asarray(x, dtype=float)), [self.value])

    def jacobian(self, x) -> np.ndarray:
        """D_phi F(x, p) for every row of x."""
        x = np.atleast_2d(np.asarray(x, dtype=float))
        d = self.system.dim
        return self.system.batch_jacobian(x, [self.value]).reshape(len(x), d, d + 1)[:, :, :d]


__all__ = ["ExtendedField", "FieldAt", "extended_field", "note_name", "parameter_symbol"]
