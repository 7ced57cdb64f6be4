"""Points of a finite game named by its players' actions.

A point phi of a one-state finite game gives each agent i a mixed strategy
x_i(phi) on its m_i actions. The point is the pure profile (a_1, ..., a_N)
when x_i puts probability 1 on a_i for every i; it is then written with the
game's action names, ``(Stag, Stag)``, as in the game file (docs/cli.md,
"Game files"). Every strategy is also given by action name,
``{"Stag": "2/3", "Hare": "1/3"}``: exact probabilities as sympy strings,
floats as Python prints them.

Strategies come in as plain sequences of numbers (sympy numbers, exact, or
floats); the numeric layers pass arrays as lists.

Examples
--------
>>> from eqselect.theory import builtin
>>> game = builtin("stag-hunt", "direct")
>>> strategies = exact_strategies(game, (1, 1))
>>> pure_profile(game, strategies), profile_name(game, (0, 0))
((0, 0), '(C, C)')
>>> named_strategies(game, exact_strategies(game, (sp.Rational(2, 3), 0)))
[{'C': '2/3', 'D': '1/3'}, {'C': '0', 'D': '1'}]
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from eqselect.theory.engine import to_sympy

#: A float probability within this of 1 counts as a pure action (the tolerance
#: with which the basin maps name their attractors).
PURE_TOL = 1e-9


def is_one_state(game) -> bool:
    """Whether points of ``game`` have one mixed strategy per agent over its actions."""
    return bool(game.actions) and game.states == 1 and bool(game.strategies)


def actions_are_named(game) -> bool:
    """Whether the game names some action other than by its index ("0", "1", ...)."""
    return any(name != str(a) for names in game.action_names for a, name in enumerate(names))


def profile_actions(game, profile: Sequence[int]) -> tuple[str, ...]:
    """The action names of a pure profile, one per agent: ``("Stag", "Stag")``."""
    return tuple(game.action_name(i, int(a)) for i, a in enumerate(profile))


def profile_name(game, profile: Sequence[int]) -> str:
    """A pure profile written with action names: ``(Stag, Stag)``."""
    return "(" + ", ".join(profile_actions(game, profile)) + ")"


def exact_strategies(game, point: Sequence) -> tuple[tuple[sp.Expr, ...], ...]:
    """Each agent's mixed strategy at an exact point, exact (sympy)."""
    at = dict(zip(game.parameters, (to_sympy(x) for x in point)))
    return tuple(tuple(x.xreplace(at) for x in s) for s in game.strategies)


def strategies_at(game, exact: Sequence | None, strategies: Sequence[Sequence]) -> tuple:
    """The strategies of a point: exact (`exact_strategies`) when its exact
    coordinates are known, else ``strategies`` (floats) as given."""
    if exact is not None and game.strategies:
        return exact_strategies(game, exact)
    return tuple(strategies)


def _is_one(x) -> bool:
    if isinstance(x, sp.Basic) and not isinstance(x, sp.Float):
        return x == 1  # exact: 1 itself, as the strategies of a pure vertex evaluate
    return float(x) >= 1 - PURE_TOL


def pure_profile(game, strategies: Sequence[Sequence]) -> tuple[int, ...] | None:
    """The action of each agent when ``strategies`` is a pure profile, else None.

    Exact probabilities must equal 1; floats may miss 1 by `PURE_TOL`. None
    for games whose points are not one strategy per agent (`is_one_state`).
    """
    if not is_one_state(game) or len(strategies) != game.n_agents:
        return None
    out = []
    for s in strategies:
        ones = [a for a, x in enumerate(s) if _is_one(x)]
        if len(ones) != 1:
            return None
        out.append(ones[0])
    return tuple(out)


def _probability_text(x) -> str:
    return str(x) if isinstance(x, sp.Basic) else repr(float(x))


def named_strategies(game, strategies: Sequence[Sequence]) -> list[dict[str, str]] | None:
    """Each agent's strategy as {action name: probability}, or None (`is_one_state`)."""
    if not is_one_state(game) or len(strategies) != game.n_agents:
        return None
    return [{game.action_name(i, a): _probability_text(x) for a, x in enumerate(s)}
            for i, s in enumerate(strategies)]


def player_and_action_names(game) -> dict:
    """``{"players": [...], "actions": [[...], ...]}`` where the game names them, else {}."""
    if not game.action_names:
        return {}
    return {"players": [game.player_name(i) for i in range(game.n_agents)],
            "actions": [list(names) for names in game.action_names]}


def point_names(game, strategies: Sequence[Sequence]) -> dict:
    """``{"profile": action names or None, "named_strategies": ...}`` of one point.

    The JSON keys every named point carries: the pure profile by action names
    (a list, one name per agent) when the point is one, and every strategy by
    action name.
    """
    pure = pure_profile(game, strategies)
    return {"profile": None if pure is None else list(profile_actions(game, pure)),
            "named_strategies": named_strategies(game, strategies)}
