"""The compiled cycle test against the definition: `recurrent` on the whole path of
strategies, the path stepped by numpy, on random games and starts.

One kernel per parameterisation with the payoffs as run-time values (as the
sweeps compile them), so every drawn game reuses its compiled cycle loop:
any 2x2 game, zero-sum 3x3 games.
Starts include runs saturated at the clip (logits) or on a face (direct);
Matching Pennies and Rock-Paper-Scissors (payoffs x 3) under PG, with the
paper's schedule, spiral and come back within the window.
"""

import math
from types import SimpleNamespace

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from eqselect.numerics.dynamics import window as window_module
from eqselect.numerics.dynamics.kernels import fused as kernels
from eqselect.numerics.dynamics.kernels.cycle import block_step, strategy_lines
from eqselect.numerics.dynamics.kernels.fused import KernelSpec, form_kernel
from eqselect.numerics.dynamics.recurrence import ParameterRecurrence, recurrent
from eqselect.numerics.dynamics.schedules import PaperSchedule
from eqselect.numerics.dynamics.starts import (
    action_blocks, parameters_to_strategies, start_kind)
from eqselect.numerics.dynamics.window import compiled_cycles, cycle_module
from eqselect.theory import PAPER, Decomposition, normal_form_game
from scale import examples, full_scale_only

pytestmark = pytest.mark.skipif(not kernels.available(), reason="numba is not installed")

K0, WINDOW, N = 140, 100, 24
MP = [[1, -1], [-1, 1]], [[-1, 1], [1, -1]]
RPS = [[0, -1, 1], [1, 0, -1], [-1, 1, 0]], [[0, 1, -1], [-1, 0, 1], [1, -1, 0]]
_BUILT: dict = {}


def _payoffs(m: int) -> tuple:
    """(symbols, row player's payoffs, column player's): any 2x2 game; a 3x3 game is
    zero-sum (its field stays small enough for the machine code)."""
    if m == 2:
        syms = list(sp.symbols("r0:4")) + list(sp.symbols("c0:4"))
        return syms, [syms[0:2], syms[2:4]], [syms[4:6], syms[6:8]]
    syms = list(sp.symbols(f"r0:{m * m}"))
    row = [syms[i * m:(i + 1) * m] for i in range(m)]
    return syms, row, [[-v for v in r] for r in row]


def _values(spiral, m: int) -> list:
    """The spiralling game's payoffs x 3 (it spirals faster), in `_payoffs`' order."""
    mats = spiral if m == 2 else spiral[:1]
    return [3 * v for M in mats for r in M for v in r]


def _built(parameterization: str, m: int):
    """(game, map kernel module, numpy field f(x, q)) of an m x m game with symbolic
    payoffs under PG."""
    if (parameterization, m) not in _BUILT:
        syms, row, col = _payoffs(m)
        game = normal_form_game([row, col], parameterization, name=f"random-{m}x{m}",
                                payoff_symbols={s: 0 for s in syms})
        dec = Decomposition(game, eta=PAPER.eta)
        field = dec.field_engine("pg", PAPER.lam, PAPER.own)
        module = form_kernel(KernelSpec((field,), game.parameters, PaperSchedule(), None,
                                        game.region, extras=tuple(syms)))
        numpy_field = sp.lambdify([*game.parameters, *syms],
                                  list(dec.field("pg", PAPER.lam, PAPER.own)), "numpy",
                                  cse=True)
        _BUILT[parameterization, m] = (game, module, numpy_field)
    return _BUILT[parameterization, m]


def _numpy_path(game, field, q, x0) -> np.ndarray:
    """Strategies along the window, shape (WINDOW + 1, n, S): the paper's schedule
    from step K0 in numpy, with the region's projection."""
    from eqselect.numerics.dynamics.flow import region_projector

    sched = PaperSchedule()
    proj = region_projector(game.region, sched.clip)
    x, path = x0.copy(), [parameters_to_strategies(game, x0)]
    for k in range(K0, K0 + WINDOW):
        u = np.stack([np.broadcast_to(f, len(x)) for f in field(*x.T, *q)], axis=1)
        x = proj(x + sched.lr(k) * u)
        path.append(parameters_to_strategies(game, x))
    return np.array(path)


def _kernel_reference(game, module, q, x0) -> np.ndarray:
    """`ParameterRecurrence` on the kernel's own steps, one call of ``run`` a step."""
    q = np.asarray(q, dtype=float)
    y, test = x0.copy(), ParameterRecurrence(game, x0)
    for k in range(WINDOW):
        out = np.empty_like(y)
        module.run(y, 1, q, out, np.empty(len(y), dtype=np.int64), K0 + k)
        y = out
        keep = test.update(y)
        if keep is not None:
            y = y[keep]
            if not len(y):
                break
    return test.recurrent


def _starts(game, seed: int) -> np.ndarray:
    """Random starts, a quarter of them saturated (at the clip, or on a face)."""
    rng = np.random.default_rng(seed)
    d = len(game.parameters)
    if start_kind(game) == "direct":
        blocks = [b for _, _, b, _ in action_blocks(game)]
        x = np.empty((N, d))
        for b in blocks:
            x[:, b] = rng.dirichlet(np.ones(len(b) + 1), N)[:, :-1]
        edge = 0.0
    else:
        x = rng.uniform(-3, 3, (N, d))
        edge = PaperSchedule().clip
    saturated = rng.random((N, d)) < 0.25
    x[saturated] = edge * np.sign(rng.uniform(-1, 1, saturated.sum()))
    return x


# the simplex (lanes layout, numba's runtime) takes some 10 s of compiling into an
# empty cache: with the full scale only; the box and the logits cover the default run
CASES = [("logit", 2, MP), ("softmax", 3, RPS), ("direct", 2, MP),
         pytest.param("direct", 3, RPS, marks=full_scale_only)]
payoffs = st.lists(st.integers(-3, 3), min_size=9, max_size=9)


@pytest.mark.parametrize("parameterization, m, spiral", CASES)
@settings(max_examples=examples(1, 30), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=payoffs, seed=st.integers(0, 2 ** 16))
@example(values=None, seed=1)  # the spiralling game itself
def test_compiled_cycles_are_the_definition(parameterization, m, spiral, values, seed):
    game, module, field = _built(parameterization, m)
    q = _values(spiral, m) if values is None else values[:len(_payoffs(m)[0])]
    x0 = _starts(game, seed)
    found, undecided = compiled_cycles(game, (module, q), x0, K0, WINDOW)
    reference = _kernel_reference(game, module, q, x0)
    # decided in the loop: ParameterRecurrence's verdict on the same steps
    assert np.array_equal(found[~undecided], reference[~undecided])
    assert undecided.sum() <= 1  # a tie within 1e-12 of a threshold is rare
    # and the definition on a path of numpy's own steps
    assert np.array_equal(reference, recurrent(_numpy_path(game, field, q, x0)))
    if values is None:
        assert found.any()  # the spirals come back


def test_the_spirals_are_judged_by_the_machine_code():
    """A block kernel's cycle loop calls nothing from numba's runtime: it is kept, and
    run, as machine code (a later process loads it without numba)."""
    game, module, _ = _built("logit", 2)
    compiled_cycles(game, (module, _values(MP, 2)), _starts(game, 0), K0, WINDOW)
    assert cycle_module(game, module).run.route == "machine code"


@pytest.mark.parametrize("parameterization, m", [("logit", 2), ("softmax", 3), ("direct", 3)])
def test_strategy_lines_are_parameters_to_strategies(parameterization, m):
    game = _built(parameterization, m)[0]
    lines, n_s = strategy_lines(start_kind(game), [b for _, _, b, _ in action_blocks(game)])
    x = np.random.default_rng(3).uniform(-8, 8, (50, len(game.parameters)))
    if parameterization == "direct":
        x = np.abs(x) / 40
    got = np.empty((len(x), n_s))
    for i, row in enumerate(x):
        ns = {"vexp": math.exp, **{f"_x{j}": v for j, v in enumerate(row)}}
        exec("\n".join(lines), ns)  # noqa: S102 - the generated lines, as the loop runs them
        got[i] = [ns[f"_s{j}"] for j in range(n_s)]
    assert np.allclose(got, parameters_to_strategies(game, x), rtol=0, atol=1e-15)


def test_block_step_reads_the_block_layout_only():
    """The lanes layout (the simplex) is stepped by the map kernel's loop instead."""
    _, lanes, _ = _built("direct", 3)
    _, block, _ = _built("logit", 2)
    text = lambda mod: open(mod.__file__).read().partition("\n")[2]  # noqa: E731
    assert block_step(text(lanes), 4) is None
    step = block_step(text(block), 2)
    assert any("rate * _u0" in ln for ln in step["body"])
    assert not any("_S[" in ln for ln in step["body"] + step["load"])


def test_ties_go_to_the_reference(monkeypatch):
    """Runs left undecided by the loop are judged by `ParameterRecurrence` on the
    kernel's steps: with every run undecided, `cycling` still gives the verdicts."""
    game, module, _ = _built("logit", 2)
    q = _values(MP, 2)
    x0 = _starts(game, 5)
    expected = _kernel_reference(game, module, q, x0)
    monkeypatch.setattr(window_module, "compiled_cycles",
                        lambda *a, **k: (np.zeros(len(x0), bool), np.ones(len(x0), bool)))
    monkeypatch.setattr(window_module, "window_kernel", lambda *a: (module, q))
    monkeypatch.setattr(window_module, "CYCLE_LOOP_LEAST", 0)  # the loop, however few runs
    problem = SimpleNamespace(game=game, steps=K0)
    got = window_module.cycling(problem, WINDOW, None, PaperSchedule(), x0, kernel=(module, q))
    assert np.array_equal(got, expected) and expected.any()


def test_a_loop_numba_cannot_compile_falls_back_with_a_warning(monkeypatch):
    errors = pytest.importorskip("numba.core.errors")

    class Broken:
        def run(self, *args):
            raise errors.TypingError("no such function")

    game, module, _ = _built("logit", 2)
    monkeypatch.setattr(window_module, "cycle_module", lambda *a: Broken())
    with pytest.warns(RuntimeWarning, match="compiled cycle test failed to compile"):
        assert compiled_cycles(game, (module, [0.0] * 8), _starts(game, 0), K0, 4) is None


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # numpy's inf - inf
@pytest.mark.parametrize("parameterization, m, spiral", CASES[:2])
def test_non_finite_and_empty_windows_as_the_reference(parameterization, m, spiral):
    """NaN, infinite and huge parameters get `ParameterRecurrence`'s verdicts on the
    kernel's steps; a window of no step and no runs find no cycle."""
    game, module, _ = _built(parameterization, m)
    q = _values(spiral, m)
    x0 = _starts(game, 3)
    x0[0, 0], x0[1], x0[2, -1], x0[3, 0] = np.nan, np.inf, -np.inf, 1e300
    found, undecided = compiled_cycles(game, (module, q), x0, K0, WINDOW)
    assert not undecided.any()
    assert np.array_equal(found, _kernel_reference(game, module, q, x0))
    assert not compiled_cycles(game, (module, q), x0, K0, 0)[0].any()
    assert compiled_cycles(game, (module, q), x0[:0], K0, WINDOW)[0].shape == (0,)


@full_scale_only
def test_a_native_field_is_stepped_by_its_own_copy_of_the_field(tmp_path, monkeypatch):
    """A field called as symengine's machine code: the cycle module reads a copy of the
    map kernel's side file beside itself, and judges as the reference (compiles both
    kernels into an empty cache: seconds)."""
    from eqselect.numerics.dynamics.kernels import choice

    monkeypatch.setenv("EQSELECT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(choice, "NATIVE_LINES", 0)  # every field takes that route
    monkeypatch.setattr(window_module, "_CYCLES", {})
    monkeypatch.delitem(_BUILT, ("direct", 3), raising=False)
    game, module, field = _built("direct", 3)
    _BUILT.pop(("direct", 3))
    q, x0 = _values(RPS, 3), _starts(game, 1)
    found, undecided = compiled_cycles(game, (module, q), x0, K0, WINDOW)
    cycle = cycle_module(game, module)
    assert cycle.__file__ != module.__file__
    assert (tmp_path / "kernels" / (cycle.__name__.split("_")[-1].join(("k_", ".field")))).exists()
    reference = _kernel_reference(game, module, q, x0)
    assert np.array_equal(found[~undecided], reference[~undecided]) and found.any()
    assert np.array_equal(reference, recurrent(_numpy_path(game, field, q, x0)))
