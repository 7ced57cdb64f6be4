"""Weights chosen pointwise: SOS's shaping weight p and SGA's alignment sign.

SOS (Letcher et al. 2019) weighs LOLA's shaping term by p = min(p1, p2)
(`sos_weight`); SGA with alignment (Balduzzi et al. 2018) takes the sign of
lambda from the Hamiltonian's gradient (`sga_sign`). Both are written once
here for three kinds of numbers: exact (python or sympy numbers,
`EXACT_OPS`), symbolic (sympy Piecewise, `SYMBOLIC_OPS`) and vectorised
(numpy, supplied by the numerics). docs/rules.md states both rules.
"""

from __future__ import annotations

from dataclasses import dataclass

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
