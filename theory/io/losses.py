"""What a game file or a foreign game object cannot hold of a game.

A game file (``.toml``, ``.json``, ``.nfg``) and the game objects of nashpy
and pygambit hold one normal-form game. What a target cannot represent is
named by `lost_in`:

- the states and transitions of a repeated or stochastic game (the IPD):
  only its stage game's payoff tables would be written, a different game;
- payoff symbols, in ``.nfg``, nashpy and pygambit, which hold numbers: each
  symbol would be replaced by its default;
- the entropy regularisation tau, in the same three targets.

Writers refuse such a game with `refuse_lossy` unless the caller passes
``allow_lossy=True`` (``eqselect convert --allow-lossy``).
"""

from __future__ import annotations

from eqselect.theory.errors import GameError
from eqselect.theory.game import Game

#: Targets that hold numbers only (no symbols, no tau).
NUMERIC_TARGETS = (".nfg", "nashpy", "pygambit")


def lost_in(game: Game, target: str) -> list[str]:
    """What writing ``game`` to ``target`` would lose, one phrase per part.

    Parameters
    ----------
    game : Game
    target : str
        A file suffix (``".toml"``, ``".json"``, ``".nfg"``) or
        ``"nashpy"`` / ``"pygambit"``.

    Examples
    --------
    >>> from eqselect.theory.games.builtins import builtin
    >>> lost_in(builtin("stag-hunt", symbolic=True), ".nfg")
    ['the payoff symbols a, b, c, d (each would take its default)']
    >>> lost_in(builtin("stag-hunt", symbolic=True), ".toml")
    []
    """
    lost = []
    if game.states > 1 or game.structure is not None:
        lost.append(f"the {game.states}-state repeated game (only its stage game's payoffs "
                    f"would be written)")
    if target.lower() in NUMERIC_TARGETS:
        if game.payoff_symbols:
            names = ", ".join(s.name for s in game.free_symbols)
            lost.append(f"the payoff symbols {names} (each would take its default)")
        if game.tau is not None:
            lost.append(f"the entropy regularisation tau = {game.tau} (only the plain "
                        f"payoffs would be written)")
    return lost


def refuse_lossy(game: Game, target: str, allow_lossy: bool) -> list[str]:
    """`lost_in`, or `GameError` naming the losses when ``allow_lossy`` is False.

    The message is one line: what would be lost and the way to write it anyway.
    """
    lost = lost_in(game, target)
    if lost and not allow_lossy:
        raise GameError(f"{target} cannot hold {'; '.join(lost)} of game {game.name!r}; "
                        f"pass allow_lossy=True (eqselect convert --allow-lossy) to write "
                        f"it anyway")
    return lost
