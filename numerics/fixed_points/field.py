"""The field whose zeros are sought: the rule, its checks, and its evaluators.

A fixed-point search solves F(phi) = 0 for the field F of one learning rule
(``Decomposition.field``, docs/theory.md). This module turns the caller's rule
into one `Rule`, checks that F has numbers for every symbol but the
parameters, and gives F and DF two ways:

- `MpField`: mpmath at the current precision (Newton polish, the Jacobian of
  a free-region root), generated once by `eqselect.numerics.codegen`;
- `SymbolicField`: exact sympy values (signs of normal-cone multipliers on
  the faces of the direct parameterisation) and a float Jacobian.
"""

from __future__ import annotations

import mpmath
import numpy as np

from eqselect.theory import Decomposition, GameError, RegionKind
from eqselect.theory.rules import Rule, as_rule

from eqselect.numerics.codegen import mpmath_function
from eqselect.numerics.differences import differences_needed, mp_central_jacobian


def resolve_rule(rule="pg", lam=None, own_coef=None) -> Rule:
    """One `Rule` from a Rule, Method or method name, with explicit overrides.

    ``lam`` and ``own_coef`` (when not None) replace the rule's own values,
    so old calls ``f(dec, "peer-only", lam=0.5)`` keep their meaning.

    Examples
    --------
    >>> resolve_rule("peer-only", lam=0.5).describe()
    'peer-only, lambda = 1/2'
    """
    r = as_rule(rule)
    changes = {k: v for k, v in (("lam", lam), ("own_coef", own_coef)) if v is not None}
    return r.with_(**changes) if changes else r


def numeric_rule(dec: Decomposition, rule: Rule) -> Rule:
    """Check that the rule's field has numbers for every symbol but the parameters.

    Raises
    ------
    GameError
        Naming the symbols left without a value.
    """
    loose = set()
    for e in dec.field_engine(rule.method, rule.lam, rule.own_coef):
        loose |= {str(s) for s in e.free_symbols}
    loose -= {str(s) for s in dec.game.parameters}
    if loose:
        raise GameError(f"the field has symbols with no value: {', '.join(sorted(loose))}; "
                        "substitute payoffs and give eta a value")
    return rule


def free_region_rule(dec: Decomposition, rule="pg", lam=None, own_coef=None) -> Rule:
    """`resolve_rule` plus `numeric_rule` for a game on R^d (logit, softmax, continuous).

    Raises
    ------
    GameError
        When the region is not FREE or a symbol is left without a value.
    """
    game = dec.game
    if game.region.kind is not RegionKind.FREE:
        raise GameError(f"Newton fixed points need parameters on R^d (logit, softmax or "
                        f"continuous); game {game.name!r} has region {game.region.kind.value!r}")
    return numeric_rule(dec, resolve_rule(rule, lam, own_coef))


class MpField:
    """F and DF of one rule as mpmath functions (exact coefficients).

    Parameters
    ----------
    dec : Decomposition
    rule : Rule, Method or str
    lam, own_coef : number, optional
        Override the rule's coefficients (converted exactly).

    Attributes
    ----------
    game : Game
    symbols : tuple of sympy.Symbol
    field_expr : sympy.Matrix, shape (d, 1)
    dim : int
    jacobian_kind : {"exact", "central differences"}
        How `jacobian` is evaluated (`eqselect.numerics.differences`).
    """

    def __init__(self, dec: Decomposition, rule="pg", lam=None, own_coef=None):
        r = resolve_rule(rule, lam, own_coef)
        self.game = dec.game
        self.symbols = dec.game.parameters
        self.field_expr = dec.field(r.method, r.lam, r.own_coef)
        d = len(self.symbols)
        exprs = dec.field_engine(r.method, r.lam, r.own_coef)
        self._f = mpmath_function(exprs, self.symbols)
        self.dim = d
        self._j = None
        self.jacobian_kind = "central differences" if differences_needed(exprs) else "exact"
        if self.jacobian_kind == "exact":
            jac = dec.jacobian_engine(r.method, r.lam, r.own_coef)
            self._j = mpmath_function([e for row in jac for e in row], self.symbols)

    def field(self, x) -> mpmath.matrix:
        """F(x) as an mpmath column at the current precision."""
        return mpmath.matrix([mpmath.mpf(v) for v in self._f(*[mpmath.mpf(c) for c in x])])

    values = field

    def jacobian(self, x) -> mpmath.matrix:
        """DF(x) as a d x d mpmath matrix at the current precision.

        Exact for a field up to `SYMBOLIC_JACOBIAN_OPS` operations; past it
        central differences at the current precision (``jacobian_kind``).
        """
        if self._j is None:
            return mp_central_jacobian(self.field, x)
        flat = self._j(*[mpmath.mpf(c) for c in x])
        d = self.dim
        return mpmath.matrix([[mpmath.mpf(flat[r * d + c]) for c in range(d)] for r in range(d)])


class SymbolicField:
    """F exactly (sympy) and DF in floats, for points of the direct parameterisation.

    Parameters
    ----------
    game : Game
    F : list of sympy.Expr, length d
    DF : sympy.Matrix, shape (d, d)
    """

    def __init__(self, game, F, DF):
        self.game, self.symbols, self.F, self.DF = game, game.parameters, F, DF

    def values(self, at) -> list:
        """F at ``at`` (exact in, exact out)."""
        sub = dict(zip(self.symbols, at))
        return [e.xreplace(sub) for e in self.F]

    def jacobian(self, at) -> np.ndarray:
        """DF at ``at`` in double precision (evaluated at 30 digits)."""
        sub = dict(zip(self.symbols, at))
        return np.array(self.DF.xreplace(sub).evalf(30).tolist(), dtype=complex).real


__all__ = ["MpField", "SymbolicField", "free_region_rule", "numeric_rule", "resolve_rule"]
