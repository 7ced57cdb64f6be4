"""A sweep cell's basin map on the fused kernel (payoffs and lambda at run time)
against the numpy schedule, start for start."""

import numpy as np
import pytest

from eqselect.numerics.dynamics.kernels import fused as kernels
from eqselect.numerics.dynamics.basins import grid_starts, probability_to_parameters
from eqselect.numerics.sweep import cell
from eqselect.theory.rules import PAPER, Rule

pytestmark = pytest.mark.skipif(not kernels.available(), reason="numba is not installed")


@pytest.mark.parametrize("game,param,method", [("stag-hunt", "logit", "meta-mapg"),
                                               ("chicken", "direct", "peer-only")])
def test_one_compiled_kernel_serves_every_payoff_and_lambda_start_for_start(
        game, param, method, monkeypatch):
    k = cell.kernel(cell.GameSpec(game, param), Rule(method), PAPER.eta)
    x0 = probability_to_parameters(k.game, grid_starts(2, 9, PAPER.grid_low, PAPER.grid_high))
    base = [float(v) for v in k.game.payoff_symbols.values()]
    for shift, lam in [(0.0, 0.0), (0.5, 1.5), (-0.25, 3.0)]:
        p = np.array([b + shift * (i == 0) for i, b in enumerate(base)] + [lam])
        monkeypatch.setattr(cell, "COMPILED_MIN_WORK", 0)
        fast, fast_notes = cell.schedule_run(k, x0, p, 60)
        monkeypatch.setattr(cell, "COMPILED_MIN_WORK", float("inf"))
        ref, ref_notes = cell.schedule_run(k, x0, p, 60)
        assert k.success(fast).tolist() == k.success(ref).tolist()
        assert np.allclose(fast, ref, atol=1e-9) and fast_notes == ref_notes
    # compiled once for the rule, whatever the payoffs and lambda
    assert cell.compiled_field_kernel(k) is cell.compiled_field_kernel(k)


def test_a_cell_reads_the_same_on_either_kernel(monkeypatch):
    spec, opts = cell.GameSpec("stag-hunt", "logit"), cell.CellOptions(grid=9, steps=60)
    monkeypatch.setattr(cell, "COMPILED_MIN_WORK", 0)
    fast = cell.evaluate_cell(spec, {"a": 5}, Rule("peer-only", lam=2), opts)
    monkeypatch.setattr(cell, "COMPILED_MIN_WORK", float("inf"))
    ref = cell.evaluate_cell(spec, {"a": 5}, Rule("peer-only", lam=2), opts)
    assert fast.to_json() == ref.to_json()
