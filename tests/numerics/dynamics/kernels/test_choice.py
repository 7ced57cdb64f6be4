"""The default loop of a basin problem: the faster of the kernel and the numpy reference."""

import numpy as np
import pytest

from eqselect.api import basin_map, basin_monte_carlo
from eqselect.numerics.dynamics.basins import run_basins
from eqselect.numerics.dynamics.kernels import choice
from eqselect.numerics.dynamics.problem import BasinProblem
from eqselect.numerics.dynamics.starts import GridStarts
from eqselect.theory import PAPER, Decomposition, Rule, builtin, ipd

needs_numba = pytest.mark.skipif(not choice.numba_installed(), reason="numba is not installed")


@pytest.fixture(scope="module")
def stag():
    return Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)


def test_small_maps_of_small_games_run_on_numpy_large_ones_on_the_kernel(stag):
    small = BasinProblem(stag, Rule("meta-mapg"), GridStarts(21))
    assert choice.choose_kernel(small, 441) == ("numpy", ())
    n = -(-choice.NUMBA_MIN_WORK // small.steps)  # just enough start-steps
    expected = "numba" if choice.numba_installed() else "numpy"
    assert choice.choose_kernel(small, n)[0] == expected
    assert choice.choose_kernel(small, n - 1)[0] == "numpy"


def test_a_large_game_takes_the_kernel_and_a_named_kernel_is_kept(stag):
    dec = Decomposition(ipd("logit").substitute(), eta=PAPER.eta)
    problem = BasinProblem(dec, Rule("pg"), GridStarts(2), steps=3)
    assert len(dec.game.parameters) > choice.SMALL_DIMENSION
    assert choice.choose_kernel(problem, 4)[0] == (
        "numba" if choice.numba_installed() else "numpy")
    for kernel in ("numpy", "numba"):
        named = BasinProblem(stag, Rule("pg"), kernel=kernel)
        assert choice.choose_kernel(named, 10 ** 9) == (kernel, ())


def test_the_flow_and_sources_without_a_kernel_run_on_numpy(stag, monkeypatch):
    monkeypatch.setattr(choice, "NUMBA_MIN_WORK", 0)
    flow = BasinProblem(stag, Rule("pg"), schedule="flow")
    assert choice.choose_kernel(flow, 10 ** 6) == ("numpy", ())

    class Plain:  # a gradient source with no compiled kernel
        def components(self, x):
            return {"cur": np.zeros_like(x)}

    sourced = BasinProblem(None, Rule("pg"), source=Plain(), game=stag.game)
    assert choice.choose_kernel(sourced, 10 ** 6) == ("numpy", ())


def test_sos_goes_to_the_kernel_path_which_labels_its_numpy_run(stag):
    problem = BasinProblem(stag, Rule("sos"), GridStarts(5), steps=10)
    assert choice.choose_kernel(problem, 25)[0] == "numba"
    bm = run_basins(problem)
    assert any("weight p is chosen pointwise" in n for n in bm.notes)


def test_without_numba_the_numpy_kernel_runs_with_a_note(stag, monkeypatch):
    monkeypatch.setattr(choice, "NUMBA_MIN_WORK", 0)
    monkeypatch.setattr(choice, "numba_installed", lambda: False)
    bm = basin_map(stag, "meta-mapg", grid=7, steps=30)
    ref = basin_map(stag, "meta-mapg", grid=7, steps=30, kernel="numpy")
    assert bm.kernel == "numpy" and bm.problem.kernel == "auto"
    assert any("numba is not installed" in n for n in bm.notes)
    assert bm.success.tolist() == ref.success.tolist() and not ref.notes


@needs_numba
def test_the_api_default_takes_the_kernel_past_the_threshold_with_the_same_map(
        stag, monkeypatch):
    """The default changes the loop, never the map: start for start equal to
    both named kernels, on a grid and on random starts."""
    monkeypatch.setattr(choice, "NUMBA_MIN_WORK", 1000)
    auto = basin_map(stag, "meta-mapg", grid=15, steps=60)
    assert auto.kernel == "numba" and auto.problem.kernel == "auto"
    for kernel in ("numpy", "numba"):
        named = basin_map(stag, "meta-mapg", grid=15, steps=60, kernel=kernel)
        assert named.kernel == named.problem.kernel == kernel
        assert named.success.tolist() == auto.success.tolist()
        assert named.first_hit.tolist() == auto.first_hit.tolist()
        assert np.allclose(named.final, auto.final, atol=1e-9)
    sampled = basin_monte_carlo(stag, "pg", n=300, seed=2, steps=60)
    ref = basin_monte_carlo(stag, "pg", n=300, seed=2, steps=60, kernel="numpy")
    assert sampled.kernel == "numba" and sampled.interval == ref.interval
    assert sampled.success.tolist() == ref.success.tolist()
