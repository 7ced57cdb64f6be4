"""Normal-form games from payoff tensors.

J_i(phi) = sum_{a in A_1 x ... x A_N} prod_k pi_k(a_k; phi_k) U_i[a],
with U_i agent i's payoff tensor of shape (m_1, ..., m_N).
"""

from __future__ import annotations

import itertools
import math
import re
from typing import Mapping, Sequence

import sympy as sp

from eqselect.theory.canonical import product, total
from eqselect.theory.exact import to_exact
from eqselect.theory.functions import refuse_unknown_functions
from eqselect.theory.game import Game, GameError
from eqselect.theory.limits import check_entries, check_parameters, current
from eqselect.theory.parameterizations import (
    Parameterization, parameter_names, policy, policy_region, symbol_for)

_SYMBOL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]{0,31}")
#: Names a payoff symbol may not take: the rules' symbols (eta, lambda, tau),
#: the expression functions, the tandem game's parameters, and names that mean
#: something else when sympy reads printed output back.
RESERVED_NAMES = frozenset({"eta", "lambda", "lam", "tau", "exp", "log", "sqrt",
                            "x", "y", "E", "I", "pi", "oo", "nan", "zoo", "S", "N", "O", "Q"})
#: Policy parameter names (p1, theta2, p1_0, ...): a payoff symbol named like
#: one would silently become that parameter.
_PARAMETER_NAME = re.compile(r"(?:p|theta)\d+(?:_\d+)?")


def check_symbol_name(name, reserved=RESERVED_NAMES) -> str:
    """``name`` if it may name a payoff symbol; `GameError` with the reason otherwise.

    Examples
    --------
    >>> check_symbol_name("p1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    eqselect.theory.errors.GameError: payoff symbol 'p1' would collide with a policy parameter ...
    """
    from eqselect.theory.rules import Method

    if not isinstance(name, str) or not _SYMBOL_NAME.fullmatch(name):
        raise GameError(f"payoff symbol name {str(name)[:40]!r} is not allowed: a letter, "
                        "then letters and digits, at most 32 characters")
    if _PARAMETER_NAME.fullmatch(name):
        raise GameError(f"payoff symbol {name!r} would collide with a policy parameter "
                        "(p1, theta1, p1_0, ... name the parameters)")
    if name in reserved or name in {m.value for m in Method}:
        raise GameError(f"payoff symbol {name!r} is reserved (a rule, function or "
                        f"coefficient name; reserved: {', '.join(sorted(reserved))})")
    return name


def payoff_tensors(payoffs: Sequence, what: str = "payoff") -> tuple[sp.MutableDenseNDimArray, ...]:
    """Validate payoff tensors and convert every entry to an exact expression.

    Parameters
    ----------
    payoffs : sequence of N nested sequences
        ``payoffs[i]`` is agent i's payoff tensor, shape (m_1, ..., m_N),
        entries numbers or sympy expressions.

    Raises
    ------
    GameError
        Wrong number of tensors, ragged or mismatched shapes, an agent with
        fewer than two actions, or a non-finite entry.
    ExpressionError
        An entry applying a function eqselect does not know
        (`~eqselect.theory.functions.refuse_unknown_functions`).
    """
    shape, entries = _payoff_entries(payoffs, what)
    return tuple(sp.ImmutableDenseNDimArray(flat, shape) for flat in entries)


def _payoff_entries(payoffs, what: str = "payoff") -> tuple[tuple[int, ...], list]:
    """(shape, each agent's exact entries in row-major order): `payoff_tensors`'
    checks, without building sympy arrays (whose element access is slow)."""
    if not isinstance(payoffs, (list, tuple)) and not hasattr(payoffs, "tolist"):
        raise GameError(f"payoffs must be a sequence of tensors, got {type(payoffs).__name__}")
    n = len(payoffs)
    if n < 2:
        raise GameError(f"a game needs at least two agents' payoff tensors, got {n}")
    entries, shape = [], None
    for i, table in enumerate(payoffs):
        arr_shape, flat = _exact_entries(table, f"{what} tensor for agent {i + 1}", n)
        if len(arr_shape) != n:
            raise GameError(
                f"{what} tensor for agent {i + 1} has shape {arr_shape}; "
                f"a {n}-agent game needs {n} axes")
        if shape is None:
            shape = arr_shape
        elif arr_shape != shape:
            raise GameError(
                f"{what} tensor for agent {i + 1} has shape {arr_shape}; "
                f"the game's actions need {shape}")
        entries.append(flat)
    if any(m < 2 for m in shape):
        raise GameError(f"every agent needs at least two actions; shape is {shape}")
    return shape, entries


def _exact_entries(table, what: str, n_agents: int) -> tuple[tuple[int, ...], list]:
    shape = _shape(table, what)
    check_entries(n_agents * math.prod(shape), "the game")
    flat = [to_exact(x, f"entry of the {what}") for x in _flatten(table)]
    refuse_unknown_functions([x for x in flat if not x.is_Rational], f"an entry of the {what}")
    return shape, flat


def _nested(flat, shape) -> list:
    """The row-major entries ``flat`` as nested lists of the given shape."""
    if len(shape) == 1:
        return list(flat)
    step = len(flat) // shape[0]
    return [_nested(flat[k * step:(k + 1) * step], shape[1:]) for k in range(shape[0])]


def _shape(table, what: str, depth: int = 0) -> tuple[int, ...]:
    if depth > current().max_nesting:
        raise GameError(f"{what} nests deeper than {current().max_nesting} levels")
    if isinstance(table, str):
        return ()
    if isinstance(table, (list, tuple)):
        if not table:
            raise GameError(f"{what} has an empty axis")
        inner = {_shape(t, what, depth + 1) for t in table}
        if len(inner) != 1:
            raise GameError(f"{what} is ragged (rows of different shapes)")
        return (len(table),) + inner.pop()
    if hasattr(table, "shape") and hasattr(table, "tolist"):
        return _shape(table.tolist(), what, depth)
    return ()


def _flatten(table):
    if hasattr(table, "tolist") and not isinstance(table, sp.Basic):
        table = table.tolist()
    if isinstance(table, (list, tuple)):
        for t in table:
            yield from _flatten(t)
    else:
        yield table


def normal_form_game(payoffs: Sequence, parameterization: str = "logit",
                     name: str = "normal-form",
                     payoff_symbols: Mapping[sp.Symbol, object] | None = None,
                     description: str = "", players: Sequence[str] | None = None,
                     action_names: Sequence[Sequence[str]] | None = None, *,
                     reserved=RESERVED_NAMES) -> Game:
    """An N-agent normal-form game under a policy parameterisation.

    Parameters
    ----------
    payoffs : sequence of N tensors, each shape (m_1, ..., m_N)
        Numbers or sympy expressions (possibly in ``payoff_symbols``).
    parameterization : {"direct", "logit", "softmax"}
    name : str
    payoff_symbols : mapping, optional
        Free symbols in the payoffs (or their names) and their default
        values; every symbol in the payoffs must be declared here.
    description : str
    players : sequence of N str, optional
        Player names (default "1", "2", ...).
    action_names : sequence of N sequences of str, optional
        ``action_names[i]`` names agent i's m_i actions (default "0", "1", ...).
    reserved : set of str
        Names refused for payoff symbols (see :func:`check_symbol_name`).
        The built-in 2x2 games allow ``c`` because the contract names their
        payoffs a, b, c, d.

    Returns
    -------
    Game

    Examples
    --------
    >>> g = normal_form_game([[[4, 0], [3, 2]], [[4, 3], [0, 2]]], "direct")
    >>> g.values[0].expand()
    3*p1*p2 - 2*p1 + p2 + 2
    >>> g.players, g.action_names
    (('1', '2'), (('0', '1'), ('0', '1')))
    """
    kind = _checked_kind(parameterization, name, description)
    symbols = declared_symbols(payoff_symbols, reserved)
    shape, entries = _payoff_entries(payoffs)
    check_parameters(sum(m - 1 for m in shape), f"game {name[:60]!r}")
    _check_declared(entries, symbols)
    agents, strategies = [], []
    for i, m in enumerate(shape):
        names = parameter_names(kind, i, m, 0, multi=m > 2)
        syms = tuple(symbol_for(nm) for nm in names)
        agents.append(syms)
        strategies.append(policy(kind, list(syms), m))
    tables = tuple(_nested(flat, shape) for flat in entries)
    values = tuple(_expected_payoff(t, shape, strategies) for t in tables)
    region = policy_region(kind, agents, shape)
    return Game(
        name=name, agents=tuple(agents), values=values, region=region,
        parameterization=kind.value, strategies=tuple(strategies),
        payoff_symbols=symbols, payoffs=tables,
        actions=tuple(shape), description=description,
        **game_names(shape, players, action_names),
    )


def _checked_kind(parameterization, name, description) -> Parameterization:
    if not isinstance(parameterization, str):
        raise GameError(f"parameterization must be a name, got {parameterization!r}"[:200])
    for label, text in (("name", name), ("description", description)):
        if not isinstance(text, str):
            raise GameError(f"the game's {label} must be text, got {type(text).__name__}")
    return Parameterization.parse(parameterization)


def _check_declared(entries, symbols) -> None:
    used = set().union(*(x.free_symbols for flat in entries for x in flat))
    undeclared = used - set(symbols)
    if undeclared:
        raise GameError(f"payoffs use undeclared symbol(s) "
                        f"{', '.join(sorted(str(u) for u in undeclared))}; declare them "
                        "with their default values in payoff_symbols")
    unused = set(symbols) - used
    if unused:  # a default that changes nothing would be reported as a game's symbol
        raise GameError(f"payoff_symbols declares {', '.join(sorted(str(u) for u in unused))}, "
                        "which no payoff uses")


def declared_symbols(payoff_symbols, reserved=RESERVED_NAMES) -> dict:
    """``{Symbol: exact default}`` from a mapping keyed by symbols or names.

    Raises
    ------
    GameError
        For a mapping of another type, a name that is not allowed
        (:func:`check_symbol_name`) or a default that is not a number.
    """
    if payoff_symbols is None:
        return {}
    if not isinstance(payoff_symbols, Mapping):
        raise GameError("payoff_symbols must map symbols (or their names) to default values")
    out = {}
    for key, value in payoff_symbols.items():
        if isinstance(key, sp.Symbol):
            key = key.name
        sym = sp.Symbol(check_symbol_name(key, reserved))
        if sym in out:
            raise GameError(f"payoff symbol {key!r} is declared twice")
        out[sym] = to_exact(value, f"default of {key}")
        if out[sym].free_symbols:
            raise GameError(f"default of {key} must be a number, got {out[sym]}")
    return out


def game_names(shape, players=None, action_names=None) -> dict:
    """Checked player and action names for a game of the given shape.

    Missing names get the defaults: players "1", "2", ...; actions "0", "1", ...

    Returns
    -------
    dict
        ``{"players": tuple of str, "action_names": tuple of tuple of str}``.

    Raises
    ------
    GameError
        A count that does not match ``shape``, an empty or non-text name, a
        name that breaks Gambit's label rule (no leading, trailing or doubled
        whitespace, no control characters), or a name repeated within one list.

    Examples
    --------
    >>> game_names((2, 3), ["row", "column"])["action_names"]
    (('0', '1'), ('0', '1', '2'))
    """
    n = len(shape)
    if players is None:
        players = [str(i + 1) for i in range(n)]
    if action_names is None:
        action_names = [[str(a) for a in range(m)] for m in shape]
    _check_names(players, n, "players")
    if not isinstance(action_names, (list, tuple)) or len(action_names) != n:
        raise GameError(f"'actions' must hold {n} lists of names, one per player")
    for i, (names, m) in enumerate(zip(action_names, shape)):
        _check_names(names, m, f"actions of player {i + 1}")
    return {"players": tuple(players),
            "action_names": tuple(tuple(names) for names in action_names)}


def _check_names(names, count: int, what: str) -> None:
    if not isinstance(names, (list, tuple)) or len(names) != count:
        raise GameError(f"{what}: expected {count} names, got {names!r}")
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise GameError(f"{what}: every name must be non-empty text, got {name!r}")
        if name != name.strip() or "  " in name or not name.isprintable():
            raise GameError(f"{what}: name {name!r} has leading, trailing or doubled spaces "
                            f"or a control character (Gambit's label rule)")
    if len(set(names)) != len(names):
        raise GameError(f"{what}: names must be distinct, got {list(names)}")


def _expected_payoff(table, shape, strategies) -> sp.Expr:
    # one Add of every term (not a running sum, which re-flattens each step),
    # entries read from nested lists (not the array's index parsing); with
    # rational entries and strategies that are symbols or sums (direct), every
    # term is a distinct monomial already in canonical form (theory.canonical)
    canonical = all(x.is_Symbol or x.is_Add for s in strategies for x in s)
    terms, rational = [], canonical
    for a in itertools.product(*(range(m) for m in shape)):
        u = table
        for a_k in a:
            u = u[a_k]
        if u == 0:
            continue
        factors = [strategies[k][a_k] for k, a_k in enumerate(a)]
        if rational and u.is_Rational:
            terms.append(product(u, factors))
            continue
        rational = False
        terms.append(u * sp.Mul(*factors))
    return total(terms) if rational else sp.Add(*terms)


