"""Column-by-column reductions equal numpy's reductions along axis 1."""

import numpy as np
import pytest

from eqselect.numerics.dynamics.narrow import (
    row_all, row_argmin, row_max, row_max_distance, rows_finite)


def _tall(seed: int, columns: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(500, columns))
    a[rng.random(a.shape) < 0.05] = np.inf
    a[rng.random(a.shape) < 0.05] = -np.inf
    a[rng.random(a.shape) < 0.05] = np.nan
    a[::7, -1] = a[::7, 0]  # ties
    return a


@pytest.mark.parametrize("columns", [1, 2, 4, 7])
def test_reductions_equal_numpy(columns):
    a = _tall(columns, columns)
    np.testing.assert_array_equal(row_max(a), a.max(axis=1))
    point = np.linspace(-1, 1, columns)
    np.testing.assert_array_equal(row_max_distance(a, point), np.abs(a - point).max(axis=1))
    np.testing.assert_array_equal(row_all(a > 0), (a > 0).all(axis=1))
    np.testing.assert_array_equal(rows_finite(a), np.isfinite(a).all(axis=1))


@pytest.mark.parametrize("columns", [1, 3, 5])
def test_argmin_equals_numpy_where_it_matters(columns):
    a = np.abs(_tall(10 + columns, columns))
    index, value = row_argmin(a)
    clean = ~np.isnan(a).any(axis=1)
    np.testing.assert_array_equal(index[clean], np.argmin(a[clean], axis=1))
    np.testing.assert_array_equal(value[clean], a[clean].min(axis=1))
    # a row holding NaN never gets a finite value (the classifier's "within tol" test fails)
    assert not np.isfinite(value[~clean]).any()
    # an all-NaN or all-inf row is never "reached"
    assert not (value[~clean] <= 1e300).any()
