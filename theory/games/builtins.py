"""The built-in games, by name.

Two-action games use index 0 = cooperate (stag, swerve, ...). With
``symbolic=True`` the row player's payoffs are the symbols a, b, c, d of
[[a, b], [c, d]] (their defaults are the numbers below) and the column
player's payoffs follow the game's structure:

=================  =====================  ==========================
game               row payoff (default)   column payoff
=================  =====================  ==========================
stag-hunt          [[4, 0], [3, 2]]       transpose (symmetric)
prisoners-dilemma  [[3, 0], [5, 1]]       transpose
chicken            [[0, -1], [1, -10]]    transpose
coordination       [[2, 0], [0, 1]]       transpose
matching-pennies   [[1, -1], [-1, 1]]     negative (zero-sum)
battle-of-sexes    [[3, 0], [0, 2]]       [[d, b], [c, a]] (roles swapped)
=================  =====================  ==========================

Also ``tandem`` (Letcher et al. 2019) and the memory-one iterated prisoner's
dilemma ``ipd`` (discounted, gamma = 24/25), ``ipd-finite`` (H rounds) and
``ipd-lola`` (Foerster et al.'s rewards [[-1, -3], [0, -2]], gamma = 24/25),
and Stag Hunt on graphs (`eqselect.theory.games.networks`: ``stag-hunt-ring``,
``stag-hunt-lattice``, ``stag-hunt-small-world``, ``stag-hunt-scale-free``).
"""

from __future__ import annotations

from typing import Callable

import sympy as sp

from eqselect.theory.game import Game, GameError
from eqselect.theory.games.ipd import ipd, ipd_lola
from eqselect.theory.games.networks import NETWORKS, network_builtin
from eqselect.theory.games.normal_form import normal_form_game
from eqselect.theory.games.tandem import tandem

A, B, C, D = sp.symbols("a b c d")

_TWO_BY_TWO = {
    "stag-hunt": (((4, 0), (3, 2)), "transpose",
                  "Stag Hunt: (C, C) payoff-dominant, (D, D) risk-dominant"),
    "prisoners-dilemma": (((3, 0), (5, 1)), "transpose",
                          "prisoner's dilemma: (D, D) the only equilibrium"),
    "chicken": (((0, -1), (1, -10)), "transpose", "chicken (hawk-dove), index 0 = swerve"),
    "coordination": (((2, 0), (0, 1)), "transpose",
                     "pure coordination: (0, 0) payoff-dominant"),
    "matching-pennies": (((1, -1), (-1, 1)), "negative", "matching pennies (zero-sum)"),
    "battle-of-sexes": (((3, 0), (0, 2)), "swap", "battle of the sexes"),
}


def two_by_two(name: str, parameterization: str = "logit", symbolic: bool = False) -> Game:
    """One of the built-in 2x2 games (see the module table)."""
    default, rule, text = _TWO_BY_TWO[name]
    if symbolic:
        (a, b), (c, d) = (A, B), (C, D)
        symbols = dict(zip((A, B, C, D), (default[0][0], default[0][1],
                                          default[1][0], default[1][1])))
    else:
        (a, b), (c, d) = default
        symbols = {}
    row = ((a, b), (c, d))
    if rule == "transpose":
        col = ((a, c), (b, d))
    elif rule == "negative":
        col = ((-a, -b), (-c, -d))
    else:
        col = ((d, b), (c, a))
    names = _ACTION_NAMES.get(name, ("C", "D"))
    return normal_form_game([row, col], parameterization, name=name,
                            payoff_symbols=symbols, description=text,
                            action_names=(names, names))


#: Action names of the 2x2 games other than cooperate / defect ("C", "D").
_ACTION_NAMES = {"matching-pennies": ("H", "T"), "coordination": ("A", "B")}


def _ipd(parameterization: str = "logit", symbolic: bool = False) -> Game:
    _no_symbolic("ipd", symbolic)
    return ipd(parameterization)


def _ipd_finite(parameterization: str = "logit", symbolic: bool = False) -> Game:
    _no_symbolic("ipd-finite", symbolic)
    return ipd(parameterization, horizon=3)


def _ipd_lola(parameterization: str = "logit", symbolic: bool = False) -> Game:
    _no_symbolic("ipd-lola", symbolic)
    return ipd_lola(parameterization)


def _tandem(parameterization: str | None = None, symbolic: bool = False) -> Game:
    _no_symbolic("tandem", symbolic)
    if parameterization not in (None, "continuous"):
        raise GameError("tandem has continuous parameters x, y; --param does not apply")
    return tandem()


def _no_symbolic(name, symbolic):
    if symbolic:
        raise GameError(f"{name} has no symbolic payoff form; drop --symbolic")


BUILTINS: dict[str, Callable[..., Game]] = {
    **{name: (lambda p="logit", symbolic=False, _n=name: two_by_two(_n, p, symbolic))
       for name in _TWO_BY_TWO},
    "tandem": _tandem,
    "ipd": _ipd,
    "ipd-finite": _ipd_finite,
    "ipd-lola": _ipd_lola,
    **{name: (lambda p="logit", symbolic=False, _n=name: network_builtin(_n, p, symbolic))
       for name in NETWORKS},
}

#: Games whose parameters are not a policy parameterisation.
CONTINUOUS = {"tandem"}


def builtin(name: str, parameterization: str | None = None, symbolic: bool = False) -> Game:
    """A built-in game by name.

    Parameters
    ----------
    name : str
        One of ``BUILTINS``.
    parameterization : str or None
        None for the game's default (logit for finite games).
    symbolic : bool
        Keep the 2x2 payoffs as symbols a, b, c, d.

    Raises
    ------
    GameError
        For an unknown name (the message lists the valid ones), a
        parameterisation that is not a name, or ``symbolic`` not a bool.
    """
    if not isinstance(name, str) or name not in BUILTINS:
        raise GameError(f"unknown game {str(name)[:60]!r}; built-ins: {', '.join(sorted(BUILTINS))}")
    if parameterization is not None and not isinstance(parameterization, str):
        raise GameError(f"parameterization must be a name or None, got {parameterization!r}"[:200])
    if not isinstance(symbolic, bool):
        raise GameError(f"symbolic must be True or False, got {symbolic!r}"[:200])
    if parameterization is None and name not in CONTINUOUS:
        parameterization = "logit"
    return BUILTINS[name](parameterization, symbolic=symbolic)
