"""The libm-free exponential of the block kernels against math.exp and mpmath."""

import math

import numpy as np
import pytest

numba = pytest.importorskip("numba")
mpmath = pytest.importorskip("mpmath")

from eqselect.numerics.dynamics.kernels.vexp import (  # noqa: E402
    ULP_BOUND, ULP_BOUND32, ULP_NORMAL, vexp, vexp32)


@numba.njit(error_model="numpy")
def _many(x):
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = vexp(x[i])
    return out


@numba.njit(error_model="numpy")
def _many32(x):
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = vexp32(x[i])
    return out


def _ulps_mpmath(x, y, dtype):
    """max |y - e^x| in units in the last place of dtype at e^x (exact, 60 digits).

    The unit is 2^(floor(log2 e^x) - p + 1), p the precision, and never below
    the smallest subnormal.
    """
    info = np.finfo(dtype)
    tiny = mpmath.mpf(float(info.smallest_subnormal))
    with mpmath.workdps(60):
        out = []
        for xi, yi in zip(x.tolist(), y.tolist()):
            exact = mpmath.exp(mpmath.mpf(xi))
            unit = max(mpmath.mpf(2) ** (mpmath.floor(mpmath.log(exact, 2)) - info.nmant), tiny)
            out.append(float(abs(mpmath.mpf(yi) - exact) / unit))
    return max(out)


def _points(rng, low, high, n):
    """Uniform points, the kernels' clipped range, and neighbours of k ln2 / 2."""
    k = np.arange(math.ceil(2 * low / math.log(2)), math.floor(2 * high / math.log(2)))
    halves = k * (math.log(2) / 2)
    halves = halves[::7]  # a sample of the reduction's boundaries, with their neighbours
    near = np.concatenate([halves, np.nextafter(halves, -np.inf), np.nextafter(halves, np.inf)])
    return np.concatenate([rng.uniform(low, high, n), rng.uniform(-8.0, 8.0, n),
                           rng.uniform(-1e-6, 1e-6, n // 10), near[(near > low) & (near < high)]])


def test_vexp_is_within_its_bound_of_mpmath_and_of_math_exp():
    rng = np.random.default_rng(0)
    x = _points(rng, -708.39, 709.78, 1000)
    assert _ulps_mpmath(x, _many(x), np.float64) <= ULP_NORMAL
    tiny = rng.uniform(-745.0, -708.39, 200)  # subnormal results
    assert _ulps_mpmath(tiny, _many(tiny), np.float64) <= ULP_BOUND + 1e-9
    # math.exp (libm) is itself within half an ulp or so: at most one ulp apart
    big = rng.uniform(-745.0, 709.78, 200_000)
    ref = np.array([math.exp(v) for v in big])
    assert (np.abs(_many(big) - ref) <= np.spacing(ref)).all()
    # and equal on most points (a wrong polynomial or reduction would not be)
    assert np.mean(_many(big) == ref) > 0.95


def test_vexp_is_exact_at_zero_and_matches_math_exp_at_the_edges():
    assert vexp(0.0) == 1.0 and vexp(-0.0) == 1.0
    edges = [709.78, 709.7, 1.0, -1.0, 8.0, -8.0, -708.3, -708.5, -720.0, -745.0, -745.1,
             5e-324, -5e-324, 1e-300]
    for v in edges:
        assert vexp(v) == math.exp(v), v
    assert vexp(709.79) == math.inf and vexp(710.0) == math.inf and vexp(1e308) == math.inf
    assert vexp(-745.2) == 0.0 and vexp(-1e308) == 0.0
    assert vexp(math.inf) == math.inf and vexp(-math.inf) == 0.0
    assert math.isnan(vexp(math.nan))


def test_vexp32_is_within_its_bound_of_mpmath():
    rng = np.random.default_rng(1)
    x = _points(rng, -87.0, 88.5, 1000).astype(np.float32)
    assert _ulps_mpmath(x, _many32(x), np.float32) <= ULP_BOUND32
    f32 = np.float32
    assert vexp32(f32(0.0)) == f32(1.0)
    assert vexp32(f32(89.0)) == np.inf and vexp32(f32(-104.0)) == f32(0.0)
    assert np.isnan(vexp32(f32(np.nan))) and vexp32(f32(-np.inf)) == f32(0.0)
