"""The kernel cache: modules checked before import, rebuilt when damaged, and a private
folder when the cache cannot be written."""

import numpy as np
import pytest

from eqselect.numerics.dynamics.kernels import cache
from eqselect.numerics.dynamics.kernels import fused as kernels
from eqselect.numerics.dynamics.kernels.source import kernel_source
from eqselect.numerics.dynamics.schedules import PaperSchedule, run_schedule
from eqselect.numerics.codegen import compile_exprs
from eqselect.theory import PAPER, Decomposition, Region, RegionKind, builtin

pytestmark = pytest.mark.skipif(not kernels.available(), reason="numba is not installed")


@pytest.fixture(scope="module")
def stag():
    dec = Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)
    text = kernel_source((dec.field_engine("pg"),), dec.game.parameters, PaperSchedule(), None,
                         Region(RegionKind.FREE))
    return dec, text


def _steps_like_numpy(module, dec):
    x0 = np.random.default_rng(3).normal(size=(50, 2))
    final, _ = kernels.run_compiled(module, x0, 30)
    ref = run_schedule(compile_exprs(dec.field_engine("pg"), dec.game.parameters), x0,
                       PaperSchedule(), 30)
    assert np.allclose(final, ref.final, atol=1e-10)


@pytest.mark.parametrize("damage", ["truncate", "edit", "header"])
def test_a_damaged_module_is_generated_again(tmp_path, monkeypatch, stag, damage):
    dec, text = stag
    monkeypatch.setenv("EQSELECT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(cache, "_LOADED", {})
    module = cache.load_kernel(text)
    path = tmp_path / "kernels" / f"k_{module.key}.py"
    body = path.read_text()
    assert body.startswith(cache.HEADER)
    bad = {"truncate": body[:len(body) // 2],
           "edit": body.replace("def run(", "def run_(", 1),
           "header": body.replace(cache.HEADER, "# something else ", 1)}[damage]
    path.write_text(bad)
    monkeypatch.setattr(cache, "_LOADED", {})  # a fresh process
    again = cache.load_kernel(text)
    assert path.read_text() == body  # rewritten whole
    _steps_like_numpy(again, dec)


def test_a_damaged_side_file_regenerates_its_module(tmp_path, monkeypatch):
    monkeypatch.setenv("EQSELECT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(cache, "_LOADED", {})
    module = cache.cached_kernel("spec", lambda: ("x = open(__file__[:-3] + \".blob\").read()"
                                                  "\ndef run(*a):\n    return 1\n",
                                                  {".blob": b"payload"}))
    blob = tmp_path / "kernels" / f"k_{module.key}.blob"
    blob.write_bytes(blob.read_bytes()[:-1])
    assert not cache._intact(tmp_path / "kernels" / f"k_{module.key}.py")
    monkeypatch.setattr(cache, "_LOADED", {})
    again = cache.cached_kernel("spec", lambda: ("x = 1\ndef run(*a):\n    return 2\n",
                                                 {".blob": b"payload"}))
    assert again.run() == 2 and cache._intact(tmp_path / "kernels" / f"k_{module.key}.py")


def test_an_unwritable_cache_compiles_in_a_private_folder(tmp_path, monkeypatch, stag):
    dec, text = stag
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("EQSELECT_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(cache, "_LOADED", {})
    monkeypatch.setattr(cache, "_PRIVATE", [])
    module = cache.load_kernel(text)
    assert cache._PRIVATE and (cache._PRIVATE[0] / f"k_{module.key}.py").exists()
    _steps_like_numpy(module, dec)


#: A process that builds a small kernel, waits for its twin, then compiles it
#: (first call), and prints numba's cache misses, cache hits and the result.
_TWIN = '''
import sys, time
from pathlib import Path
from eqselect.numerics.dynamics.kernels import cache
text = ("import numba\\n@numba.njit(cache=True)\\ndef run(n):\\n    s = 0.0\\n"
        "    for i in range(n):\\n        s += (i % 7) * 0.5\\n    return s\\n")
module = cache.load_kernel(text)
here, other = Path(sys.argv[1]), Path(sys.argv[2])
here.touch()
while not other.exists():
    time.sleep(0.002)
value = module.run(1000)
stats = module.run.stats
print(sum(stats.cache_misses.values()), sum(stats.cache_hits.values()), value)
'''


def test_two_processes_asking_for_one_kernel_compile_it_once(tmp_path):
    """The second process waits on the key's lock and loads the first one's machine code."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, EQSELECT_CACHE_DIR=str(tmp_path / "cache"))
    a, b = tmp_path / "a", tmp_path / "b"
    twins = [subprocess.Popen([sys.executable, "-c", _TWIN, str(x), str(y)], env=env,
                              stdout=subprocess.PIPE, text=True) for x, y in ((a, b), (b, a))]
    out = [p.communicate(timeout=120)[0].split() for p in twins]
    assert all(p.returncode == 0 for p in twins)
    misses, hits = sum(int(o[0]) for o in out), sum(int(o[1]) for o in out)
    assert (misses, hits) == (1, 1)  # one compiled, the other loaded
    expected = sum((i % 7) * 0.5 for i in range(1000))
    assert [float(o[2]) for o in out] == [expected, expected]
    assert list((tmp_path / "cache" / "kernels").glob("k_*.lock"))
