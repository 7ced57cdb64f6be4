"""The block (SIMD) basin kernel against the lane-interleaved one, start for start."""

import os
import re

import numpy as np
import pytest

from eqselect.numerics.dynamics.kernels import fused as kernels
from eqselect.numerics.dynamics.kernels.fused import KernelForm, KernelSpec, form_kernel
from eqselect.numerics.dynamics.kernels.simd import BLOCK, float32_line
from eqselect.numerics.dynamics.problem import BasinProblem
from eqselect.numerics.dynamics.schedules import ConstantSchedule, PaperSchedule
from eqselect.theory import PAPER, Decomposition, GameError, Rule, builtin, normal_form_game
from eqselect.theory.rules import LAMBDA

pytestmark = pytest.mark.skipif(not kernels.available(), reason="numba is not installed")


@pytest.fixture(scope="module")
def stag():
    return Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)


def _grid(n, lo=0.05, hi=0.95):
    ax = np.linspace(lo, hi, n)
    p = np.stack([a.ravel() for a in np.meshgrid(ax, ax, indexing="ij")], axis=1)
    return np.log(p) - np.log1p(-p)


def _both(problem, sched, x0, with_success=True):
    """(final, first_hit) of the lanes and of the block kernel."""
    out = []
    for layout in ("lanes", "block"):
        module = kernels.problem_kernel(problem, sched, with_success, KernelForm(layout))
        assert module.LAYOUT.startswith(layout)
        out.append(kernels.run_compiled(module, x0, int(problem.steps)))
    return out


def test_meta_mapg_on_stag_hunt_block_and_lanes_agree_start_for_start(stag):
    """The paper's map on 41^2 starts (an odd count: a partial last block); the
    annealed rule, the box and softmax fields are compared with the numpy
    reference in test_fused.py (on the block kernel, the default)."""
    x0 = _grid(41)
    (fa, ha), (fb, hb) = _both(BasinProblem(stag, Rule("meta-mapg")), PaperSchedule(), x0)
    assert len(x0) % BLOCK
    assert ha.tolist() == hb.tolist()
    assert 0.3 < np.mean(hb >= 0) < 0.6  # both outcomes present
    assert np.allclose(fa, fb, rtol=0, atol=1e-10)


@pytest.mark.skipif(os.environ.get("EQSELECT_FULL_SCALE") != "1",
                    reason="the paper's 1001^2 map (about 20 s): EQSELECT_FULL_SCALE=1")
def test_the_1001_squared_stag_hunt_map_is_the_same_on_both_layouts(stag):
    x0 = _grid(1001)
    (_, ha), (_, hb) = _both(BasinProblem(stag, Rule("meta-mapg")), PaperSchedule(), x0)
    assert int(np.sum((ha >= 0) != (hb >= 0))) == 0
    assert round(float(np.mean(hb >= 0)), 6) == 0.421194


def test_runtime_values_are_read_per_call(stag):
    """lambda kept symbolic and read from q, as the sweeps do (the block and the lanes
    agree at each value, and the value matters)."""
    game = stag.game
    field = stag.field_engine("meta-mapg", LAMBDA, PAPER.own)
    x0 = _grid(9)
    out = {}
    for layout in ("lanes", "block"):
        spec = KernelSpec((field,), game.parameters, PaperSchedule(), None, game.region,
                          extras=(LAMBDA,))
        module = form_kernel(spec, KernelForm(layout))
        out[layout] = [kernels.run_compiled(module, x0, 30, [lam])[0] for lam in (0.0, 1.5)]
    for a, b in zip(out["lanes"], out["block"]):
        assert np.allclose(a, b, rtol=0, atol=1e-10)
    assert not np.allclose(out["block"][0], out["block"][1])


def test_the_simplex_keeps_the_lanes_and_refuses_the_block():
    a = np.array([[3.0, 0, 1], [0, 2, 0], [1, 0, 1]])
    dec = Decomposition(normal_form_game([a, a.T], "direct", name="3x3"), eta=PAPER.eta)
    problem = BasinProblem(dec, Rule("meta-pg"), steps=5)
    assert kernels.problem_kernel(problem, ConstantSchedule(0.3), False).LAYOUT == "lanes4"
    for form in (KernelForm("block"), KernelForm(precision="float32")):
        with pytest.raises(GameError, match="block kernel"):
            kernels.problem_kernel(problem, ConstantSchedule(0.3), False, form)
    with pytest.raises(GameError, match="layout"):
        KernelForm("simd")
    with pytest.raises(GameError, match="lanes"):
        KernelForm("lanes", "float32")


def _compiled_fresh(module):
    """The module's ``_run`` compiled again without the disk cache (numba inspects
    only code it compiled in this process), for a call on 20 starts."""
    text = open(module.__file__).read().replace("cache=True", "cache=False")
    ns = {"__file__": module.__file__, "__name__": "fresh_kernel"}
    exec(compile(text, module.__file__, "exec"), ns)
    fn = ns["_compiled"]()
    x0 = np.zeros((20, 2))
    work = [np.zeros(n, dtype=dtype) for n, dtype in ns["WORK"]]
    fn(x0, np.ones(2), np.zeros(2), np.zeros(0), np.zeros_like(x0),
       np.zeros(20, dtype=np.int64), *work)
    return fn.inspect_llvm(fn.signatures[0]), fn.inspect_asm(fn.signatures[0])


@pytest.mark.parametrize("precision, vector, div", [("float64", "<4 x double>", "vdivpd"),
                                                    ("float32", "<8 x float>", "vdivps")])
def test_the_inner_loop_is_vectorised(stag, precision, vector, div):
    pytest.importorskip("llvmlite")
    import llvmlite.binding as llvm

    features = llvm.get_host_cpu_features()
    if not features.get("avx2", False):
        pytest.skip("the vector width asserted is AVX2's")
    module = kernels.problem_kernel(BasinProblem(stag, Rule("meta-mapg")), PaperSchedule(),
                                    True, KernelForm("block", precision))
    ir, asm = _compiled_fresh(module)
    assert len(re.findall(rf"fmul {re.escape(vector)}", ir)) > 20
    # sigma(p) = 1 / (1 + e^-p): the divisions on whole vectors, and no libm call
    assert re.search(rf"{div}\s[^\n]*ymm", asm)
    assert "exp" not in " ".join(re.findall(r"call[^\n]*", ir))


def test_float32_outcomes_stay_close_to_float64(stag):
    x0 = _grid(41)
    problem = BasinProblem(stag, Rule("meta-mapg"))
    hits = {}
    for precision in ("float64", "float32"):
        module = kernels.problem_kernel(problem, PaperSchedule(), True,
                                        KernelForm("block", precision))
        final, hits[precision] = kernels.run_compiled(module, x0, int(problem.steps))
    differ = np.sum((hits["float64"] >= 0) != (hits["float32"] >= 0))
    assert differ <= 0.01 * len(x0)
    assert np.mean(hits["float32"] >= 0) == pytest.approx(np.mean(hits["float64"] >= 0),
                                                          abs=0.01)


def test_float32_line_types_every_constant_and_expands_powers():
    line = "_u0 = -1/400*_g0**3*(_g0 - 1) + 2.5e-3*_a10 + vexp(-_p1)"
    out = float32_line(line)
    assert out == ("_u0 = -np.float32(1)/np.float32(400)*(_g0*_g0*_g0)*(_g0 - np.float32(1))"
                   " + np.float32(2.5e-3)*_a10 + vexp32(-_p1)")
    assert float32_line("_S[16 + b] = _p1") == "_S[16 + b] = _p1"


def test_a_float32_map_counts_the_starts_whose_outcome_differs_from_float64(stag):
    from eqselect.numerics.dynamics.basins import basin_map
    from eqselect.numerics.dynamics.starts import GridStarts

    starts = GridStarts(31)
    b32 = basin_map(stag, Rule("meta-mapg"), starts, precision="float32")
    b64 = basin_map(stag, Rule("meta-mapg"), starts, kernel="numba")
    assert b32.kernel == "numba" and b32.problem.to_json()["precision"] == "float32"
    differ = int(np.sum(np.asarray(b32.success) != np.asarray(b64.success)))
    (note,) = [n for n in b32.notes if n.startswith("float32 kernel")]
    assert note.startswith(f"float32 kernel: {differ} of {31 * 31} starts (all starts)")
    assert abs(b32.fraction - b64.fraction) <= 0.01
    assert b64.problem.to_json()["precision"] == "float64"
    assert not any(n.startswith("float32") for n in b64.notes)


def test_float32_is_refused_where_no_compiled_kernel_runs(stag):
    with pytest.raises(GameError, match="float32"):
        BasinProblem(stag, Rule("pg"), kernel="numpy", precision="float32")
    with pytest.raises(GameError, match="precision"):
        BasinProblem(stag, Rule("pg"), precision="half")


def test_the_facade_and_the_command_line_take_the_precision(stag, capsys):
    import json

    from eqselect import api
    from eqselect.cli import main
    from eqselect.theory import OptionsError

    with pytest.raises(OptionsError, match="precision must be one of float64, float32"):
        api.basin_map(stag, "meta-mapg", grid=5, steps=3, precision="float16")
    bm = api.basin_map(stag, "meta-mapg", grid=9, steps=40, precision="float32")
    assert bm.problem.precision == "float32" and bm.kernel == "numba"
    assert main(["basins", "stag-hunt", "--method", "meta-mapg", "--grid", "9", "--steps", "40",
                 "--precision", "float32", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["inputs"]["problem"]["precision"] == "float32" and doc["kernel"] == "numba"
    assert any(n.startswith("float32 kernel: ") and " of 81 starts (all starts)" in n
               for n in doc["notes"])
