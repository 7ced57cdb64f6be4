"""Entropy regularisation as a game transform.

J_i^tau(phi) = J_i(phi) + tau * H(pi_i), with the Shannon entropy
H(pi_i) = -sum_s sum_a pi_i(a | s) log pi_i(a | s) (natural log), summed over
states for tabular policies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import sympy as sp

from eqselect.theory.exact import to_exact
from eqselect.theory.game import Game, GameError
from eqselect.theory.validate import temperature


def shannon_entropy(probabilities) -> sp.Expr:
    """-sum p log p, exact.

    Each probability must be a number or a sympy expression: text is refused
    before it can reach sympy (``sp.log`` of a string would parse it).

    Raises
    ------
    GameError
        For a non-sequence, text, or a value that is not a real number.

    Examples
    --------
    >>> shannon_entropy([sp.Rational(1, 2), sp.Rational(1, 2)])
    log(2)
    """
    if isinstance(probabilities, (str, bytes)) or not isinstance(probabilities, Iterable):
        raise GameError("shannon_entropy takes a sequence of probabilities, "
                        f"got {type(probabilities).__name__}")
    ps = [to_exact(p, "a probability") for p in probabilities]
    return -sum((p * sp.log(p) for p in ps if p != 0), sp.Integer(0))


def entropy_regularized(game: Game, tau) -> Game:
    """The game with every value raised by tau times its agent's policy entropy.

    Parameters
    ----------
    game : Game
        A finite game (its ``strategies`` are needed).
    tau : number or sympy.Expr
        Temperature, >= 0 when numeric.

    Raises
    ------
    GameError
        For continuous games (no policy to take the entropy of) or tau < 0.
    """
    if not isinstance(game, Game):
        raise GameError(f"entropy_regularized takes a Game, got {type(game).__name__}")
    tau = to_exact(tau, "temperature tau")
    if tau.is_number and tau < 0:
        raise GameError(f"temperature tau must be >= 0, got {tau}")
    tau = temperature(tau)  # bounded above: past 10^12 the payoffs vanish beside the entropy
    if not game.strategies:
        raise GameError(f"game {game.name!r} has continuous parameters; entropy needs a policy")
    if game.tau is not None:  # a second term would go unrecorded in game.tau
        raise GameError(f"game {game.name!r} is already entropy-regularised (tau = {game.tau}); "
                        "regularise the plain game (see without_entropy)")
    values = tuple(
        v + tau * shannon_entropy(game.strategies[i]) for i, v in enumerate(game.values))
    return replace(game, values=values, tau=tau,
                   description=f"{game.description}{_SUFFIX.format(tau=tau)}")


def has_entropy_term(game: Game) -> bool:
    """Whether ``game`` carries an entropy term tau H(pi): ``game.tau`` set and not zero.

    Read from ``game.tau``, never from a log in the values: a payoff such as
    log(3) is no entropy term.

    Examples
    --------
    >>> from eqselect.theory.games.normal_form import normal_form_game
    >>> g = normal_form_game([[[sp.log(3), 0], [0, 1]], [[1, 0], [0, 1]]], "direct")
    >>> has_entropy_term(g), has_entropy_term(entropy_regularized(g, sp.Rational(1, 4)))
    (False, True)
    """
    tau = game.tau
    return tau is not None and not (tau.is_number and tau == 0)


#: What `entropy_regularized` appends to a game's description.
_SUFFIX = "; entropy-regularised, tau = {tau}"


def without_entropy(game: Game) -> Game:
    """The plain game of an entropy-regularised one (itself when ``game.tau`` is None).

    J_i = J_i^tau - tau * H(pi_i), exactly: sympy cancels the entropy term that
    `entropy_regularized` added.

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> plain = builtin("stag-hunt", "direct")
    >>> without_entropy(entropy_regularized(plain, sp.Rational(1, 10))) == plain
    True
    """
    if not isinstance(game, Game):
        raise GameError(f"without_entropy takes a Game, got {type(game).__name__}")
    if game.tau is None:
        return game
    values = tuple(v - game.tau * shannon_entropy(game.strategies[i])
                   for i, v in enumerate(game.values))
    return replace(game, values=values, tau=None,
                   description=game.description.removesuffix(_SUFFIX.format(tau=game.tau)))
