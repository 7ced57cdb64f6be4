"""Weights chosen pointwise: SOS's shaping weight p and SGA's alignment sign.

SOS (Letcher et al. 2019) weighs LOLA's shaping term by p = min(p1, p2)
(`sos_weight`); SGA with alignment (Balduzzi et al. 2018) takes the sign of
lambda from the Hamiltonian's gradient (`sga_sign`). Both are written once
here for three kinds of numbers: exact (python or sympy numbers,
`EXACT_OPS`, or `Shadowed` numbers that decide comparisons by interval
arithmetic first), symbolic (sympy Piecewise, `SYMBOLIC_OPS`) and vectorised
(numpy, supplied by the numerics). docs/rules.md states both rules.
"""

from __future__ import annotations

import operator
from contextlib import contextmanager
from dataclasses import dataclass

import mpmath
import sympy as sp

#: SGA's alignment constant epsilon (Balduzzi et al. 2018, Algorithm 1).
SGA_EPSILON = sp.Rational(1, 10)


@dataclass(frozen=True)
class SosConstants:
    """SOS's constants a, b in (0, 1) (Letcher et al. 2019; docs/rules.md).

    a bounds how far the shaping term may turn the LookAhead direction
    (<SOS, u> >= (1 - a) ||u||^2); below ||v|| = b the weight is at most ||v||^2.
    The paper asks only a, b in (0, 1); the defaults 1/2 and 1/10 are those
    of the authors' reference implementation.
    """

    a: sp.Rational = sp.Rational(1, 2)
    b: sp.Rational = sp.Rational(1, 10)


#: Letcher et al.'s a and b, the defaults of a `Rule`'s ``sos_a`` and ``sos_b``.
SOS_CONSTANTS = SosConstants()


class _Exact:
    """Branching on numbers (python or sympy): the pointwise SOS rule."""

    where = staticmethod(lambda cond, x, y: x if cond else y)
    minimum = staticmethod(min)


class _Symbolic:
    """Branching as sympy Piecewise / Min: the SOS rule as an exact expression."""

    where = staticmethod(lambda cond, x, y: sp.Piecewise((x, cond), (y, True)))
    minimum = staticmethod(sp.Min)


EXACT_OPS, SYMBOLIC_OPS = _Exact, _Symbolic

#: Digits of the intervals that shadow exact values (`Shadowed`).
SHADOW_DIGITS = 60


class Shadowed:
    """An exact number with an enclosing interval that decides its comparisons.

    sympy decides ``x < 0`` for an exact expression by evaluating its whole
    tree; for the dot products of SOS and SGA at a logit or softmax point
    (sums of products of rational functions of several exponentials) that
    takes tens of seconds. Here each input value is enclosed once in an
    mpmath interval of `SHADOW_DIGITS` digits, the arithmetic of `sos_weight`
    and `sga_sign` is carried out on the exact values and on the intervals
    side by side, and a comparison whose interval excludes 0 is decided by
    the interval; only a comparison whose interval holds 0 (a tie, an exact
    zero) is decided by sympy on the exact values.

    Examples
    --------
    >>> x = Shadowed(sp.exp(sp.Rational(1, 3)) - 1)
    >>> y = x * x - Shadowed(sp.Rational(1, 5))
    >>> bool(y < 0), sga_sign(y, 1, 1, sign=Shadowed.sign)
    (True, 1)
    """

    __slots__ = ("exact", "box")

    def __init__(self, exact, box=None):
        self.exact = exact
        self.box = _enclose(exact) if box is None else box

    @staticmethod
    def of(x) -> "Shadowed":
        """``x`` itself when shadowed, else ``x`` (a python or sympy number) with its interval."""
        return x if isinstance(x, Shadowed) else Shadowed(sp.Integer(x) if isinstance(x, int) else x)

    def _with(self, other, exact_op, box_op) -> "Shadowed":
        other = Shadowed.of(other)
        with _digits():
            return Shadowed(exact_op(self.exact, other.exact), box_op(self.box, other.box))

    def __add__(self, o): return self._with(o, operator.add, operator.add)
    def __radd__(self, o): return Shadowed.of(o) + self
    def __sub__(self, o): return self._with(o, operator.sub, operator.sub)
    def __rsub__(self, o): return Shadowed.of(o) - self
    def __mul__(self, o): return self._with(o, operator.mul, operator.mul)
    def __rmul__(self, o): return Shadowed.of(o) * self
    def __truediv__(self, o): return self._with(o, operator.truediv, operator.truediv)
    def __rtruediv__(self, o): return Shadowed.of(o) / self
    def __neg__(self): return Shadowed(-self.exact, -self.box)

    def sign(self) -> int:
        """-1, 0 or 1: from the interval when it excludes 0, else exactly."""
        if self.box.a > 0:
            return 1
        if self.box.b < 0:
            return -1
        return int(sp.sign(self.exact))

    def __lt__(self, o): return (self - o).sign() < 0
    def __gt__(self, o): return (self - o).sign() > 0
    def __le__(self, o): return (self - o).sign() <= 0
    def __ge__(self, o): return (self - o).sign() >= 0


@contextmanager
def _digits():
    """mpmath's interval context at `SHADOW_DIGITS` digits, restored afterwards."""
    saved, mpmath.iv.dps = mpmath.iv.dps, SHADOW_DIGITS
    try:
        yield
    finally:
        mpmath.iv.dps = saved


def _enclose(x):
    """An mpmath interval of `SHADOW_DIGITS` digits that holds the real number ``x``.

    sympy's ``evalf(n)`` returns n correct digits; the interval is widened by
    ten units in the (n - 5)-th digit, and by an absolute 10^-n for values it
    rounds to 0.
    """
    with _digits():
        if x.is_Rational:
            return mpmath.iv.mpf(int(x.p)) / int(x.q)
        value = sp.Float(x.evalf(SHADOW_DIGITS), SHADOW_DIGITS)
        if not value.is_real:
            raise ValueError(f"a real number is needed, got {x}")
        mid = mpmath.iv.mpf(str(value))
        width = abs(mid) * mpmath.iv.mpf(10) ** (5 - SHADOW_DIGITS) \
            + mpmath.iv.mpf(10) ** (-SHADOW_DIGITS)
        return mid + mpmath.iv.mpf([-1, 1]) * width.b


def sos_weight(v_sq, u_sq, dot, a, b, ops=EXACT_OPS):
    """SOS's adaptive weight p of the shaping term (Letcher et al. 2019).

    With u = cur + la (LookAhead), s = peer (LOLA's shaping term) and v the
    game gradient, all in ascent form::

        p1 = 1                               if <s, u> >= 0
             min(1, -a ||u||^2 / <s, u>)     otherwise
        p2 = ||v||^2  if ||v|| < b,  else 1
        p  = min(p1, p2),     SOS = u + p s.

    Letcher et al. state it for losses, xi_0 = -u and -alpha chi = -s; the
    sign change leaves <-alpha chi, xi_0> = <s, u> and the norms as they are,
    so this is their rule. When p = p1 < 1, <SOS, u> = (1 - a) ||u||^2.

    Parameters
    ----------
    v_sq, u_sq, dot : numbers, expressions or arrays
        ||v||^2, ||u||^2 and <s, u>.
    a, b : numbers
        SOS's constants (`SOS_CONSTANTS`).
    ops : object with ``where(cond, x, y)`` and ``minimum(x, y)``
        `EXACT_OPS` (numbers, exact when they are), `SYMBOLIC_OPS`
        (Piecewise), or a vectorised numpy version.

    Examples
    --------
    >>> sos_weight(sp.Rational(1, 400), 1, -1, sp.Rational(1, 2), sp.Rational(1, 10))
    1/400
    >>> sos_weight(4, 1, -1, sp.Rational(1, 4), sp.Rational(1, 10))
    1/4
    """
    negative = dot < 0
    safe = ops.where(negative, dot, -1)  # the branch dot < 0 never divides by 0
    p1 = ops.where(negative, ops.minimum(1, -a * u_sq / safe), 1)
    p2 = ops.where(v_sq < b * b, v_sq, 1)
    return ops.minimum(p1, p2)


def sga_sign(v_dot_g, av_dot_g, d, eps=SGA_EPSILON, sign=sp.sign):
    """SGA's alignment sign s (Balduzzi et al. 2018, Algorithm 1).

    With H = Dv the game Jacobian, A = (H - H^T)/2 and g = H^T v the
    gradient of the Hamiltonian ||v||^2 / 2, all in ascent form::

        s = sign(<v, g> <A v, g> / d + eps).

    Balduzzi et al. write it for losses, xi = -v: there J = -H, A_xi = -A,
    grad Ham = J^T xi = g and A_xi^T xi = -A v, so <xi, g> <A_xi^T xi, g> =
    <v, g> <A v, g> and this is their rule; the update xi + s A_xi^T xi is
    the ascent step v + s A v. ``sign`` is sympy's (exact) or numpy's.

    Examples
    --------
    >>> sga_sign(-1, 1, 2), sga_sign(1, 1, 2), sga_sign(-1, sp.Rational(1, 10), 2)
    (-1, 1, 1)
    """
    return sign(v_dot_g * av_dot_g / d + eps)


def pointwise_sos_weight(v, u, s, a, b):
    """SOS's weight p at one point from the exact values of v, u = v + la and s = peer.

    The branch is decided on `Shadowed` values (by interval arithmetic, exactly
    only where an interval holds 0); p is returned exact.
    """
    vs, us, ss = ([Shadowed(x) for x in xs] for xs in (v, u, s))
    p = sos_weight(_dot(vs, vs), _dot(us, us), _dot(ss, us), a, b)
    return p.exact if isinstance(p, Shadowed) else p  # the number 1 when p1 = p2 = 1


def pointwise_sga_sign(v, av, H):
    """SGA's sign s at one point from the exact values of v, A v and H = Dv (rows of H).

    The sign is decided on `Shadowed` values, as in `pointwise_sos_weight`.
    """
    d = len(v)
    vs, avs = [Shadowed(x) for x in v], [Shadowed(x) for x in av]
    hs = [[Shadowed(x) for x in row] for row in H]
    g = [_dot([hs[k][c] for k in range(d)], vs) for c in range(d)]  # H^T v
    return sga_sign(_dot(vs, g), _dot(avs, g), d, sign=Shadowed.sign)


def _dot(x, y):
    return sum((p * q for p, q in zip(x, y)), sp.Integer(0))
