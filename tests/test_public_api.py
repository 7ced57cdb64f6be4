"""The public API: one import for the everyday names, every export resolves, and
``import eqselect`` stays light (names exported the way nashpy does)."""

import importlib
import subprocess
import sys

import pytest

PACKAGES = ["eqselect", "eqselect.theory", "eqselect.theory.games", "eqselect.theory.io",
            "eqselect.numerics", "eqselect.numerics.fixed_points",
            "eqselect.numerics.continuation", "eqselect.numerics.dynamics",
            "eqselect.numerics.sources", "eqselect.numerics.plots",
            "eqselect.studies", "eqselect.studies.replay", "eqselect.studies.report"]

EVERYDAY = ["builtin", "normal_form_game", "load_game", "load_spec", "Game", "Decomposition",
            "Rule", "PAPER", "find_equilibria", "continue_in_lambda", "continue_in_parameter",
            "basin_map", "basin_monte_carlo", "EqselectError", "GameError", "OptionsError"]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_export_resolves(package):
    module = importlib.import_module(package)
    assert module.__all__, f"{package} exports nothing"
    for name in module.__all__:
        assert getattr(module, name) is not None
        assert name in dir(module)
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        module.no_such_name


def test_everyday_api_in_one_import():
    import eqselect
    from eqselect import api
    assert set(EVERYDAY) <= set(eqselect.__all__)
    # the facade resolves what a user typed, then calls the numerics with a Rule
    assert eqselect.find_equilibria is api.find_equilibria
    assert eqselect.basin_map is api.basin_map


def test_import_is_light():
    code = ("import sys, eqselect; "
            "print(sorted(m for m in sys.modules if m.startswith(('matplotlib', "
            "'eqselect.numerics', 'pygambit', 'nashpy', 'scipy'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
