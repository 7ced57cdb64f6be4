"""eqselect: equilibrium selection in multi-agent policy gradients, computable.

The everyday API in one import::

    >>> import eqselect as eq
    >>> game = eq.builtin("stag-hunt", "direct")
    >>> dec = eq.Decomposition(game, eta=eq.PAPER.eta)
    >>> found = eq.find_equilibria(dec, "pg")
    >>> sorted(str(e.exact) for e in found.equilibria)
    ['(0, 0)', '(1, 1)', '(2/3, 2/3)']

Games (:func:`builtin`, :func:`normal_form_game`, :func:`load_game` for a name
or a file, :func:`load_spec` for a file, :func:`write_game`), the exact
:class:`Decomposition` and the learning :class:`Rule` with the paper's
defaults :data:`PAPER` come from :mod:`eqselect.theory`; equilibria,
continuation and basins from :mod:`eqselect.numerics`, imported on first use so
that ``import eqselect`` stays light (no matplotlib). The theory is in
docs/theory.md, the rules in docs/rules.md, the command line in docs/cli.md.
"""

from eqselect.signals import start_import_guard, stop_import_guard

_SAVED_HANDLERS = start_import_guard()  # the command line: a signal while importing is one line

from eqselect.theory import (  # noqa: E402
    COMPONENTS, PAPER, Decomposition, EqselectError, Game, GameError, Method, OptionsError,
    Rule, as_rule, builtin, entropy_regularized, ipd, normal_form_game, tandem,
)
from eqselect.theory.lazy import lazy_exports  # noqa: E402
from eqselect.theory.serialize import package_version  # noqa: E402

stop_import_guard(_SAVED_HANDLERS)

__version__ = package_version()

_EAGER = [
    "COMPONENTS", "PAPER", "Decomposition", "EqselectError", "Game", "GameError", "Method",
    "OptionsError", "Rule", "as_rule", "builtin", "entropy_regularized", "ipd",
    "normal_form_game", "tandem",
]
__getattr__, __dir__, _LAZY = lazy_exports(__name__, {
    "eqselect.theory.io.resolve": ["load_game"],
    "eqselect.theory.io.spec": ["load_spec"],
    "eqselect.theory.io.write": ["write_game"],
    "eqselect.api": ["find_equilibria", "continue_in_lambda", "continue_in_parameter",
                     "basin_map", "basin_monte_carlo", "select_outcomes"],
    "eqselect.numerics.fixed_points.core.record": ["Equilibrium"],
}, globals())
__all__ = _EAGER + _LAZY
