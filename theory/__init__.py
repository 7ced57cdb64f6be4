"""eqselect.theory: games and the exact own / peer decomposition (sympy)."""

from eqselect.theory.games.builtins import BUILTINS, builtin, two_by_two
from eqselect.theory.decomposition import COMPONENTS, ETA, Decomposition
from eqselect.theory.games.entropy import entropy_regularized, shannon_entropy
from eqselect.theory.game import Game, GameError, Region, RegionKind
from eqselect.theory.games.ipd import ipd
from eqselect.theory.errors import EqselectError, OptionsError
from eqselect.theory.rules import LAMBDA, OWN_COEF, PAPER, Method, Rule, as_rule, coefficients
from eqselect.theory.games.normal_form import normal_form_game
from eqselect.theory.parameterizations import Parameterization, sigmoid
from eqselect.theory.games.tandem import tandem
from eqselect.theory.unrolled import series_check, unrolled_meta_gradient

__all__ = [
    "BUILTINS", "COMPONENTS", "ETA", "LAMBDA", "OWN_COEF", "PAPER", "Decomposition",
    "EqselectError", "Game", "GameError", "Method", "OptionsError", "Rule", "as_rule", "Parameterization", "Region", "RegionKind", "builtin",
    "coefficients", "entropy_regularized", "ipd", "normal_form_game", "series_check",
    "shannon_entropy", "sigmoid", "tandem", "two_by_two", "unrolled_meta_gradient",
]
