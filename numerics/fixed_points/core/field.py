"""The field whose zeros are sought: the rule, its checks, and its evaluators.

A fixed-point search solves F(phi) = 0 for the field F of one learning rule
(``Decomposition.field``, docs/theory.md). This module turns the caller's rule
into one `Rule`, checks that F has numbers for every symbol but the
parameters, and gives F and DF two ways:

- `MpField`: mpmath at the current precision (Newton polish, the Jacobian of
  a free-region root), generated once by `eqselect.numerics.codegen`;
- `SymbolicField`: exact sympy values (signs of normal-cone multipliers on
  the faces of the direct parameterisation) and a float Jacobian;
- `AffineField`: the same for an affine field F = A phi + c with rational
  A and c (every two-agent normal-form game), in Python Fractions, with
  the constant Jacobian A and an exact Nash check in Fractions.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from eqselect.theory import Decomposition, GameError, RegionKind
from eqselect.theory.engine import to_sympy
from eqselect.theory.rules import Rule
from eqselect.numerics.rule_argument import require_rule

from eqselect.numerics.codegen import mpmath_function
from eqselect.numerics.differences import differences_needed, mp_central_jacobian


def numeric_rule(dec: Decomposition, rule: Rule) -> Rule:
    """Check that the rule's field has numbers for every symbol but the parameters.

    Raises
    ------
    GameError
        Naming the symbols left without a value.
    """
    loose = set()
    for e in dec.field_engine(rule):
        loose |= {str(s) for s in e.free_symbols}
    loose -= {str(s) for s in dec.game.parameters}
    if loose:
        raise GameError(f"the field has symbols with no value: {', '.join(sorted(loose))}; "
                        "substitute payoffs and give eta a value")
    return rule


def free_region_rule(dec: Decomposition, rule: Rule = Rule()) -> Rule:
    """`numeric_rule` for a game on R^d (logit, softmax, continuous).

    Raises
    ------
    GameError
        When the region is not FREE or a symbol is left without a value.
    """
    game = dec.game
    if game.region.kind is not RegionKind.FREE:
        raise GameError(f"Newton fixed points need parameters on R^d (logit, softmax or "
                        f"continuous); game {game.name!r} has region {game.region.kind.value!r}")
    return numeric_rule(dec, require_rule(rule, "free_region_rule"))


class MpField:
    """F and DF of one rule as mpmath functions (exact coefficients).

    Parameters
    ----------
    dec : Decomposition
    rule : Rule
        Method and exact coefficients (`eqselect.theory.rules.resolve` makes
        one from what a user typed).

    Attributes
    ----------
    game : Game
    symbols : tuple of sympy.Symbol
    field_expr : sympy.Matrix, shape (d, 1)
    dim : int
    jacobian_kind : {"exact", "central differences"}
        How `jacobian` is evaluated (`eqselect.numerics.differences`).
    """

    def __init__(self, dec: Decomposition, rule: Rule = Rule()):
        r = require_rule(rule, "MpField")
        self.game = dec.game
        self.symbols = dec.game.parameters
        self.field_expr = dec.field(r)
        d = len(self.symbols)
        exprs = dec.field_engine(r)
        self._f = mpmath_function(exprs, self.symbols)
        self.dim = d
        self._j = None
        self.jacobian_kind = "central differences" if differences_needed(exprs) else "exact"
        if self.jacobian_kind == "exact":
            jac = dec.jacobian_engine(r)
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


class AffineField:
    """The `SymbolicField` of an affine F = A phi + c with rational A and c, in Fractions.

    Parameters
    ----------
    game : Game
    A : list of list of Fraction, shape (d, d)
    c : list of Fraction, shape (d,)

    ``F`` (sympy, expanded) is built from A and c when first asked for.

    At a rational point (ints, Fractions, sympy Rationals) ``values`` is
    exact in Fractions, ``jacobian`` is A in floats (DF is constant), and
    ``exact_strategies`` / ``nash`` give the strategies and the Nash check
    in Fractions (`is_nash_rational`), when the game's strategies are
    affine in the parameters and its payoffs rational; at any other point
    the sympy evaluation of `SymbolicField` is used.
    """

    def __init__(self, game, A, c):
        self.game, self.symbols = game, game.parameters
        self.A, self.c = A, c
        self._F = None
        self._J = np.array([[float(x) for x in row] for row in A])
        self._strategy_rows = self._tables = None

    @property
    def F(self) -> list:
        """The field's components as expanded sympy expressions."""
        if self._F is None:
            def q(x):
                return sp.Rational(x.numerator, x.denominator)

            self._F = [sp.Add(*(q(a) * s for a, s in zip(row, self.symbols) if a), q(ci))
                       for row, ci in zip(self.A, self.c)]
        return self._F

    def values(self, at) -> list:
        """F at ``at``: Fractions at a rational point, else exact sympy values."""
        x = _fractions(at)
        if x is None:
            return [e.xreplace(dict(zip(self.symbols, at))) for e in self.F]
        return [sum((a * v for a, v in zip(row, x) if a and v), ci)
                for row, ci in zip(self.A, self.c)]

    def jacobian(self, at) -> np.ndarray:
        """DF = A, in double precision."""
        return self._J.copy()

    def exact_strategies(self, at):
        """Each agent's strategy at a rational point in Fractions, or None."""
        x = _fractions(at)
        if x is None or not self._strategies_are_affine():
            return None
        return tuple(tuple(sum((a * v for a, v in zip(row, x) if a), c0) for row, c0 in block)
                     for block in self._strategy_rows)

    def nash(self, strategies) -> bool | None:
        """The exact Nash check in Fractions (None: payoffs not all rational)."""
        from eqselect.numerics.fixed_points.core.nash_check import is_nash_rational

        if self._tables is None:
            self._tables = _rational_tables(self.game.payoffs) or False
        if not self._tables or self.game.states != 1:
            return None
        return is_nash_rational(self._tables, strategies)

    def _strategies_are_affine(self) -> bool:
        if self._strategy_rows is None:
            from eqselect.numerics.fixed_points.core.affine_forms import affine_in

            blocks = []
            for block in self.game.strategies:
                rows = affine_in(list(block), list(self.symbols))
                if rows is None or any(not isinstance(v, Fraction)
                                       for r, c0 in rows for v in (*r, c0)):
                    blocks = False
                    break
                blocks.append([(r, c0) for r, c0 in rows])
            self._strategy_rows = blocks
        return bool(self._strategy_rows)


def _fractions(at):
    """The point in Fractions when every coordinate is rational, else None."""
    out = []
    for v in at:
        if isinstance(v, (int, Fraction)):
            out.append(Fraction(v))
        elif isinstance(v, sp.Rational):
            out.append(Fraction(int(v.p), int(v.q)))
        else:
            return None
    return out


def _rational_tables(obj):
    """Nested payoff tables in Fractions, or None when an entry is not rational."""
    if isinstance(obj, (list, tuple)):
        out = [_rational_tables(o) for o in obj]
        return None if any(o is None for o in out) else out
    if isinstance(obj, (int, Fraction)):
        return Fraction(obj)
    x = obj if isinstance(obj, sp.Basic) else to_sympy(obj)
    return Fraction(int(x.p), int(x.q)) if x.is_Rational else None


__all__ = ["AffineField", "MpField", "SymbolicField", "free_region_rule", "numeric_rule"]
