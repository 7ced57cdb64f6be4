"""eqselect.theory.games: built-in games and games from payoff tensors.

Two-by-two games with numeric or symbolic payoffs, Tandem (Letcher et al.
2019), the memory-one iterated prisoner's dilemma, N-player normal-form games,
and entropy regularisation (docs/theory.md, "Games").
"""

from eqselect.theory.games.builtins import BUILTINS, builtin, two_by_two
from eqselect.theory.games.entropy import entropy_regularized, shannon_entropy
from eqselect.theory.games.ipd import ipd
from eqselect.theory.games.normal_form import game_names, normal_form_game, payoff_tensors
from eqselect.theory.games.tandem import tandem

__all__ = ["BUILTINS", "builtin", "entropy_regularized", "game_names", "ipd",
           "normal_form_game", "payoff_tensors", "shannon_entropy", "tandem", "two_by_two"]
