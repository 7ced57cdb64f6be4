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
