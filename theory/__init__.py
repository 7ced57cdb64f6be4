"""eqselect.theory: games and the exact own / peer decomposition (sympy)."""

from .builtins import BUILTINS, builtin, two_by_two
from .decomposition import COMPONENTS, ETA, Decomposition
from .entropy import entropy_regularized, shannon_entropy
from .game import Game, GameError, Region, RegionKind
from .ipd import ipd
from .methods import LAMBDA, OWN_COEF, Method, coefficients
from .normal_form import normal_form_game
from .parameterizations import Parameterization, sigmoid
from .tandem import tandem
from .unrolled import series_check, unrolled_meta_gradient

__all__ = [
    "BUILTINS", "COMPONENTS", "ETA", "LAMBDA", "OWN_COEF", "Decomposition", "Game",
    "GameError", "Method", "Parameterization", "Region", "RegionKind", "builtin",
    "coefficients", "entropy_regularized", "ipd", "normal_form_game", "series_check",
    "shannon_entropy", "sigmoid", "tandem", "two_by_two", "unrolled_meta_gradient",
]
