"""eqselect: equilibrium selection in multi-agent policy gradients, computable.

The public API re-exports the three layers: :mod:`eqselect.theory` (games and
the exact own / peer decomposition), :mod:`eqselect.numerics` (compiled
fields, equilibria, continuation, basins) and :mod:`eqselect.proofs_check`.
"""

from eqselect.signals import start_import_guard, stop_import_guard

_SAVED_HANDLERS = start_import_guard()  # a signal while importing: one line, no traceback

from eqselect.theory import (  # noqa: E402
    COMPONENTS, Decomposition, Game, GameError, Method, builtin, entropy_regularized, ipd,
    normal_form_game, tandem,
)

from eqselect.theory.serialize import package_version  # noqa: E402

stop_import_guard(_SAVED_HANDLERS)

__version__ = package_version()

__all__ = [
    "COMPONENTS", "Decomposition", "Game", "GameError", "Method", "builtin",
    "entropy_regularized", "ipd", "normal_form_game", "tandem",
]
