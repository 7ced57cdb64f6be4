"""The replay's figures: the basin maps reuse the one renderer; the separatrix
drawn over them passes the mixed saddle."""

from types import SimpleNamespace

import numpy as np
from matplotlib.figure import Figure

from eqselect.numerics.dynamics.starts import grid_starts
from eqselect.studies.replay.plots import basin_maps_figure, pg_separatrix_probabilities


def test_replay_basin_figure_reuses_the_renderer():
    n = 5
    ok = grid_starts(2, n)[:, 0] > 0.5
    raw = {m: SimpleNamespace(success=ok, fraction=ok.mean())
           for m in ("pg", "meta-pg", "peer-only", "meta-mapg")}
    fig = basin_maps_figure(SimpleNamespace(raw={"basin_map": raw}, mode="exact"))
    assert isinstance(fig, Figure)
    cells = np.asarray(fig.axes[0].collections[0].get_array()).reshape(n, n)
    assert (cells[:, -1] == 1).all() and (cells[:, 0] == 0).all()  # success where p1 > 1/2


def test_separatrix_in_probabilities_passes_the_mixed_saddle():
    curve = pg_separatrix_probabilities()
    assert ((curve > 0) & (curve < 1)).all()
    assert np.min(np.linalg.norm(curve - 2 / 3, axis=1)) < 1e-3
