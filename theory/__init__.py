"""eqselect.theory: games and the exact own / peer decomposition (sympy).

Sub-packages: ``games`` (built-ins, normal-form, IPD, Tandem, entropy) and
``io`` (game files, Gambit .nfg, nashpy / pygambit conversion). The
decomposition cur / own / peer / lookahead and the rules built from it are in
docs/theory.md and docs/rules.md.
"""

from eqselect.theory.games.builtins import BUILTINS, builtin, two_by_two
from eqselect.theory.decomposition import COMPONENTS, ETA, Decomposition
from eqselect.theory.games.entropy import entropy_regularized, shannon_entropy
from eqselect.theory.game import Game, GameError, Region, RegionKind
from eqselect.theory.games.ipd import ipd
from eqselect.theory.errors import EqselectError, OptionsError
from eqselect.theory.lazy import lazy_exports
from eqselect.theory.rules import LAMBDA, OWN_COEF, PAPER, Method, Rule, as_rule, coefficients
from eqselect.theory.games.normal_form import normal_form_game
from eqselect.theory.parameterizations import Parameterization, sigmoid
from eqselect.theory.games.tandem import tandem
from eqselect.theory.unrolled import series_check, unrolled_meta_gradient

_EAGER = [
    "BUILTINS", "COMPONENTS", "ETA", "LAMBDA", "OWN_COEF", "PAPER", "Decomposition",
    "EqselectError", "Game", "GameError", "Method", "OptionsError", "Rule", "as_rule", "Parameterization", "Region", "RegionKind", "builtin",
    "coefficients", "entropy_regularized", "ipd", "normal_form_game", "series_check",
    "shannon_entropy", "sigmoid", "tandem", "two_by_two", "unrolled_meta_gradient",
]
# game files are read and written on first use
__getattr__, __dir__, _LAZY = lazy_exports(__name__, {
    "eqselect.theory.io.resolve": ["load_game"],
    "eqselect.theory.io.spec": ["load_spec"],
    "eqselect.theory.io.write": ["write_game"],
}, globals())
__all__ = _EAGER + _LAZY
