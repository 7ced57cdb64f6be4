"""Exact Nash checks for finite normal-form games.

A mixed profile x = (x_1, ..., x_N) is a Nash equilibrium iff every action in
each agent's support is a best response to the others:

    u_i(a, x_{-i}) = sum_{a_{-i}} U_i[a, a_{-i}] prod_{k != i} x_k(a_k),
    x_i(a) > 0  =>  u_i(a, x_{-i}) >= u_i(b, x_{-i})  for every action b.

Everything here is exact (sympy rationals and algebraic numbers); the sign of
an algebraic number is decided by high-precision evaluation and, for a value
numerically indistinguishable from zero, by an exact zero test.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import sympy as sp

from eqselect.theory import Game, GameError
from eqselect.theory.exact import to_exact
from eqselect.theory.engine import to_sympy

#: Digits used to decide the sign of an algebraic number numerically.
SIGN_DIGITS = 60
_ZERO = sp.Float(10) ** -(SIGN_DIGITS - 15)


def exact_sign(expr, tol=None) -> int:
    """The sign (-1, 0 or 1) of a real constant, exactly.

    Rationals are compared exactly; other constants (radicals, ``CRootOf``)
    are evaluated to ``SIGN_DIGITS`` digits, and a value that rounds to zero
    is decided by ``expr.equals(0)`` (sympy's exact zero test).

    With ``tol`` given (for high-precision Floats standing in for algebraic
    numbers of high degree), a value with |value| <= tol counts as zero and
    no exact zero test is made.

    Raises
    ------
    GameError
        For an expression with free symbols or a non-real value.

    Examples
    --------
    >>> import sympy as sp
    >>> exact_sign(sp.sqrt(2) - sp.Rational(7, 5)), exact_sign(sp.Integer(0))
    (1, 0)
    """
    if isinstance(expr, (int, Fraction)):
        return (expr > 0) - (expr < 0)
    e = to_sympy(expr)
    if e.is_Rational:
        return (e.p > 0) - (e.p < 0)
    if e.free_symbols:
        raise GameError(f"cannot decide the sign of {e}: it has free symbols "
                        f"{sorted(map(str, e.free_symbols))}")
    re, im = sp.N(e, SIGN_DIGITS).as_real_imag()
    if abs(im) > (_ZERO if tol is None else tol):
        raise GameError(f"value {e} is not real (imaginary part {sp.N(im, 5)})")
    if tol is not None:
        return 0 if abs(re) <= tol else (1 if re > 0 else -1)
    if abs(re) > _ZERO:
        return 1 if re > 0 else -1
    if e.equals(0) is False:  # tiny but provably non-zero: look closer
        re = sp.re(sp.N(e, 4 * SIGN_DIGITS))
        return 1 if re > 0 else -1
    return 0


def strategies_at(game: Game, point) -> tuple[tuple[sp.Expr, ...], ...]:
    """Each agent's full mixed strategy at a parameter point.

    Parameters
    ----------
    game : Game
    point : sequence, length len(game.parameters)
        Exact (sympy numbers) or float coordinates in the game's parameter
        order; exact in, exact out.

    Returns
    -------
    tuple of tuple
        ``strategies[i]`` is agent i's mixed strategy (all actions, every
        state in order), substituted at the point.

    Raises
    ------
    GameError
        When the point has the wrong length or the game has no strategies.

    Examples
    --------
    >>> import sympy as sp
    >>> from eqselect.theory import builtin
    >>> strategies_at(builtin("stag-hunt", "direct"), (sp.Rational(2, 3), 1))
    ((2/3, 1/3), (1, 0))
    """
    params = game.parameters
    if len(point) != len(params):
        raise GameError(f"point has {len(point)} coordinates; game {game.name!r} has "
                        f"{len(params)} parameters")
    if not game.strategies:
        raise GameError(f"game {game.name!r} has no mixed strategies (continuous game)")
    sub = {s: to_sympy(x) for s, x in zip(params, point)}
    rational = {s: Fraction(int(x.p), int(x.q)) for s, x in sub.items() if x.is_Rational}
    if len(rational) < len(sub):
        rational = None
    return tuple(tuple(_entry_at(e, sub, rational) for e in block) for block in game.strategies)


def _entry_at(expr, sub, rational):
    value = _affine_value(expr, rational)
    return to_sympy(expr).xreplace(sub) if value is None else value


def _affine_value(expr, values):
    """``expr`` at a rational point when it is a rational affine form in the point's
    symbols (a direct strategy: p, or 1 - sum(p)), summed in Fractions; else None.

    The sum is the Rational that substituting and evaluating would give, without
    rebuilding the expression on the way.
    """
    if values is None:
        return None
    total = Fraction(0)
    for term in sp.Add.make_args(to_sympy(expr)):
        coeff, rest = term.as_coeff_Mul()
        if not coeff.is_Rational:
            return None
        if rest is sp.S.One:
            x = 1
        else:
            x = values.get(rest)
            if x is None:
                return None
        total += Fraction(int(coeff.p), int(coeff.q)) * x
    return sp.Rational(total.numerator, total.denominator)


def action_values(game: Game, strategies, agent: int) -> tuple[sp.Expr, ...]:
    """u_i(a, x_{-i}) for each action a of ``agent``, exact.

    u_i(a, x_{-i}) = sum_{a_{-i}} U_i[a, a_{-i}] prod_{k != i} x_k(a_k).

    Examples
    --------
    >>> import sympy as sp
    >>> from eqselect.theory import builtin
    >>> g = builtin("stag-hunt", "direct")
    >>> third = (sp.Rational(2, 3), sp.Rational(1, 3))
    >>> action_values(g, (third, third), 0)
    (8/3, 8/3)
    """
    _check_profile(game, strategies)
    table = game.payoffs[agent]
    values = [sp.Integer(0)] * game.actions[agent]
    for a in itertools.product(*(range(m) for m in game.actions)):
        u = table
        for k in a:
            u = u[k]
        if u == 0:
            continue
        weight = sp.Mul(*(to_exact(strategies[k][a_k], "strategy entry")
                          for k, a_k in enumerate(a) if k != agent))
        values[a[agent]] += u * weight
    return tuple(sp.expand(v) for v in values)


def is_nash(game: Game, strategies_exact, tol=None) -> bool:
    """Whether a mixed profile is a Nash equilibrium, by an exact best-response check.

    Every action in an agent's support must earn the maximal expected payoff
    against the others' strategies (see the module docstring).

    Parameters
    ----------
    game : Game
        A one-shot finite game with numeric payoff tensors.
    strategies_exact : sequence of N sequences
        ``strategies_exact[i]`` is agent i's mixed strategy over its actions
        (sympy numbers; a float becomes the rational of its shortest decimal form).
    tol : float, optional
        Only for high-precision sympy Floats standing in for algebraic
        numbers: payoff differences with |difference| <= tol count as ties
        (see `exact_sign`). None (default) decides every sign exactly.

    Raises
    ------
    GameError
        When the game has no payoff tensors, payoff symbols are left free,
        or the profile's shape does not match the game's actions.

    Examples
    --------
    >>> import sympy as sp
    >>> from eqselect.theory import builtin
    >>> g = builtin("stag-hunt", "direct")
    >>> is_nash(g, ((1, 0), (1, 0))), is_nash(g, ((1, 0), (0, 1)))
    (True, False)
    """
    _check_profile(game, strategies_exact)
    for i in range(game.n_agents):
        u = action_values(game, strategies_exact, i)
        support = [a for a, x in enumerate(strategies_exact[i])
                   if exact_sign(to_exact(x, "strategy entry"), tol) != 0]
        for a in support:
            if any(exact_sign(u[b] - u[a], tol) > 0 for b in range(len(u))):
                return False
    return True


def is_nash_rational(tables, strategies) -> bool:
    """`is_nash` for rational payoff tables and strategies, in Python Fractions (or ints).

    Parameters
    ----------
    tables : sequence of N nested lists of Fraction (or int)
        ``tables[i][a_1]...[a_N]`` is agent i's payoff.
    strategies : sequence of N sequences of Fraction (or int)

    Examples
    --------
    >>> T = [[[4, 0], [3, 2]], [[4, 3], [0, 2]]]  # Stag Hunt
    >>> third = (Fraction(2, 3), Fraction(1, 3))
    >>> is_nash_rational(T, (third, third)), is_nash_rational(T, ((1, 0), (0, 1)))
    (True, False)
    """
    actions = [len(s) for s in strategies]
    for i, table in enumerate(tables):
        u = [0] * actions[i]  # ints stay ints (integer data: `is_nash_integer`), else Fractions
        for a in itertools.product(*(range(m) for m in actions)):
            w = 1
            for k, a_k in enumerate(a):
                if k != i:
                    w *= strategies[k][a_k]
                    if not w:
                        break
            if w:
                x = table
                for a_k in a:
                    x = x[a_k]
                u[a[i]] += x * w
        best = max(u)
        if any(x != 0 and u[a] < best for a, x in enumerate(strategies[i])):
            return False
    return True


def _check_profile(game: Game, strategies) -> None:
    if not game.payoffs or game.states != 1:
        raise GameError(f"game {game.name!r} is not a one-shot finite game with payoff "
                        "tensors; the Nash check needs one")
    free = sorted({str(s) for t in _flat(game.payoffs) for s in to_sympy(t).free_symbols})
    if free:
        raise GameError(f"game {game.name!r} has free payoff symbols {free}; "
                        "call game.substitute() first")
    if len(strategies) != game.n_agents:
        raise GameError(f"profile has {len(strategies)} strategies; game {game.name!r} "
                        f"has {game.n_agents} agents")
    for i, (s, m) in enumerate(zip(strategies, game.actions)):
        if len(s) != m:
            raise GameError(f"strategy of agent {i + 1} has {len(s)} entries; "
                            f"the agent has {m} actions")


def _flat(obj):
    if isinstance(obj, (tuple, list)):
        for o in obj:
            yield from _flat(o)
    else:
        yield obj
