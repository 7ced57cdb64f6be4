"""Basin maps, the paper's schedule, the projected flow and Wilson intervals."""

import math
import time

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

from eqselect.numerics.dynamics.basins import basin_map, basin_monte_carlo
from eqselect.numerics.dynamics.outcomes import cooperation_success, wilson_interval
from eqselect.numerics.dynamics.starts import grid_starts, probability_to_parameters
from eqselect.numerics.fixed_points.core.record import Equilibrium, Route, Stability
from eqselect.numerics.dynamics.flow import FlowOptions, integrate_flow, project_capped_simplex
from eqselect.numerics.dynamics.schedules import (
    ConstantSchedule, PaperAnnealing, PaperSchedule, run_schedule)
from eqselect.theory import GameError, Rule
from eqselect.numerics.dynamics.starts import GridStarts, SampledStarts


# --- the paper's discrete schedule against a plain per-point loop -----------

def _reference(dec, method, starts, steps=140):
    """Slow reference: plain Python floats, one point at a time, math module."""
    th = dec.game.parameters
    f = sp.lambdify(th, list(dec.field(method, sp.Rational(3, 2), sp.Rational(7, 20))),
                    modules="math")
    out = []
    for p1, p2 in starts:
        t1, t2 = math.log(p1 / (1 - p1)), math.log(p2 / (1 - p2))
        hit = 0 if min(p1, p2) >= 0.82 else -1  # step 0 is the start itself
        for k in range(steps):
            u1, u2 = f(t1, t2)
            lr = 0.9 / (k + 10) ** 0.24
            t1 = max(-8.0, min(8.0, t1 + lr * u1))
            t2 = max(-8.0, min(8.0, t2 + lr * u2))
            ok = 1 / (1 + math.exp(-t1)) >= 0.82 and 1 / (1 + math.exp(-t2)) >= 0.82
            if ok and hit < 0:
                hit = k + 1
        out.append((ok, hit))
    return out


def test_paper_schedule_pg_equals_reference_loop_on_full_grid(logit_sh):
    bm = basin_map(logit_sh, Rule("pg"), steps=140, schedule="paper", starts=GridStarts(grid=21))
    starts = [(float(a), float(b)) for a, b in bm.starts_probability]
    ref = _reference(logit_sh, "pg", starts)
    assert bm.success.tolist() == [ok for ok, _ in ref]
    assert bm.first_hit.tolist() == [h for _, h in ref]
    assert bm.fraction == sum(ok for ok, _ in ref) / 441
    assert bm.outcomes == {"success": round(bm.fraction * 441),
                           "failure": 441 - round(bm.fraction * 441)}


def test_paper_schedule_meta_mapg_equals_reference_loop_on_some_points(logit_sh):
    bm = basin_map(logit_sh, Rule("meta-mapg", 1.5, 0.35), steps=140, starts=GridStarts(grid=21))
    idx = list(range(0, 441, 11))
    starts = [tuple(map(float, bm.starts_probability[i])) for i in idx]
    ref = _reference(logit_sh, "meta-mapg", starts)
    assert [bool(bm.success[i]) for i in idx] == [ok for ok, _ in ref]
    assert [int(bm.first_hit[i]) for i in idx] == [h for _, h in ref]


def test_shaping_enlarges_the_payoff_dominant_basin(logit_sh):
    pg = basin_map(logit_sh, Rule("pg")).fraction
    mapg = basin_map(logit_sh, Rule("meta-mapg", 1.5, 0.35)).fraction
    assert mapg > pg + 0.1  # the paper: 27.0% -> 42.6% (sampled)


def test_paper_basin_map_is_fast_after_compilation(logit_sh):
    basin_map(logit_sh, Rule("meta-mapg"))  # warm up
    t = time.perf_counter()
    basin_map(logit_sh, Rule("meta-mapg"), steps=140, starts=GridStarts(grid=21))
    assert time.perf_counter() - t < 1.0


def test_run_schedule_calls_the_field_once_per_step():
    calls = []

    def field(x):
        calls.append(x.shape)
        return -x

    run = run_schedule(field, np.ones((50, 3)), ConstantSchedule(0.5), steps=7, record=True)
    assert calls == [(50, 3)] * 7
    assert np.allclose(run.final, 0.5 ** 7)
    assert run.trajectory.shape == (8, 50, 3)


def test_paper_schedule_rates_and_validation():
    s = PaperSchedule()
    assert s.lr(0) == pytest.approx(0.9 / 10 ** 0.24)
    assert np.allclose(s.lr(np.arange(3)), 0.9 / (np.arange(3) + 10.0) ** 0.24)
    with pytest.raises(GameError, match="power"):
        PaperSchedule(power=-1)
    with pytest.raises(GameError, match="rate"):
        ConstantSchedule(0)


def test_annealing_hook_with_no_decay_equals_constant_lambda(logit_sh):
    const = basin_map(logit_sh, Rule("meta-mapg", 1.5, 0.35), steps=60, starts=GridStarts(grid=9))
    anneal = basin_map(logit_sh,
                       Rule("meta-mapg", 1.5, 0.35, annealing=PaperAnnealing(1.5, n0=60)),
                       steps=60, starts=GridStarts(grid=9))
    assert anneal.schedule == "annealed"
    assert np.allclose(anneal.final, const.final, atol=1e-12)
    decayed = basin_map(logit_sh, Rule("meta-mapg", 1.5, 0.35,
                                       annealing=PaperAnnealing(1.5, n0=0, tau=1.0)),
                        steps=60, starts=GridStarts(grid=9))
    assert not np.allclose(decayed.final, const.final)


# --- flow basins against the exact answer ------------------------------------

def test_flow_basin_of_stag_hunt_direct_matches_exact_area(direct_sh):
    g = 61
    c = 0.5 / g
    bm = basin_map(direct_sh, Rule("pg"), steps=140, schedule="flow", dt=0.05,
                   starts=GridStarts(grid=g, low=c, high=1 - c))
    p = bm.starts_probability
    # exact basin of (1, 1): above the stable manifold p1 + p2 = 4/3
    assert bm.success.tolist() == (p.sum(axis=1) > 4 / 3).tolist()
    # cells cut by the line number at most 2 g, each off by at most 1/g^2
    assert abs(bm.fraction - 2 / 9) <= 2 / g
    assert bm.to_json()["grid"] == g and bm.to_json()["steps"] == 140


def test_flow_monte_carlo_interval_holds_exact_area(direct_sh):
    bm = basin_monte_carlo(direct_sh, Rule("pg"), steps=140, schedule="flow",
                           starts=SampledStarts(n=3000, seed=7, low=0.0, high=1.0))
    lo, hi = bm.interval
    assert lo <= 2 / 9 <= hi
    assert bm.to_json()["interval"] == [lo, hi]
    again = basin_monte_carlo(direct_sh, Rule("pg"), steps=140, schedule="flow",
                              starts=SampledStarts(n=3000, seed=7, low=0.0, high=1.0))
    assert again.fraction == bm.fraction  # seeded


def test_nearest_fixed_point_labels_agree_with_success(direct_sh):
    def eq(pt, stab):
        return Equilibrium(pt, None, (), stab, (), 0.0, True, False, Route.EXACT)

    fps = [eq((1.0, 1.0), Stability.STABLE), eq((0.0, 0.0), Stability.STABLE),
           eq((2 / 3, 2 / 3), Stability.SADDLE)]
    bm = basin_map(direct_sh, Rule("pg"), steps=200, schedule="flow", fixed_points=fps,
                   success=None, starts=GridStarts(grid=20))
    assert bm.label_names == ("(1, 1)", "(0, 0)")
    assert bm.outcomes["(1, 1)"] == bm.outcomes["success"]
    assert bm.outcomes["(0, 0)"] == bm.outcomes["failure"]
    assert bm.outcomes["unresolved"] == 0
    by_label = basin_map(direct_sh, Rule("pg"), steps=200, schedule="flow", fixed_points=fps,
                         success=lambda x: np.zeros(len(x), bool), starts=GridStarts(grid=20))
    assert by_label.fraction == 0.0  # an explicit predicate wins


def test_projected_flow_stays_in_box_and_stops_at_corner():
    from eqselect.theory import Region, RegionKind
    res = integrate_flow(lambda x: np.column_stack([3 * x[:, 1] - 2, 3 * x[:, 0] - 2]),
                         [[0.9, 0.9], [0.1, 0.2]], Region(RegionKind.BOX),
                         options=FlowOptions(dt=0.05, steps=100, record=True))
    assert res.trajectory.min() >= 0 and res.trajectory.max() <= 1
    assert res.final.tolist() == [[1.0, 1.0], [0.0, 0.0]]
    assert res.notes == ()


@given(st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_capped_simplex_projection_is_feasible_and_nearest(y):
    y = np.array([y])
    x = project_capped_simplex(y)[0]
    assert x.min() >= 0 and x.sum() <= 1 + 1e-12
    rng = np.random.default_rng(0)
    cand = rng.dirichlet(np.ones(4), size=200)[:, :3]  # feasible points
    assert np.linalg.norm(x - y[0]) <= np.linalg.norm(cand - y[0], axis=1).min() + 1e-12


# --- inputs -------------------------------------------------------------------

def test_start_map_and_errors(logit_sh, direct_sh):
    th = probability_to_parameters(logit_sh.game, [[0.5, 0.8]])
    assert np.allclose(th, [[0.0, math.log(4)]])
    assert np.array_equal(probability_to_parameters(direct_sh.game, [[0.2, 0.3]]), [[0.2, 0.3]])
    with pytest.raises(GameError, match="outside"):
        probability_to_parameters(logit_sh.game, [[0.0, 0.5]])
    with pytest.raises(GameError, match="schedule"):
        basin_map(logit_sh, Rule("pg"), schedule="euler", starts=GridStarts(grid=3))
    with pytest.raises(GameError, match="monte_carlo"):
        grid_starts(8, 21)
    ok = cooperation_success(logit_sh.game)
    assert ok(np.array([[2.0, 2.0], [2.0, 1.0]])).tolist() == [True, False]


# --- Wilson interval ----------------------------------------------------------

def _wilson_closed_form(k, n, z):
    """(2k + z^2 -+ z sqrt(z^2 + 4 k (n - k) / n)) / (2 (n + z^2))."""
    r = z * math.sqrt(z * z + 4 * k * (n - k) / n)
    return ((2 * k + z * z - r) / (2 * (n + z * z)), (2 * k + z * z + r) / (2 * (n + z * z)))


@pytest.mark.parametrize("k,n,z", [(27, 100, 1.96), (0, 10, 1.96), (10, 10, 1.96),
                                   (3, 7, 2.576), (190, 441, 1.0)])
def test_wilson_matches_closed_form(k, n, z):
    assert wilson_interval(k, n, z) == pytest.approx(_wilson_closed_form(k, n, z), abs=1e-12)


def test_wilson_ends_and_errors():
    assert wilson_interval(0, 10) == (0.0, pytest.approx(1.96 ** 2 / (10 + 1.96 ** 2)))
    assert wilson_interval(10, 10) == (pytest.approx(10 / (10 + 1.96 ** 2)), 1.0)
    with pytest.raises(GameError, match="k"):
        wilson_interval(5, 3)
    with pytest.raises(GameError, match="n"):
        wilson_interval(0, 0)


@given(st.integers(1, 10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.floats(0.1, 4.0))
def test_wilson_interval_properties(kn, z):
    k, n = kn
    lo, hi = wilson_interval(k, n, z)
    assert 0.0 <= lo <= k / n <= hi <= 1.0
    wider = wilson_interval(k, n, z + 0.5)
    assert wider[0] <= lo + 1e-15 and wider[1] >= hi - 1e-15
