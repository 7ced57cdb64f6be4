"""Kernels kept as machine code: the same bits as numba's, loaded without numba."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from eqselect.numerics.disk_cache import load, store
from eqselect.numerics.dynamics.kernels import fused as kernels
from eqselect.numerics.dynamics.kernels import machine_code
from eqselect.numerics.dynamics.kernels.entry import KernelEntry
from eqselect.numerics.dynamics.kernels.source import KernelForm
from eqselect.numerics.dynamics.problem import BasinProblem
from eqselect.numerics.dynamics.schedules import ConstantSchedule, PaperSchedule
from eqselect.theory import PAPER, Decomposition, Rule, builtin, ipd, normal_form_game

pytestmark = pytest.mark.skipif(not kernels.available(), reason="numba is not installed")


def _numba_run(module, x0, steps, q=()):
    """The module's loop called through numba's dispatcher (no machine code)."""
    ns = vars(module)
    fn = ns["_compiled"]()
    rates = np.array([ns["lr"](k) for k in range(steps)], dtype=float)
    lams = np.array([ns["lam_k"](k) for k in range(steps)], dtype=float)
    final, hit = np.empty_like(x0), np.empty(len(x0), dtype=np.int64)
    work = [np.empty(n, dtype=dtype) for n, dtype in ns["WORK"]]
    fn(x0, rates, lams, np.asarray(q, dtype=float), final, hit, *work, *ns.get("EXTRA", ()))
    return final, hit


def _fresh_entry(module):
    """A new entry point on a loaded module: it looks for its loop again."""
    return KernelEntry(vars(module), module.__file__)


def _run(entry, x0, steps, q=()):
    final, hit = np.empty_like(x0), np.empty(len(x0), dtype=np.int64)
    entry(x0, steps, np.asarray(q, dtype=float), final, hit)
    return final, hit


@pytest.fixture(scope="module")
def stag():
    return Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)


@pytest.mark.parametrize("form", [KernelForm("block"), KernelForm("block", "float32"),
                                  KernelForm("lanes")])
def test_machine_code_computes_numbas_bits(stag, form):
    module, _ = kernels.problem_kernel_values(BasinProblem(stag, Rule("meta-mapg")),
                                              PaperSchedule(), True, form)
    x0 = np.random.default_rng(5).uniform(-3, 3, size=(203, 2))  # 12 blocks and a rest
    entry = _fresh_entry(module)
    final, hit = _run(entry, x0, 60)
    assert entry.route == "machine code"
    ref_final, ref_hit = _numba_run(module, x0, 60)
    assert np.array_equal(final, ref_final) and np.array_equal(hit, ref_hit)
    assert (hit >= 0).any() and (hit < 0).any()  # both outcomes occur


def test_the_ipd_chain_kernel_in_machine_code_agrees_with_numba_and_repeats_everywhere():
    """The chain field contracts multiply-adds (fastmath "contract"): the object file,
    linked and optimised once more, may contract otherwise than numba's copy, so the
    two agree to rounding; the process that compiled the kernel runs the object
    file too (its route), as every later process does, so all get the same bits."""
    dec = Decomposition(ipd("logit").substitute(), eta=PAPER.eta)
    module, q = kernels.problem_kernel_values(BasinProblem(dec, Rule("meta-mapg", lam=1.0)),
                                              PaperSchedule(), True)
    x0 = np.random.default_rng(2).uniform(-2, 2, size=(24, 10))
    final, hit = kernels.run_compiled(module, x0, 40, q)
    assert module.run.route == "machine code"
    ref_final, ref_hit = _numba_run(module, x0, 40, q)
    assert np.allclose(final, ref_final, rtol=0, atol=1e-9) and np.array_equal(hit, ref_hit)
    again = _fresh_entry(module)  # what a new process finds: the object file
    assert all(np.array_equal(a, b) for a, b in zip(_run(again, x0, 40, q), (final, hit)))
    assert again.route == "machine code"


def test_a_damaged_or_foreign_object_file_is_not_loaded_and_is_written_again(stag):
    module, _ = kernels.problem_kernel_values(BasinProblem(stag, Rule("pg")), PaperSchedule(),
                                              True)
    x0 = np.random.default_rng(7).uniform(-3, 3, size=(40, 2))
    want = _numba_run(module, x0, 30)
    entry = _fresh_entry(module)
    _run(entry, x0, 30)
    path = entry.object_path
    blob = path.read_bytes()
    middle = len(blob) // 2
    path.write_bytes(blob[:middle] + bytes([blob[middle] ^ 0xFF]) + blob[middle + 1:])
    assert machine_code.load(path) is None
    again = _fresh_entry(module)
    assert all(np.array_equal(a, b) for a, b in zip(_run(again, x0, 30), want))
    assert machine_code.load(path) is not None  # written again by numba's compile
    head, _, code = load(path).partition(b"\n")
    meta = json.loads(head)
    meta["target"][1] = "some-other-cpu"
    assert store(path, json.dumps(meta).encode() + b"\n" + code)
    assert machine_code.load(path) is None  # compiled for another processor
    third = _fresh_entry(module)
    assert all(np.array_equal(a, b) for a, b in zip(_run(third, x0, 30), want))
    assert third.route == "machine code" and machine_code.load(path) is not None


def test_a_kernel_needing_numbas_runtime_stays_with_numba_and_says_why():
    # the simplex projection sorts (an allocation): numba's runtime
    # (the kernel of test_fused's simplex test: compiled once for both)
    a = np.array([[3.0, 0, 1], [0, 2, 0], [1, 0, 1]])
    dec = Decomposition(normal_form_game([a, a.T], "direct", name="3x3"), eta=PAPER.eta)
    module, _ = kernels.problem_kernel_values(
        BasinProblem(dec, Rule("meta-pg")), ConstantSchedule(0.3), False)
    x0 = np.random.default_rng(1).dirichlet(np.ones(3), size=(30, 2))[:, :, :2].reshape(30, 4)
    entry = _fresh_entry(module)
    final, _ = _run(entry, x0, 20)
    assert entry.route == "numba" and not entry.object_path.exists()
    reason = entry.object_path.with_suffix(".numba").read_text()
    assert "numba's runtime" in reason and "NRT" in reason
    assert np.array_equal(final, _numba_run(module, x0, 20)[0])


def test_the_object_reader_lists_what_the_code_leaves_undefined():
    llvm = pytest.importorskip("llvmlite.binding")
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    ir = """
    declare double @exp(double)
    declare void @llvm.memset.p0.i64(ptr, i8, i64, i1)
    define double @f(double %x, ptr %p, i64 %n) {
      call void @llvm.memset.p0.i64(ptr %p, i8 0, i64 %n, i1 false)
      %y = call double @exp(double %x)
      ret double %y
    }
    """
    machine = llvm.Target.from_triple("x86_64-unknown-linux-gnu").create_target_machine()
    code = machine.emit_object(llvm.parse_assembly(ir))
    assert machine_code.elf_undefined(code) == ["exp", "memset"]
    assert machine_code.elf_undefined(b"\xcf\xfa\xed\xfe" + code[4:]) is None  # not ELF


def test_wrong_arrays_are_refused_before_the_call(stag):
    module, _ = kernels.problem_kernel_values(BasinProblem(stag, Rule("pg")), PaperSchedule(),
                                              True)
    x0 = np.zeros((4, 2))
    entry = _fresh_entry(module)
    _run(entry, x0, 2)
    with pytest.raises(TypeError, match="C-contiguous float64"):
        _run(entry, np.asfortranarray(np.zeros((4, 3)))[:, :2], 2)
    with pytest.raises(TypeError, match="takes 7 arrays"):
        entry._loop(x0)


_FRESH = """
import sys
from eqselect.api import basin_map
from eqselect.theory import PAPER, Decomposition, builtin
dec = Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)
bm = basin_map(dec, "meta-mapg", grid=31, steps=140, kernel="numba")
print(bm.kernel, repr(bm.fraction), "numba" in sys.modules)
"""


def test_a_second_process_runs_the_machine_code_without_importing_numba(stag):
    from eqselect.api import basin_map

    here = basin_map(stag, "meta-mapg", grid=31, steps=140, kernel="numba")  # on disk now
    there = subprocess.run([sys.executable, "-c", _FRESH], env=os.environ, capture_output=True,
                           text=True, check=True).stdout.split()
    assert there == ["numba", repr(here.fraction), "False"]


#: A process that finds a kernel module, waits for its twin, then runs it (the
#: first call loads the loop) and prints the route, whether numba was imported
#: and the end points' sum.
_TWIN = """
import sys, time
from pathlib import Path
import numpy as np
from eqselect.numerics.dynamics.kernels import fused as kernels
from eqselect.numerics.dynamics.problem import BasinProblem
from eqselect.numerics.dynamics.schedules import ConstantSchedule
from eqselect.theory import PAPER, Decomposition, Rule, builtin
dec = Decomposition(builtin("chicken", "logit"), eta=PAPER.eta)
module, q = kernels.problem_kernel_values(BasinProblem(dec, Rule("pg")), ConstantSchedule(0.1),
                                          False)
here, other = Path(sys.argv[1]), Path(sys.argv[2])
here.touch()
while not other.exists():
    time.sleep(0.002)
final, _ = kernels.run_compiled(module, np.linspace(-2, 2, 40).reshape(20, 2), 25, q)
print(module.run.route, "numba" in sys.modules, repr(float(final.sum())))
"""


def test_two_processes_asking_for_one_kernel_compile_it_once_and_share_its_machine_code(tmp_path):
    env = dict(os.environ, EQSELECT_CACHE_DIR=str(tmp_path / "cache"))
    a, b = tmp_path / "a", tmp_path / "b"
    twins = [subprocess.Popen([sys.executable, "-c", _TWIN, str(x), str(y)], env=env,
                              stdout=subprocess.PIPE, text=True) for x, y in ((a, b), (b, a))]
    out = sorted(p.communicate(timeout=180)[0].split() for p in twins)
    assert all(p.returncode == 0 for p in twins)
    # both run the machine code; one compiled it (numba imported), the other waited and loaded it
    assert [o[:2] for o in out] == [["machine", "code"]] * 2
    assert sorted(o[2] for o in out) == ["False", "True"]
    assert out[0][3] == out[1][3]
    assert len(list((tmp_path / "cache" / "kernels").glob("k_*.o"))) == 1


#: A process given a kernel module's file: it loads it (`cache.load_module`) and
#: runs it (`run.run_compiled`) on the starts it is given, and prints what it imported.
_BY_PATH = """
import json, sys
import numpy as np
from eqselect.numerics.dynamics.kernels.cache import load_module
from eqselect.numerics.dynamics.kernels.run import run_compiled
module = load_module(sys.argv[1])
final, hit = run_compiled(module, np.array(json.loads(sys.argv[2])), 60)
print(json.dumps([final.tolist(), hit.tolist(), module.run.route,
                  [m for m in ("sympy", "symengine", "numba") if m in sys.modules]]))
"""


def test_a_cached_kernel_runs_by_its_file_in_a_process_without_sympy_or_numba(stag, tmp_path):
    module, _ = kernels.problem_kernel_values(BasinProblem(stag, Rule("meta-mapg")),
                                              PaperSchedule(), True, KernelForm("block"))
    x0 = np.random.default_rng(11).uniform(-3, 3, size=(37, 2))
    want = _numba_run(module, x0, 60)  # numba's own dispatcher, in this process
    out = subprocess.run([sys.executable, "-c", _BY_PATH, module.__file__, json.dumps(x0.tolist())],
                         env=os.environ, capture_output=True, text=True, check=True)
    final, hit, route, imported = json.loads(out.stdout)
    assert np.array_equal(np.array(final), want[0]) and np.array_equal(np.array(hit), want[1])
    assert route == "machine code" and imported == []
    damaged = tmp_path / Path(module.__file__).name
    damaged.write_text(Path(module.__file__).read_text().replace("lr(k)", "lr(k + 1)", 1))
    failed = subprocess.run([sys.executable, "-c", _BY_PATH, str(damaged), "[[0.0, 0.0]]"],
                            env=os.environ, capture_output=True, text=True)
    assert failed.returncode != 0 and "not an intact kernel module" in failed.stderr
