"""Games from Gambit's ``.nfg`` format (payoff and outcome versions).

The header is ``NFG 1 R "title" { "player 1" "player 2" ... } { strategies }``
where the strategies are either counts (``{ 2 2 }``) or lists of names
(``{ { "C" "D" } { "C" "D" } }``), then an optional comment string. The
payoff version lists, for every pure profile with player 1's strategy
changing fastest, every player's payoff; the outcome version lists outcomes
``{ "name" u_1, ..., u_N }`` and then one outcome index per profile
(0 = all zero). Every malformed file raises `GameError`.
"""

from __future__ import annotations

import itertools
import math
import re
from fractions import Fraction

import sympy as sp

from eqselect.theory.errors import GameError
from eqselect.theory.exact import to_exact
from eqselect.theory.game import Game
from eqselect.theory.games.normal_form import normal_form_game
from eqselect.theory.limits import check_parameters, current
from eqselect.theory.io.file_values import check_display_text

_NFG_TOKEN = re.compile(
    r'\s*("(?:[^"\\]|\\.)*"|\{|\}|,|[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:/\d+)?(?:[eE][-+]?\d+)?|\S+)')
#: Braces nest at most this deep in a valid file (outcomes and strategy names: 2).
_MAX_BRACES = 2


def nfg_game(text: str, parameterization: str = "logit", name: str = "nfg") -> Game:
    """A game from the text of a Gambit .nfg file (see the module docstring).

    Raises
    ------
    GameError
        For a missing or truncated header, fewer than two players, a player
        with fewer than two strategies, a wrong number of payoffs or outcome
        indices, or a number that breaks the limits.
    """
    toks = [t for t in _NFG_TOKEN.findall(text) if t]
    if len(toks) < 3 or toks[0] != "NFG" or toks[2] not in ("R", "D"):
        raise GameError("not a Gambit .nfg file: it must start with 'NFG 1 R'")
    pos = 3
    title = name
    if pos < len(toks) and toks[pos].startswith('"'):
        title, pos = toks[pos][1:-1], pos + 1
    check_display_text(title, "the .nfg title", line_breaks=True)
    players, pos = _braced(toks, pos)
    if len(players) < 2:
        raise GameError(f".nfg file declares {len(players)} players; need at least 2")
    strat, pos = _braced(toks, pos)
    counts = [len(s) if isinstance(s, list) else _int(s) for s in strat]
    if len(counts) != len(players):
        raise GameError(f".nfg file has {len(players)} players but {len(counts)} strategy lists")
    if any(m < 2 for m in counts):
        raise GameError(f".nfg file: every player needs at least two strategies; got {counts}")
    check_parameters(sum(m - 1 for m in counts), f"the .nfg game {name!r}")
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


def _unquote(tok: str) -> str:
    return tok[1:-1] if len(tok) >= 2 and tok[0] == tok[-1] == '"' else tok


def _tensors(flat, counts):
    n = len(counts)
    tensors = [sp.MutableDenseNDimArray.zeros(*counts) for _ in range(n)]
    profiles = itertools.product(*(range(m) for m in reversed(counts)))
    for k, rev in enumerate(profiles):
        idx = tuple(reversed(rev))  # player 1 changes fastest
        for i in range(n):
            tensors[i][idx] = flat[k * n + i]
    return [t.tolist() for t in tensors]


def _outcome_payoffs(toks, n_players, n_profiles):
    outcomes, pos = _braced(toks, 0)
    table = []
    for o in outcomes:
        if not isinstance(o, list):
            raise GameError(".nfg outcome list must hold { \"name\" payoffs } entries")
        if any(isinstance(x, list) for x in o):
            raise GameError(".nfg outcome entries hold a name and numbers, not braces")
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


def _braced(toks, pos):
    """The items of the brace group at ``pos`` (inner groups as lists), read
    with an explicit stack, and the position after its closing brace."""
    if pos >= len(toks) or toks[pos] != "{":
        raise GameError(f".nfg file: expected '{{' at token {pos} (is the header truncated?)")
    stack = [[]]
    pos += 1
    while pos < len(toks):
        tok = toks[pos]
        pos += 1
        if tok == "{":
            if len(stack) >= _MAX_BRACES:
                raise GameError(f".nfg file: braces nest deeper than {_MAX_BRACES} levels")
            stack.append([])
        elif tok == "}":
            done = stack.pop()
            if not stack:
                return done, pos
            stack[-1].append(done)
        else:
            stack[-1].append(tok)
    raise GameError(".nfg file: unbalanced braces (is the file truncated?)")


def _int(tok) -> int:
    if not isinstance(tok, str) or not re.fullmatch(r"[-+]?\d{1,18}", tok):
        raise GameError(f".nfg file: expected an integer, got {str(tok)[:40]!r}")
    return int(tok)


def _num(tok: str):
    if not isinstance(tok, str) or sum(c.isdigit() for c in tok) > current().max_digits:
        raise GameError(f".nfg file: expected a number of at most {current().max_digits} "
                        f"digits, got {str(tok)[:40]!r}")
    try:
        value = Fraction(tok) if "e" not in tok.lower() else float(tok)
    except (ValueError, ZeroDivisionError):
        raise GameError(f".nfg file: expected a number, got {tok[:40]!r}") from None
    return to_exact(value, ".nfg payoff")
