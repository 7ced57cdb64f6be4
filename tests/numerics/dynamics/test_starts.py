"""Start grids and their parameters: values, aliasing, and memory over a large grid."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from eqselect.theory import builtin
from eqselect.numerics.dynamics.outcomes import cooperation_success
from eqselect.numerics.dynamics.starts import (
    GridStarts, grid_starts, probability_to_parameters)


@pytest.mark.parametrize("d, grid", [(1, 5), (2, 4), (3, 3), (4, 2)])
def test_grid_starts_is_the_meshgrid_first_coordinate_slowest(d, grid):
    axis = np.linspace(0.05, 0.95, grid)
    mesh = np.meshgrid(*([axis] * d), indexing="ij")
    expected = np.stack([m.ravel() for m in mesh], axis=1)
    assert np.array_equal(grid_starts(d, grid), expected)


def test_logit_starts_equal_log_p_minus_log1p_bit_for_bit():
    p = grid_starts(2, 301)
    x = probability_to_parameters(builtin("stag-hunt", "logit"), p)
    assert np.array_equal(x, np.log(p) - np.log1p(-p))


@settings(max_examples=25, deadline=None)
@given(grid=st.integers(1, 90), low=st.floats(1e-9, 0.5), width=st.floats(1e-9, 0.49),
       which=st.sampled_from([("stag-hunt", "logit"), ("chicken", "softmax"),
                              ("stag-hunt", "direct")]))
def test_grid_draw_maps_every_start_as_the_elementwise_map_does(grid, low, width, which):
    """The grid's parameters drawn from the axis's logits are the grid^d elementwise
    map's, bit for bit (and the direct map's copy)."""
    game = builtin(*which)
    starts = GridStarts(grid, low, low + width)
    p, x = starts.draw(game)
    assert np.array_equal(p, grid_starts(2, grid, low, low + width))
    assert np.array_equal(x, probability_to_parameters(game, p))


def test_direct_starts_do_not_alias_the_callers_array():
    p = grid_starts(2, 3)
    x = probability_to_parameters(builtin("stag-hunt", "direct"), p)
    x[0, 0] = 7.0
    assert p[0, 0] != 7.0


def test_a_million_starts_take_no_grid_sized_temporaries():
    """Drawing, mapping and judging 10^6 starts: the arrays kept, plus chunk-sized work.

    A 1001 x 1001 grid is 16 MB per (n, 2) float array; building it through
    meshgrid/stack, or mapping it with whole-grid temporaries, peaks at
    three or four such arrays.
    """
    game = builtin("stag-hunt", "logit")
    ok = cooperation_success(game)
    ok(np.zeros((2, 2)))  # compile outside the measurement
    mb = 2 ** 20
    tracemalloc.start()
    try:
        p = grid_starts(2, 1001)
        x = probability_to_parameters(game, p)
        hits = ok(x)
        peak = tracemalloc.get_traced_memory()[1] / mb
    finally:
        tracemalloc.stop()
    kept = (p.nbytes + x.nbytes + hits.nbytes) / mb
    assert hits.shape == (1001 * 1001,)
    assert peak < kept + 8, (peak, kept)
