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
continuation and basins from :mod:`eqselect.numerics`. Every name is imported
on first use (PEP 562), so ``import eqselect`` imports neither sympy nor numpy
and the command line (:mod:`eqselect.cli`) starts in a few hundredths of a
second; ``eq.Decomposition`` imports the theory the first time it is read. The
theory is in docs/theory.md, the rules in docs/rules.md, the command line in
docs/cli.md.
"""

import importlib

#: Where each public name lives; its module is imported when the name is first read.
_EXPORTS = {
    "eqselect.theory": [
        "COMPONENTS", "PAPER", "Decomposition", "EqselectError", "Game", "GameError", "Method",
        "OptionsError", "Rule", "as_rule", "builtin", "entropy_regularized", "ipd",
        "normal_form_game", "tandem"],
    "eqselect.theory.io.resolve": ["load_game"],
    "eqselect.theory.io.spec": ["load_spec"],
    "eqselect.theory.io.write": ["write_game"],
    "eqselect.api": ["find_equilibria", "continue_in_lambda", "continue_in_parameter",
                     "basin_map", "basin_monte_carlo", "select_outcomes"],
    "eqselect.numerics.fixed_points.core.record": ["Equilibrium"],
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def _package_version() -> str:
    """The installed eqselect version ("unknown" when run from a bare tree).

    Read from the name of the installed metadata folder
    (``eqselect-0.2.0.dist-info``, the first on ``sys.path``, as
    ``importlib.metadata`` finds it) when there is one: importing
    ``importlib.metadata`` alone takes longer than the rest of
    ``eqselect --version``.
    """
    import os
    import sys

    prefix, suffix = "eqselect-", ".dist-info"
    for entry in sys.path:
        try:
            names = os.listdir(entry or os.curdir)
        except OSError:
            continue
        found = [n for n in names if n.startswith(prefix) and n.endswith(suffix)]
        if found:
            return found[0][len(prefix):-len(suffix)]
    from importlib import metadata

    try:
        return metadata.version("eqselect")
    except metadata.PackageNotFoundError:
        return "unknown"


def __getattr__(name: str):
    # the theory package's own lazy_exports helper is not used here: importing
    # it would import eqselect.theory, which is what this module defers
    if name == "__version__":
        value = _package_version()
    elif name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list:
    return sorted(set(globals()) | set(_WHERE) | {"__version__"})
