"""Games from files: ``.toml`` / ``.json`` specs and Gambit ``.nfg``.

TOML / JSON spec::

    name = "my-stag-hunt"                   # optional
    description = "..."                     # optional
    players = ["row", "column"]             # optional player names
    actions = [["C", "D"], ["C", "D"]]      # optional action names per player
    parameterization = "logit"              # optional; the command line wins
    tau = 0.1                               # optional: entropy temperature (--tau wins)
    payoffs = [[[ "a", 0], [3, 2]],         # one tensor per agent, shape (m_1, ..., m_N);
               [[ "a", 3], [0, 2]]]         # entries numbers or expressions
    [symbols]                               # optional: payoff symbols and defaults
    a = 4                                   # (a number, or exact text such as "1/3")

Expressions are read by :mod:`eqselect.theory.io.expressions` (numbers, declared
symbols, + - * / ^, parentheses, exp / log / sqrt), never by ``eval``. Gambit
files are read by :mod:`eqselect.theory.io.nfg`.

Before parsing, the file's size and the nesting of its brackets are checked
against :mod:`eqselect.theory.limits`; a JSON object may not repeat a key.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from eqselect.theory.exact import to_exact
from eqselect.theory.game import Game, GameError
from eqselect.theory.games.entropy import entropy_regularized
from eqselect.theory.games.normal_form import normal_form_game
from eqselect.theory.io.expressions import parse_expression
from eqselect.theory.io.file_text import parse_table, read_text
from eqselect.theory.io.file_values import (declared_defaults, file_number, file_texts,
                                             shown_name)
from eqselect.theory.io.nfg import nfg_game
from eqselect.theory.limits import check_entries, current


def load_spec(path, parameterization: str | None = None, *, fallback: str = "logit") -> Game:
    """Read a game file (.toml, .json or .nfg).

    Parameters
    ----------
    path : str or Path
    parameterization : str, optional
        Given, it wins over the file's own ``parameterization`` (the command
        line's ``--param``); None takes the file's, else ``fallback``.
    fallback : str
        The parameterisation of a file that states none (``.nfg`` never does).

    Raises
    ------
    GameError
        For a malformed file, with one line naming the problem.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise GameError(f"a game file path must be text or a path, got {type(path).__name__}")
    if not isinstance(parameterization, (str, type(None))) or not isinstance(fallback, str):
        raise GameError(f"parameterization must be a name, got {parameterization!r} "
                        f"(fallback {fallback!r})")
    path = Path(path)
    text = read_text(path)
    suffix = path.suffix.lower()
    if suffix == ".nfg":
        return nfg_game(text, parameterization or fallback, name=shown_name(path.stem))
    if suffix not in (".json", ".toml"):
        raise GameError(f"{path.name}: unknown game file type {suffix!r}; use .toml, .json or .nfg")
    data = parse_table(text, path)
    if "graph" in data:  # a game on a graph (docs/networks.md)
        from eqselect.theory.io.network_spec import network_spec

        return network_spec(data, parameterization, shown_name(path.stem), path.parent,
                            fallback=fallback).game
    return spec_game(data, parameterization, default_name=shown_name(path.stem),
                     fallback=fallback)


def spec_game(data: dict, parameterization: str | None = None, default_name: str = "game", *,
              fallback: str = "logit") -> Game:
    """A normal-form game from a parsed spec dictionary (see the module docstring).

    A ``parameterization`` given here wins over the spec's; None takes the
    spec's, else ``fallback``.
    """
    if not isinstance(data, dict):
        raise GameError("a game spec must be a table/object")
    unknown = set(data) - {"name", "description", "parameterization", "payoffs", "symbols",
                           "players", "actions", "tau"}
    if unknown:
        raise GameError(f"unknown key(s) in game spec: {', '.join(sorted(unknown))}")
    if "payoffs" not in data:
        raise GameError("game spec has no 'payoffs'")
    symbols = declared_defaults(data.get("symbols", {}))
    lookup = {s.name: s for s in symbols}
    check_entries(_count_leaves(data["payoffs"]), "the game spec")
    payoffs = _map_entries(data["payoffs"], lambda x: _entry(x, lookup))
    texts = file_texts(data, default_name, fallback, parameterization)
    game = normal_form_game(payoffs, texts["parameterization"], name=texts["name"],
                            payoff_symbols=symbols, description=texts["description"],
                            players=data.get("players"), action_names=data.get("actions"))
    if "tau" not in data:
        return game
    return entropy_regularized(game, file_number(data["tau"], "temperature tau"))


def _entry(x, lookup):
    if isinstance(x, str):
        return parse_expression(x, lookup)
    if isinstance(x, float) and not math.isfinite(x):
        raise GameError(f"payoff entry is not finite: {x!r}")
    return to_exact(x, "payoff entry")


def _count_leaves(obj) -> int:
    count, stack = 0, [obj]
    while stack:
        top = stack.pop()
        if isinstance(top, list):
            stack.extend(top)
        else:
            count += 1
    return count


def _map_entries(obj, fn, depth=0):
    if depth > current().max_nesting:  # the file's nesting was checked; this guards the API
        raise GameError(f"payoffs nest deeper than {current().max_nesting} levels")
    if isinstance(obj, list):
        return [_map_entries(o, fn, depth + 1) for o in obj]
    return fn(obj)
