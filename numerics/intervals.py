"""Interval (ball) arithmetic for fields and Jacobians, on python-flint's arb.

The checks of :mod:`eqselect.proofs_check` need *enclosures*: for exact
expressions f (the components of a game's field, their Jacobians, products
such as <peer, grad W>) and a box X, an interval that provably contains
f(x) for every x in X. This module evaluates sympy expressions in ball
arithmetic (docs/alignment.md, "Certification").

Why arb (python-flint) rather than ``mpmath.iv``: arb's balls carry a
rigorous error bound for every elementary function (exp, log, powers) at
any working precision, it is implemented in C (an expression tree with a
few hundred nodes is evaluated on a box in tens of microseconds, which makes
subdivision to thousands of boxes affordable), and ``acb_mat.eig`` returns
certified eigenvalue enclosures. ``mpmath.iv`` is pure Python and has no
certified eigen-solver.

An expression is compiled once (`IntervalFunction`): common subexpressions
are eliminated and the tree is walked with arb operations. Rationals enter
as ``fmpq`` balls at the working precision (11/20 is never rounded to the
double 0.55 first).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Sequence

import symengine as se
import sympy as sp
from flint import acb_mat, arb, ctx, fmpq

from eqselect.theory import engine
from eqselect.theory.errors import GameError

#: Working precision (bits) of every enclosure in this module.
PRECISION = 128


@contextmanager
def working_precision(bits: int = PRECISION):
    """Run a block at ``bits`` of arb precision (restored afterwards)."""
    old = ctx.prec
    ctx.prec = bits
    try:
        yield
    finally:
        ctx.prec = old


def to_arb(x) -> arb:
    """A ball holding ``x`` exactly when it is a rational or a float.

    Examples
    --------
    >>> str(to_arb(sp.Rational(1, 4)))
    '0.250000000000000'
    """
    if isinstance(x, arb):
        return x
    if isinstance(x, (sp.Integer, int)):
        return arb(int(x))
    if isinstance(x, sp.Rational):
        return arb(fmpq(int(x.p), int(x.q)))
    if isinstance(x, sp.Basic):
        return IntervalFunction([x], [])([])[0]
    return arb(float(x))


def ball(lower, upper) -> arb:
    """The ball [lower, upper] (outward rounded)."""
    lo, hi = to_arb(lower), to_arb(upper)
    mid = (lo + hi) / 2
    return arb(mid.mid(), ((hi - lo) / 2).upper() + mid.rad())


def box(lower: Sequence, upper: Sequence) -> list:
    """A box as a list of balls."""
    return [ball(a, b) for a, b in zip(lower, upper)]


def bounds(x: arb) -> tuple[float, float]:
    """(lower, upper) of a ball as floats, rounded outward."""
    lo, hi = x.lower(), x.upper()
    return float(lo) - abs(float(lo)) * 2e-16, float(hi) + abs(float(hi)) * 2e-16


_FUNCTIONS = {sp.exp: "exp", sp.log: "log", sp.sqrt: "sqrt", sp.tanh: "tanh",
              sp.sin: "sin", sp.cos: "cos", sp.Abs: "__abs__"}


class IntervalFunction:
    """Sympy expressions compiled for evaluation on boxes of balls.

    Parameters
    ----------
    exprs : sequence of sympy.Expr or symengine.Basic
        Common subexpressions are found by symengine on the shared graph
        (sympy's tree walk of a large field, e.g. the IPD's, takes minutes);
        the reduced pieces are walked as sympy expressions.
    symbols : sequence of sympy.Symbol
        Argument order of the call.

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> f = IntervalFunction([x**2 - 2 * x], [x])
    >>> lo, hi = bounds(f(box([0], [1]))[0])
    >>> lo <= -1 and hi >= 0
    True
    """

    def __init__(self, exprs: Sequence, symbols: Sequence):
        self.symbols = tuple(symbols)
        exprs = [e if isinstance(e, se.Basic) else engine.to_sympy(e) for e in exprs]
        names = {str(x) for x in self.symbols}
        try:  # symengine walks the shared graph; sympy's tree walk of a large field takes minutes
            graph = [engine.to_engine(e) for e in exprs]
            extra = {str(x) for e in graph for x in e.free_symbols} - names
            if not extra:
                reps, reduced = se.cse(graph)
                self._subs = [(engine.to_sympy(a), engine.to_sympy(b)) for a, b in reps]
                self._exprs = [engine.to_sympy(e) for e in reduced]
        except (RuntimeError, TypeError, NotImplementedError, se.SympifyError):  # a form
            # symengine lacks (CRootOf, the exact eigenvalues of a 3x3 Jacobian)
            exprs = [engine.to_sympy(e) for e in exprs]
            extra = {str(x) for e in exprs for x in e.free_symbols} - names
            if not extra:
                self._subs, self._exprs = sp.cse(exprs, optimizations=None)
        if extra:
            raise GameError(f"interval evaluation needs values for {sorted(extra)}")

    def __call__(self, point: Sequence) -> list:
        """Enclosures of every expression on the box ``point`` (balls or numbers)."""
        env = {s: to_arb(x) for s, x in zip(self.symbols, point)}
        for sym, expr in self._subs:
            env[sym] = _walk(expr, env)
        return [_walk(e, env) for e in self._exprs]


def _walk(e, env):
    if e in env:
        return env[e]
    if e.is_Rational:
        return to_arb(e)
    if e.is_Add:
        out = arb(0)
        for a in e.args:
            out = out + _walk(a, env)
        return out
    if e.is_Mul:
        out = arb(1)
        for a in e.args:
            out = out * _walk(a, env)
        return out
    if e.is_Pow:
        base, ex = _walk(e.args[0], env), e.args[1]
        if ex.is_Integer:
            n = int(ex)
            return base ** n if n >= 0 else 1 / base ** (-n)
        if ex == sp.S.Half:
            return base.sqrt()
        return base ** _walk(ex, env)
    if e is sp.E:
        return arb(1).exp()
    if e is sp.pi:
        return arb.pi()
    if e.is_Float:
        return arb(float(e))
    fn = _FUNCTIONS.get(e.func)
    if fn is None:
        raise GameError(f"no interval form for {e.func.__name__} in {e}")
    return getattr(_walk(e.args[0], env), fn)()


def interval_matrix(rows) -> list[list[arb]]:
    """A nested list of balls (the enclosure of a matrix)."""
    return [[to_arb(x) for x in row] for row in rows]


def symmetric_part(m: list[list[arb]]) -> list[list[arb]]:
    """sym(A) = (A + A^T) / 2 of an interval matrix."""
    d = len(m)
    return [[(m[i][j] + m[j][i]) / 2 for j in range(d)] for i in range(d)]


def lambda_max_enclosure(sym: list[list[arb]]) -> arb:
    """A ball holding lambda_max(A) for every symmetric A in the interval matrix.

    Steps: (1) certified eigenvalues of the midpoint matrix (``acb_mat.eig``,
    Gershgorin discs when eig cannot separate them); (2) Weyl's inequality
    |lambda_max(A) - lambda_max(mid)| <= ||A - mid||_2 <= ||rad||_F.

    Examples
    --------
    >>> e = lambda_max_enclosure(interval_matrix([[2, 1], [1, 2]]))
    >>> e.contains(3)
    True
    """
    d = len(sym)
    mid = [[arb(x.mid()) for x in row] for row in sym]
    spread = arb(0)
    for row in sym:
        for x in row:
            spread += arb(x.rad()) ** 2
    spread = spread.sqrt()
    top = _lambda_max_point(mid, d)
    return arb(top.mid(), (top.rad() + spread).upper())


def _lambda_max_point(mid, d) -> arb:
    if d == 1:
        return mid[0][0]
    if d == 2:
        a, b, c = mid[0][0], mid[0][1], mid[1][1]
        return (a + c) / 2 + (((a - c) / 2) ** 2 + b * b).sqrt()
    try:
        reals = [bounds(z.real) for z in acb_mat(mid).eig()]
        return ball(max(r[0] for r in reals), max(r[1] for r in reals))
    except (ValueError, ZeroDivisionError):
        # Gershgorin: lambda_max <= max_i (a_ii + sum_j |a_ij|); >= max_i a_ii
        upper = max(float((mid[i][i] + sum(abs(mid[i][j]) for j in range(d) if j != i)).upper())
                    for i in range(d))
        lower = max(float(mid[i][i].lower()) for i in range(d))
        return ball(lower, upper)
