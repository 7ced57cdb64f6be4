"""Conversion to and from the game objects of nashpy and pygambit.

Both packages are optional: each function imports its package when called and
raises :class:`~eqselect.theory.errors.OptionsError` naming the package to
install when it is missing.

- nashpy (Knight and Campbell, 2018) holds a two-player game as the payoff
  matrices ``(A, B)`` of the row and column player, without names.
- pygambit (the Gambit project, version 17 API) holds an N-player strategic
  game with a title, a description, player labels and strategy labels;
  payoffs are exact rationals.

Payoffs pass exactly both ways (integers stay integers, rationals become
:class:`fractions.Fraction`). Neither package holds payoff symbols, entropy
tau or a repeated game: such a game is refused unless ``allow_lossy=True``
(then symbols take their defaults, see :mod:`eqselect.theory.io.losses`). Names pass both ways with pygambit; nashpy has none, so a game read
from nashpy gets the default names (docs/cli.md, "Game files").
"""

from __future__ import annotations

import importlib
from fractions import Fraction
from numbers import Integral

from eqselect.theory.errors import GameError, OptionsError
from eqselect.theory.game import Game
from eqselect.theory.games.normal_form import normal_form_game
from eqselect.theory.io.losses import refuse_lossy


def to_nashpy(game: Game, exact: bool = False, allow_lossy: bool = False):
    """The nashpy ``Game`` of a two-player normal-form game.

    Parameters
    ----------
    game : Game
    exact : bool
        False: integer arrays when every payoff is an integer, else float
        arrays (nashpy's algorithms compute in floating point). True: object
        arrays of ints and Fractions, exact whatever the payoffs (for storage;
        nashpy's linear-algebra routines refuse them).
    allow_lossy : bool
        Convert even what nashpy cannot hold whole (payoff symbols take their
        defaults; tau and a repeated game's states are dropped).

    Returns
    -------
    nashpy.Game

    Raises
    ------
    GameError
        A game that is not two-player normal-form, with an irrational payoff,
        or (without ``allow_lossy``) one nashpy cannot hold whole.
    OptionsError
        nashpy is not installed.
    """
    nash = _optional("nashpy")
    tables = payoff_tables(game, allow_lossy, "nashpy")
    if len(tables) != 2:
        raise GameError(f"nashpy holds two-player games; {game.name!r} has {len(tables)} players")
    np = importlib.import_module("numpy")
    integral = all(isinstance(x, int) for x in _flat(tables))
    dtype = object if exact else (np.int64 if integral else float)
    return nash.Game(*(np.array(t, dtype=dtype) for t in tables))


def _flat(obj):
    if isinstance(obj, list):
        for o in obj:
            yield from _flat(o)
    else:
        yield obj


def from_nashpy(nash_game, parameterization: str = "logit", name: str = "nashpy") -> Game:
    """An eqselect game from a nashpy ``Game`` (payoffs exact, default names).

    Floats become the rational with the same shortest decimal (0.55 -> 11/20).
    """
    tables = [_nested(m) for m in nash_game.payoff_matrices]
    return normal_form_game(tables, parameterization, name=name)


def to_pygambit(game: Game, allow_lossy: bool = False):
    """The pygambit ``StrategicGame`` of a normal-form game, names included.

    The title is the game's name and the description its description.
    ``allow_lossy`` converts even what pygambit cannot hold whole (as in
    `to_nashpy`).

    Raises
    ------
    GameError
        Not a normal-form game, an irrational payoff, or (without
        ``allow_lossy``) one pygambit cannot hold whole.
    OptionsError
        pygambit is not installed.
    """
    gbt = _optional("pygambit")
    np = importlib.import_module("numpy")
    tables = payoff_tables(game, allow_lossy, "pygambit")
    arrays = [np.array(_to_gambit(t, gbt), dtype=object) for t in tables]
    g = gbt.StrategicGame.from_arrays(*arrays, title=game.name)
    g.description = game.description
    defaults = list(g.players)
    for i, label in enumerate(defaults):
        g.relabel_strategies(label, {str(a + 1): game.action_name(i, a)
                                     for a in range(game.actions[i])})
    g.relabel_players({label: game.player_name(i) for i, label in enumerate(defaults)})
    return g


def from_pygambit(gambit_game, parameterization: str = "logit") -> Game:
    """An eqselect game from a pygambit strategic game, names included."""
    gbt = _optional("pygambit")
    arrays = gambit_game.to_arrays(dtype=gbt.Rational)
    tables = [_nested(a) for a in arrays]
    players = list(gambit_game.players)
    return normal_form_game(
        tables, parameterization, name=gambit_game.title or "gambit",
        description=gambit_game.description, players=players,
        action_names=[gambit_game.get_strategies(p) for p in players])


def payoff_tables(game: Game, allow_lossy: bool = False, target: str = "nashpy") -> list:
    """Every player's payoff tensor as nested lists of ints and Fractions.

    A game ``target`` cannot hold whole (`~eqselect.theory.io.losses.lost_in`)
    is refused unless ``allow_lossy``; then payoff symbols take their defaults.

    Examples
    --------
    >>> from eqselect.theory.games.builtins import builtin
    >>> payoff_tables(builtin("stag-hunt", symbolic=True), allow_lossy=True)[1]
    [[4, 3], [0, 2]]
    """
    if not game.payoffs:
        raise GameError(f"game {game.name!r} has no payoff tensors; only normal-form "
                        f"games convert")
    refuse_lossy(game, target, allow_lossy)
    numeric = game.substitute() if game.payoff_symbols else game
    return [_map(t, _python_number) for t in numeric.payoffs]


def _python_number(value):
    if not getattr(value, "is_Rational", False):
        raise GameError(f"payoff {value} is not rational; the conversion keeps payoffs exact")
    if value.is_Integer:
        return int(value)
    return Fraction(int(value.p), int(value.q))


def _to_gambit(table, gbt):
    return _map(table, lambda x: x if isinstance(x, int)
                else gbt.Rational(x.numerator, x.denominator))


def _nested(array) -> list:
    """Nested lists of exact numbers (ints, Fractions, or floats kept as decimals)."""
    data = array.tolist() if hasattr(array, "tolist") else array
    return _map(data, _exact_number)


def _exact_number(x):
    if isinstance(x, (Fraction, float)):
        return x
    if isinstance(x, Integral):
        return int(x)
    if hasattr(x, "numerator") and hasattr(x, "denominator"):  # gbt.Rational
        return Fraction(int(x.numerator), int(x.denominator))
    try:
        return float(x)  # numpy scalars
    except (TypeError, ValueError):
        raise GameError(f"payoff {x!r} is not a number") from None


def _map(obj, fn):
    if isinstance(obj, (list, tuple)):
        return [_map(o, fn) for o in obj]
    return fn(obj)


#: The extra of pyproject.toml that installs each optional package (pinned there).
EXTRAS = {"pygambit": "gambit", "nashpy": "nashpy"}


def _optional(package: str):
    try:
        return importlib.import_module(package)
    except ImportError:
        extra = EXTRAS.get(package, "all")
        raise OptionsError(f"this conversion needs the optional package {package!r}; "
                           f"install it with: pip install \"eqselect[{extra}]\" (from a "
                           f"clone: pip install -e \".[{extra}]\")") from None
