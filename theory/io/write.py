"""Write a normal-form game as a game file: ``.toml``, ``.json`` or Gambit ``.nfg``.

The inverse of :mod:`eqselect.theory.io.spec` (the format is in docs/cli.md,
"Game files"):

- ``.toml`` / ``.json`` keep everything a spec holds: name, description,
  player and action names, payoff tensors whose entries are integers, exact
  fractions (``"3/2"``) or expressions over the declared symbols, and the
  symbols with their defaults.
- ``.nfg`` is Gambit's payoff version, ``NFG 1 R "title" { players }
  { { strategies } ... }`` followed by every player's payoff for each pure
  profile, player 1's strategy changing fastest. It holds rational numbers
  only.

A game a format cannot hold whole (a repeated game in any of them; payoff
symbols or entropy tau in ``.nfg``, see :mod:`eqselect.theory.io.losses`) is
refused unless ``allow_lossy=True``; then the symbols take their defaults,
tau is dropped and a repeated game is written as its stage game.

Every file is parsed back by the game-file reader and compared with the
original before it is written, so a file this module writes always loads to
the same payoffs and names.
Files are written atomically: on any error nothing is left at the target.
"""

from __future__ import annotations

import itertools
import json
import os
import tempfile
from pathlib import Path

import sympy as sp
from sympy.printing.str import StrPrinter

from eqselect.theory.errors import GameError, OptionsError, OutputError
from eqselect.theory.exact import to_exact
from eqselect.theory.game import Game
from eqselect.theory.games.entropy import without_entropy
from eqselect.theory.io.expressions import parse_expression
from eqselect.theory.io.losses import refuse_lossy

SUFFIXES = (".toml", ".json", ".nfg")


def write_game(game: Game, path, *, default_parameterization: str = "logit",
               allow_lossy: bool = False) -> Path:
    """Write ``game`` to ``path``, the format chosen by the suffix.

    Parameters
    ----------
    game : Game
        A normal-form game (one with payoff tensors).
    path : str or Path
        Ends in ``.toml``, ``.json`` or ``.nfg``.
    default_parameterization : str
        A ``.toml`` / ``.json`` file states the game's parameterisation only
        when it differs from this one (the reader's default is logit).
    allow_lossy : bool
        Write even when the format cannot hold the whole game
        (`~eqselect.theory.io.losses.lost_in` names what is lost).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    OptionsError
        Unknown suffix or an unwritable location.
    GameError
        A game without payoff tensors, payoffs the format cannot hold
        exactly (an irrational payoff in ``.nfg``), or, without
        ``allow_lossy``, a game the format cannot hold whole.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise OptionsError(f"{path.name}: unknown game file type {suffix!r}; "
                           f"use {', '.join(SUFFIXES)}")
    if path.is_dir():  # bad input, found before the work: never a write that fails
        raise OptionsError(f"cannot write {str(path)[:200]!r}: it is a folder; give a file "
                           f"name ending in {suffix}")
    refuse_lossy(game, suffix, allow_lossy)
    game = stage_game(game)
    if suffix == ".nfg":
        game = without_entropy(game)  # the read-back check compares the plain payoffs
        text = nfg_text(game, allow_lossy=True)
    elif suffix == ".json":
        text = json.dumps(game_spec(game, default_parameterization), indent=2) + "\n"
    else:
        text = toml_text(game_spec(game, default_parameterization))
    _check_reads_back(game, text, suffix)
    _write_atomically(path, text)
    return path


def stage_game(game: Game) -> Game:
    """The one-shot game a repeated game is played on, named as what it is.

    A game with one state is returned unchanged. For a repeated game (the
    IPD) the stage game keeps the payoff tables and player names; its name
    and description say it is the stage game, so that a file written with
    ``allow_lossy`` does not describe the repeated game it no longer holds.
    A memory-one 2x2 game indexes action 0 as cooperate
    (:mod:`eqselect.theory.games.ipd`), so its actions are named C and D.

    Examples
    --------
    >>> from eqselect.theory.games.ipd import ipd
    >>> g = stage_game(ipd())
    >>> g.name, g.states, g.action_name(0, 1)
    ('ipd-stage', 1, 'D')
    """
    from eqselect.theory.games.normal_form import normal_form_game

    if game.states == 1 and game.structure is None:
        return game
    names = game.action_names or (
        (("C", "D"),) * game.n_agents if hasattr(game.structure, "P") else None)
    return normal_form_game(
        [_map(t, lambda x: x) for t in game.payoffs], game.parameterization,
        name=f"{game.name}-stage",
        description=f"stage game of the {game.description or game.name}",
        players=[game.player_name(i) for i in range(game.n_agents)], action_names=names)


def _check_reads_back(game: Game, text: str, suffix: str) -> None:
    """Parse ``text`` as the reader would and compare payoffs and names."""
    from eqselect.theory.io.spec import nfg_game, spec_game

    try:
        if suffix == ".nfg":
            back = nfg_game(text, "direct")
            want = game.substitute() if game.payoff_symbols else game
        else:
            data = json.loads(text) if suffix == ".json" else _toml_loads(text)
            back, want = spec_game(data, "direct"), game
    except GameError as exc:
        raise GameError(f"game {game.name!r} cannot be written as {suffix}: {exc}") from None
    same = (_map(back.payoffs, sp.simplify) == _map(want.payoffs, sp.simplify)
            and back.players == tuple(want.player_name(i) for i in range(want.n_agents)))
    if not same:
        raise GameError(f"game {game.name!r} does not read back unchanged from {suffix}")


def _toml_loads(text: str) -> dict:
    import tomllib

    return tomllib.loads(text)


def game_spec(game: Game, default_parameterization: str = "logit") -> dict:
    """The spec dictionary of a normal-form game (the shape ``spec_game`` reads).

    The ``parameterization`` key is written only when the game's differs from
    ``default_parameterization``.

    Examples
    --------
    >>> from eqselect.theory.games.builtins import builtin
    >>> spec = game_spec(builtin("stag-hunt", "direct", symbolic=True))
    >>> spec["payoffs"][0], spec["actions"], spec["symbols"]
    ([['a', 'b'], ['c', 'd']], [['C', 'D'], ['C', 'D']], {'a': 4, 'b': 0, 'c': 3, 'd': 2})
    """
    _require_payoffs(game)
    lookup = {s.name: s for s in game.payoff_symbols}
    spec = {"name": game.name}
    description = without_entropy(game).description  # the reader regularises again
    if description:
        spec["description"] = description
    if game.parameterization != default_parameterization:
        spec["parameterization"] = game.parameterization
    spec["players"] = [game.player_name(i) for i in range(game.n_agents)]
    spec["actions"] = [[game.action_name(i, a) for a in range(m)]
                       for i, m in enumerate(game.actions)]
    spec["payoffs"] = _map(game.payoffs, lambda e: _entry(e, lookup))
    if game.payoff_symbols:
        spec["symbols"] = {s.name: _entry(game.payoff_symbols[s], {})
                           for s in game.free_symbols}
    if game.tau is not None:
        spec["tau"] = _entry(game.tau, {})
    return spec


def toml_text(spec: dict) -> str:
    """TOML text for a spec dictionary (strings, ints, nested lists, one table).

    Examples
    --------
    >>> print(toml_text({"name": "g", "payoffs": [[1, "a"]], "symbols": {"a": 2}}), end="")
    name = "g"
    payoffs = [[1, "a"]]
    <BLANKLINE>
    [symbols]
    a = 2
    """
    lines = [f"{key} = {_toml_value(value)}" for key, value in spec.items()
             if not isinstance(value, dict)]
    for key, table in spec.items():
        if isinstance(table, dict):
            lines += ["", f"[{key}]"] + [f"{k} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def nfg_text(game: Game, allow_lossy: bool = False) -> str:
    """Gambit .nfg text (payoff version) of a normal-form game.

    Every payoff must be rational. A game with payoff symbols (or a repeated
    game) is refused unless ``allow_lossy``: then the symbols take their
    defaults (and a repeated game gives its stage game).

    Examples
    --------
    >>> from eqselect.theory.games.builtins import builtin
    >>> print(nfg_text(builtin("prisoners-dilemma")), end="")
    NFG 1 R "prisoner's dilemma: (D, D) the only equilibrium" { "1" "2" }
    { { "C" "D" } { "C" "D" } }
    ""
    <BLANKLINE>
    3 3 5 0 0 5 1 1
    """
    _require_payoffs(game)
    refuse_lossy(game, ".nfg", allow_lossy)
    game = without_entropy(game)
    numeric = game.substitute() if game.payoff_symbols else game
    tensors = [sp.ImmutableDenseNDimArray(t) for t in numeric.payoffs]
    counts = tuple(game.actions)
    title = _quote(game.description or game.name)
    players = " ".join(_quote(game.player_name(i)) for i in range(game.n_agents))
    strategies = " ".join(
        "{ " + " ".join(_quote(game.action_name(i, a)) for a in range(m)) + " }"
        for i, m in enumerate(counts))
    numbers = []
    for rev in itertools.product(*(range(m) for m in reversed(counts))):
        profile = tuple(reversed(rev))  # player 1's strategy changes fastest
        numbers += [_rational_text(t[profile]) for t in tensors]
    return (f"NFG 1 R {title} {{ {players} }}\n{{ {strategies} }}\n\"\"\n\n"
            + " ".join(numbers) + "\n")


def _require_payoffs(game: Game) -> None:
    """Refuse a game without payoff tensors."""
    if not game.payoffs or not game.actions:
        raise GameError(f"game {game.name!r} has no payoff tensors; only normal-form "
                        f"games can be written as game files")


class _SpecPrinter(StrPrinter):
    """sympy's str() in the game-file grammar (``exp(1)`` for E)."""

    def _print_Exp1(self, expr):
        return "exp(1)"


def _entry(expr, lookup: dict):
    """An int, or text the game-file parser reads back to exactly ``expr``."""
    expr = to_exact(expr, "payoff")
    if expr.is_Integer:
        return int(expr)
    text = _SpecPrinter().doprint(expr)
    try:
        same = parse_expression(text, lookup) == expr
    except GameError:
        same = False
    if not same:
        raise GameError(f"payoff {expr} cannot be written as a game-file expression "
                        f"(numbers, declared symbols, + - * / ^, exp, log, sqrt)")
    return text


def _rational_text(value) -> str:
    if not value.is_Rational:
        raise GameError(f"payoff {value} is not rational; Gambit .nfg files hold "
                        f"rational numbers only")
    return str(value)


def _quote(text: str) -> str:
    if '"' in text or "\\" in text:
        raise GameError(f"name {text!r} contains a quote or backslash; .nfg names cannot")
    return f'"{text}"'


def _toml_value(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string


def _map(obj, fn):
    if isinstance(obj, (list, tuple)):
        return [_map(o, fn) for o in obj]
    return fn(obj)


def created_mode(full: int = 0o666) -> int:
    """The permission bits ``open`` or ``mkdir`` would give a new file (``full``
    0o666) or folder (0o777) under the process's umask. A temporary file or
    folder is created private (0o600, 0o700); what it becomes once renamed
    into place gets these bits instead, as if created there directly.

    Examples
    --------
    >>> created_mode(0o777) & ~0o777
    0
    """
    mask = os.umask(0o022)  # reading the umask means setting it: set it straight back
    os.umask(mask)
    return full & ~mask


def _write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder, then rename; the file
    keeps the mode of the one it replaces, or gets the umask's mode when new."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:  # no file there yet (or none readable): a new file's mode
        mode = created_mode()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as exc:
        raise OptionsError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}; {path.name} is left "
                          "as it was") from None
