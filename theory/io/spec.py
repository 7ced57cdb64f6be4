"""Games from files: ``.toml`` / ``.json`` specs and Gambit ``.nfg``.

TOML / JSON spec::

    name = "my-stag-hunt"                   # optional
    description = "..."                     # optional
    players = ["row", "column"]             # optional player names
    actions = [["C", "D"], ["C", "D"]]      # optional action names per player
    parameterization = "logit"              # optional; the command line wins
    payoffs = [[[ "a", 0], [3, 2]],         # one tensor per agent, shape (m_1, ..., m_N);
               [[ "a", 3], [0, 2]]]         # entries numbers or expressions
    [symbols]                               # optional: payoff symbols and defaults
    a = 4                                   # (a number, or exact text such as "1/3")

Expressions are read by :mod:`eqselect.theory.io.expressions` (numbers, declared
symbols, + - * / ^, parentheses, exp / log / sqrt), never by ``eval``.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import sympy as sp

from eqselect.theory.exact import to_exact
from eqselect.theory.io.expressions import parse_expression
from eqselect.theory.game import Game, GameError
from eqselect.theory.games.normal_form import normal_form_game

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_RESERVED = {"eta", "lambda", "c", "exp", "log", "sqrt", "x", "y"}


def load_spec(path, parameterization: str = "logit") -> Game:
    """Read a game file (.toml, .json or .nfg).

    Raises
    ------
    GameError
        For a malformed file, with one line naming the problem.
    """
    path = Path(path)
    text = _read(path)
    suffix = path.suffix.lower()
    if suffix == ".nfg":
        return nfg_game(text, parameterization, name=path.stem)
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise GameError(f"{path.name}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    elif suffix == ".toml":
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise GameError(f"{path.name}: not valid TOML ({exc})") from None
    else:
        raise GameError(f"{path.name}: unknown game file type {suffix!r}; use .toml, .json or .nfg")
    if not isinstance(data, dict):
        raise GameError(f"{path.name}: the top level must be a table/object")
    return spec_game(data, parameterization, default_name=path.stem)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GameError(f"cannot read game file {path}: {exc}") from None


def spec_game(data: dict, parameterization: str = "logit", default_name: str = "game") -> Game:
    """A normal-form game from a parsed spec dictionary (see the module docstring)."""
    unknown = set(data) - {"name", "description", "parameterization", "payoffs", "symbols",
                           "players", "actions"}
    if unknown:
        raise GameError(f"unknown key(s) in game spec: {', '.join(sorted(unknown))}")
    if "payoffs" not in data:
        raise GameError("game spec has no 'payoffs'")
    symbols = _declare(data.get("symbols", {}))
    lookup = {s.name: s for s in symbols}
    payoffs = _map_entries(data["payoffs"], lambda x: _entry(x, lookup))
    return normal_form_game(
        payoffs, data.get("parameterization", parameterization),
        name=str(data.get("name", default_name)), payoff_symbols=symbols,
        description=str(data.get("description", "")),
        players=data.get("players"), action_names=data.get("actions"))


def _declare(table) -> dict:
    if not isinstance(table, dict):
        raise GameError("'symbols' must map names to default values")
    out = {}
    for name, value in table.items():
        if not _NAME.fullmatch(name) or name in _RESERVED:
            raise GameError(f"symbol name {name!r} is not allowed (letters and digits, "
                            f"not one of {', '.join(sorted(_RESERVED))})")
        if isinstance(value, str):  # an exact default such as "1/3" or "sqrt(2)"
            value = parse_expression(value, {})
        out[sp.Symbol(name)] = to_exact(value, f"default of symbol {name}")
    return out


def _entry(x, lookup):
    if isinstance(x, str):
        return parse_expression(x, lookup)
    if isinstance(x, float) and not math.isfinite(x):
        raise GameError(f"payoff entry is not finite: {x!r}")
    return to_exact(x, "payoff entry")


def _map_entries(obj, fn):
    if isinstance(obj, list):
        return [_map_entries(o, fn) for o in obj]
    return fn(obj)


# -- Gambit .nfg ---------------------------------------------------------------
_NFG_TOKEN = re.compile(r'\s*("(?:[^"\\]|\\.)*"|\{|\}|,|[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:/\d+)?(?:[eE][-+]?\d+)?|\S+)')


def nfg_game(text: str, parameterization: str = "logit", name: str = "nfg") -> Game:
    """A game from Gambit's .nfg format (payoff or outcome version).

    The payoff version lists, for every pure profile with player 1's strategy
    changing fastest, every player's payoff; the outcome version lists
    outcomes ``{ "name" u_1, ..., u_N }`` and then one outcome index per
    profile (0 = all zero). Player and strategy names are kept (the defaults
    when a list is unnamed, has an empty name or repeats one); the title
    becomes the description.
    """
    toks = [t for t in _NFG_TOKEN.findall(text) if t]
    if len(toks) < 3 or toks[0] != "NFG" or toks[2] not in ("R", "D"):
        raise GameError("not a Gambit .nfg file: it must start with 'NFG 1 R'")
    pos = 3
    title = _unquote(toks[pos]) if toks[pos].startswith('"') else name
    pos += 1 if toks[pos].startswith('"') else 0
    players, pos = _braced(toks, pos)
    if len(players) < 2:
        raise GameError(f".nfg file declares {len(players)} players; need at least 2")
    strat, pos = _braced(toks, pos, nested=True)
    counts = [len(s) if isinstance(s, list) else _int(s) for s in strat]
    if len(counts) != len(players):
        raise GameError(f".nfg file has {len(players)} players but {len(counts)} strategy lists")
    if pos < len(toks) and toks[pos].startswith('"'):
        pos += 1  # comment
    n_profiles = math.prod(counts)
    rest = toks[pos:]
    if rest and rest[0] == "{":
        flat = _outcome_payoffs(rest, len(players), n_profiles)
    else:
        flat = [_num(t) for t in rest if t != ","]
        if len(flat) != n_profiles * len(players):
            raise GameError(f".nfg payoff list has {len(flat)} numbers; "
                            f"{n_profiles} profiles x {len(players)} players need "
                            f"{n_profiles * len(players)}")
    return normal_form_game(_tensors(flat, counts), parameterization,
                            name=name, description=title, **_nfg_names(players, strat))


def _nfg_names(players, strat) -> dict:
    """Player and strategy names of an .nfg header; unnamed or repeated ones get defaults."""
    names = [_unquote(p) for p in players]
    out = {"players": names} if all(names) and len(set(names)) == len(names) else {}
    labels = [[_unquote(x) for x in s] if isinstance(s, list) else [] for s in strat]
    if all(lab and all(lab) and len(set(lab)) == len(lab) for lab in labels):
        out["action_names"] = labels
    return out


def _tensors(flat, counts):
    import itertools

    n = len(counts)
    tensors = [sp.MutableDenseNDimArray.zeros(*counts) for _ in range(n)]
    profiles = itertools.product(*(range(m) for m in reversed(counts)))
    for k, rev in enumerate(profiles):
        idx = tuple(reversed(rev))  # player 1 changes fastest
        for i in range(n):
            tensors[i][idx] = flat[k * n + i]
    return [t.tolist() for t in tensors]


def _outcome_payoffs(toks, n_players, n_profiles):
    outcomes, pos = _braced(toks, 0, nested=True)
    table = []
    for o in outcomes:
        if not isinstance(o, list):
            raise GameError(".nfg outcome list must hold { \"name\" payoffs } entries")
        nums = [x for x in o if not x.startswith('"') and x != ","]
        if len(nums) != n_players:
            raise GameError(f".nfg outcome has {len(nums)} payoffs; {n_players} players")
        table.append([_num(x) for x in nums])
    idx = [_int(t) for t in toks[pos:] if t != ","]
    if len(idx) != n_profiles:
        raise GameError(f".nfg has {len(idx)} outcome indices; {n_profiles} profiles")
    zero = [sp.Integer(0)] * n_players
    flat = []
    for k in idx:
        if k < 0 or k > len(table):
            raise GameError(f".nfg outcome index {k} out of range 0..{len(table)}")
        flat += zero if k == 0 else table[k - 1]
    return flat


def _braced(toks, pos, nested=False):
    if pos >= len(toks) or toks[pos] != "{":
        raise GameError(f".nfg file: expected '{{' at token {pos}")
    pos += 1
    items = []
    while pos < len(toks) and toks[pos] != "}":
        if toks[pos] == "{" and nested:
            inner, pos = _braced(toks, pos, nested=True)
            items.append(inner)
            continue
        items.append(toks[pos])
        pos += 1
    if pos >= len(toks):
        raise GameError(".nfg file: unbalanced braces")
    return items, pos + 1


def _unquote(tok: str) -> str:
    return tok[1:-1]


def _int(tok: str) -> int:
    try:
        return int(tok)
    except ValueError:
        raise GameError(f".nfg file: expected an integer, got {tok!r}") from None


def _num(tok: str):
    from fractions import Fraction

    try:
        return to_exact(Fraction(tok) if "e" not in tok.lower() else float(tok), "payoff")
    except (ValueError, ZeroDivisionError):
        raise GameError(f".nfg file: expected a number, got {tok!r}") from None
