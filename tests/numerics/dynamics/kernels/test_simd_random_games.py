"""The block (SIMD) kernel on random games: start for start what the lane kernel and
the numpy reference compute.

One kernel per (parameterisation, rule) with the payoffs as run-time values
(as the sweeps compile them), so every drawn game reuses it: the block and the
lanes kernels must give the same first-hit steps and end points within
rounding, and the numpy reference (`run_schedule`, an independent
implementation of the same step from the lambdified field) must agree too.
"""

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eqselect.numerics.dynamics.kernels import fused as kernels
from eqselect.numerics.dynamics.kernels.fused import KernelForm, KernelSpec, form_kernel
from eqselect.numerics.dynamics.schedules import PaperSchedule
from eqselect.theory import PAPER, Decomposition, normal_form_game
from scale import examples, full_scale_only

pytestmark = pytest.mark.skipif(not kernels.available(), reason="numba is not installed")

A, B, C, D = sp.symbols("a b c d")
STEPS = 40


def _game(parameterization):
    """A symmetric 2x2 game with row payoffs a, b / c, d kept as symbols."""
    row = [[A, B], [C, D]]
    col = [[A, C], [B, D]]
    return normal_form_game([row, col], parameterization, name="random-2x2",
                            payoff_symbols={A: 1, B: 0, C: 0, D: 1})


#: the clip and the box, two rules by default; all four with EQSELECT_FULL_SCALE=1
CASES = [("logit", "meta-mapg"), ("direct", "peer-only"),
         pytest.param("logit", "lola", marks=full_scale_only),
         pytest.param("direct", "meta-mapg", marks=full_scale_only)]
_KERNELS: dict = {}
_LAMBDIFIED: dict = {}


def _modules(parameterization, method):
    if (parameterization, method) not in _KERNELS:
        game = _game(parameterization)
        dec = Decomposition(game, eta=PAPER.eta)
        field = dec.field_engine(method, PAPER.lam, PAPER.own)
        spec = KernelSpec((field,), game.parameters, PaperSchedule(), None, game.region,
                          coop=[s[0] for s in game.strategies], extras=(A, B, C, D))
        _KERNELS[parameterization, method] = (dec, {
            layout: form_kernel(spec, KernelForm(layout)) for layout in ("lanes", "block")})
    return _KERNELS[parameterization, method]


def _starts(parameterization, n=49):
    """Starts off every rational point of a small grid: an integer game's mixed
    equilibrium (a saddle) sits on such points, where any rounding decides the way out."""
    p = np.random.default_rng(7).uniform(0.05, 0.95, (n, 2))
    return np.log(p) - np.log1p(-p) if parameterization == "logit" else p


def _numpy_reference(dec, method, values, x0):
    """The rule's field lambdified (payoffs as arguments), stepped by the paper's
    schedule in numpy, with the same projection and success predicate."""
    game = dec.game
    if (id(dec), method) not in _LAMBDIFIED:
        _LAMBDIFIED[id(dec), method] = sp.lambdify(
            [*game.parameters, A, B, C, D], list(dec.field(method, PAPER.lam, PAPER.own)),
            "numpy")
    field = _LAMBDIFIED[id(dec), method]
    q = [values[s] for s in (A, B, C, D)]
    sched = PaperSchedule()
    x = x0.copy()
    hit = np.full(len(x), -1)
    for k in range(STEPS + 1):
        p = 1 / (1 + np.exp(-x)) if game.parameterization == "logit" else x
        ok = (p >= PAPER.success).all(axis=1) & (hit < 0)
        hit[ok] = k
        if k == STEPS:
            break
        u = np.stack([np.broadcast_to(f, len(x)) for f in field(*x.T, *q)], axis=1)
        x = x + sched.lr(k) * u
        x = (np.clip(x, -sched.clip, sched.clip) if game.parameterization == "logit"
             else np.clip(x, 0.0, 1.0))
    return x, hit


payoff = st.integers(-4, 4)


@pytest.mark.parametrize("parameterization, method", CASES)
@settings(max_examples=examples(6, 40), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=payoff, b=payoff, c=payoff, d=payoff)
def test_block_equals_lanes_and_numpy_on_random_games(parameterization, method, a, b, c, d):
    dec, modules = _modules(parameterization, method)
    assert modules["block"].LAYOUT.startswith("block")
    x0 = _starts(parameterization)
    q = [a, b, c, d]
    (fl, hl), (fb, hb) = (kernels.run_compiled(modules[k], x0, STEPS, q)
                          for k in ("lanes", "block"))
    assert np.array_equal(hl, hb)
    assert np.allclose(fl, fb, rtol=1e-9, atol=1e-9)  # rounding, grown over the steps
    ref, href = _numpy_reference(dec, method, dict(zip((A, B, C, D), q)), x0)
    # a different order of operations: rounding apart, grown near saddles over the steps
    # (a symmetric start of a symmetric game sits on the saddle's stable manifold)
    assert np.allclose(fb, ref, rtol=1e-6, atol=1e-6)
    # first hits agree except where the reference sits on the threshold itself
    assert np.mean(href == hb) >= 0.95
