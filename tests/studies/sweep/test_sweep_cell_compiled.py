"""A sweep cell's basin map on the fused kernel (payoffs and lambda at run time)
against the numpy schedule, start for start."""

import numpy as np
import pytest

from eqselect.numerics.dynamics.kernels import fused as kernels
from eqselect.numerics.dynamics.starts import grid_starts, probability_to_parameters
from eqselect.studies.sweep import cell
from eqselect.theory.rules import PAPER, Rule

pytestmark = pytest.mark.skipif(not kernels.available(), reason="numba is not installed")


@pytest.mark.parametrize("game,param,method", [("stag-hunt", "logit", "meta-mapg"),
                                               ("chicken", "direct", "peer-only")])
def test_one_compiled_kernel_serves_every_payoff_and_lambda_start_for_start(
        game, param, method, monkeypatch):
    k = cell.kernel(cell.GameSpec(game, param), Rule(method), PAPER.eta)
    x0 = probability_to_parameters(k.game, grid_starts(2, 9, PAPER.grid_low, PAPER.grid_high))
    base = [float(v) for v in k.game.payoff_symbols.values()]
    opts = cell.CellOptions(grid=9, steps=60)
    for shift, lam in [(0.0, 0.0), (0.5, 1.5), (-0.25, 3.0)]:
        values = np.array([b + shift * (i == 0) for i, b in enumerate(base)])
        rule = Rule(method, lam=lam)
        monkeypatch.setattr(cell, "COMPILED_MIN_WORK", 0)
        fast = cell.cell_basin_map(k, values, rule, opts)
        monkeypatch.setattr(cell, "COMPILED_MIN_WORK", float("inf"))
        ref = cell.cell_basin_map(k, values, rule, opts)
        assert fast.problem.kernel == "numba" and ref.problem.kernel == "numpy"
        assert np.array_equal(fast.starts, x0) and np.array_equal(ref.starts, x0)
        assert fast.success.tolist() == ref.success.tolist()
        assert np.allclose(fast.final, ref.final, atol=1e-9) and fast.notes == ref.notes
    # compiled once for the rule, whatever the payoffs and lambda
    assert cell.compiled_field_kernel(k) is cell.compiled_field_kernel(k)


def test_a_cell_reads_the_same_on_either_kernel(monkeypatch):
    spec, opts = cell.GameSpec("stag-hunt", "logit"), cell.CellOptions(grid=9, steps=60)
    monkeypatch.setattr(cell, "COMPILED_MIN_WORK", 0)
    fast = cell.evaluate_cell(spec, {"a": 5}, Rule("peer-only", lam=2), opts)
    monkeypatch.setattr(cell, "COMPILED_MIN_WORK", float("inf"))
    ref = cell.evaluate_cell(spec, {"a": 5}, Rule("peer-only", lam=2), opts)
    assert fast.to_json() == ref.to_json()
