"""The disk cache of compiled fields and kernels: reused across processes, checked on
load, rebuilt when damaged, and harmless when the folder cannot be written."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

from eqselect.numerics import disk_cache
from eqselect.numerics.codegen import compile_exprs, field_key

x, y = sp.symbols("x y")
EXPRS = [sp.exp(-x) * y / 3 + x ** 2, sp.sqrt(2) + (1 + x) ** -2]


def _want(p):
    return [np.exp(-p[0]) * p[1] / 3 + p[0] ** 2, np.sqrt(2) + (1 + p[0]) ** -2]


def _entries(root):
    return sorted((root / "fields").glob("f_*.pkl"))


def test_a_compiled_field_is_stored_once_and_loaded_by_a_fresh_process(tmp_path, monkeypatch):
    monkeypatch.setenv("EQSELECT_CACHE_DIR", str(tmp_path))
    f = compile_exprs(EXPRS, [x, y])
    (entry,) = _entries(tmp_path)
    assert entry.name == f"f_{field_key(codegen_exprs(), codegen_args())}.pkl"
    stamp = entry.stat().st_mtime_ns
    code = ("import sympy as sp; from eqselect.numerics.codegen import compile_exprs; "
            "x, y = sp.symbols('x y'); "
            "print(compile_exprs([sp.exp(-x) * y / 3 + x ** 2, sp.sqrt(2) + (1 + x) ** -2],"
            " [x, y])([0.5, 2.0]).tolist())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ,
                                          "EQSELECT_CACHE_DIR": str(tmp_path)}).stdout
    assert np.allclose(json.loads(out), _want([0.5, 2.0]))
    assert entry.stat().st_mtime_ns == stamp  # loaded, not written again
    assert np.allclose(f([0.5, 2.0]), _want([0.5, 2.0]))


def codegen_exprs():
    from eqselect.theory.engine import to_engine

    return [to_engine(e) for e in EXPRS]


def codegen_args():
    from eqselect.theory.engine import to_engine

    return [to_engine(x), to_engine(y)]


def test_keys_follow_the_symbolic_form_and_the_argument_order():
    base = field_key(codegen_exprs(), codegen_args())
    assert field_key(codegen_exprs(), codegen_args()) == base
    assert field_key(codegen_exprs()[::-1], codegen_args()) != base
    assert field_key(codegen_exprs(), codegen_args()[::-1]) != base
    assert field_key(codegen_exprs()[:1], codegen_args()) != base


@pytest.mark.parametrize("damage", [b"", b"junk", "truncate", "flip"])
def test_a_damaged_entry_is_compiled_again_and_rewritten(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("EQSELECT_CACHE_DIR", str(tmp_path))
    compile_exprs(EXPRS, [x, y])
    (entry,) = _entries(tmp_path)
    good = entry.read_bytes()
    bad = (good[:len(good) // 2] if damage == "truncate" else
           good[:-5] + bytes([good[-5] ^ 1]) + good[-4:] if damage == "flip" else damage)
    entry.write_bytes(bad)
    assert disk_cache.load(entry) is None
    f = compile_exprs(EXPRS, [x, y])
    assert np.allclose(f([0.3, -1.0]), _want([0.3, -1.0]))
    assert disk_cache.load(entry) is not None  # rewritten whole


def test_an_unwritable_cache_folder_is_no_error(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("EQSELECT_CACHE_DIR", str(blocker / "cache"))
    f = compile_exprs(EXPRS, [x, y])
    assert np.allclose(f([0.1, 0.2]), _want([0.1, 0.2]))
    assert disk_cache.store(blocker / "cache" / "x.bin", b"data") is False


def test_a_foreign_entry_under_the_right_name_is_not_trusted(tmp_path, monkeypatch):
    """An intact entry that is not a field of this shape (here: another field
    with one expression) is compiled again."""
    import pickle

    import symengine as se

    monkeypatch.setenv("EQSELECT_CACHE_DIR", str(tmp_path))
    key = field_key(codegen_exprs(), codegen_args())
    other = se.Lambdify(codegen_args(), codegen_exprs()[:1], backend="llvm")
    disk_cache.store(tmp_path / "fields" / f"f_{key}.pkl", pickle.dumps(other))
    f = compile_exprs(EXPRS, [x, y])
    assert f([0.3, 0.4]).shape == (2,)
    assert np.allclose(f([0.3, 0.4]), _want([0.3, 0.4]))


def test_the_cache_root_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("EQSELECT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert disk_cache.cache_root() == tmp_path / "eqselect"
    monkeypatch.setenv("EQSELECT_CACHE_DIR", str(tmp_path / "mine"))
    assert disk_cache.cache_root() == tmp_path / "mine"


@pytest.mark.parametrize("method,coefficients", [("meta-mapg", ["lam", "own"]), ("lola", [])])
def test_a_parametric_field_equals_the_field_compiled_at_each_value(tmp_path, monkeypatch,
                                                                    method, coefficients):
    """Derived and compiled once with eta, lambda, c and the payoffs free; at every
    value it is the field derived and compiled at that value."""
    from eqselect.numerics.compiled import compile_field, compile_parametric
    from eqselect.theory import Decomposition, Rule, builtin

    monkeypatch.setenv("EQSELECT_CACHE_DIR", str(tmp_path))
    lam, c = sp.symbols("lam own")  # c is a payoff symbol of the 2x2 game
    game = builtin("stag-hunt", "logit", symbolic=True)
    free = compile_parametric(Decomposition(game), Rule(method, lam=lam, own_coef=c))
    assert [str(s) for s in free.symbols] == sorted(
        ["eta", *coefficients, *(str(s) for s in game.free_symbols)])
    pts = np.random.default_rng(7).normal(size=(20, 2)) * 2
    for eta, lam_v, c_v, payoff in [(0.55, 1.5, 0.35, (4, 0, 3, 2)), (0.3, 0.5, 1.0, (2, 1, 0, 3))]:
        values = dict(zip(map(str, game.free_symbols), payoff))
        dec = Decomposition(game.substitute(values), eta=sp.nsimplify(eta))
        ref = compile_field(dec, Rule(method, lam=sp.nsimplify(lam_v),
                                      own_coef=sp.nsimplify(c_v))).field(pts)
        given = {"eta": eta, "lam": lam_v, "own": c_v, **values}
        got = free.at({k: v for k, v in given.items() if k in map(str, free.symbols)})(pts)
        np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="no value for"):
        free.at({"eta": 0.5})


def test_two_fields_under_one_key_never_stand_for_each_other(tmp_path, monkeypatch):
    """The key is a 32-bit structural hash per expression, so keys of different
    fields can coincide: an entry is taken only where it equals the expressions
    at the probe points. Every field here gets the same key."""
    import eqselect.numerics.codegen as codegen

    monkeypatch.setenv("EQSELECT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(codegen, "field_key", lambda exprs, args: "same")
    first = compile_exprs([3 * x + 5 * y], [x, y])
    second = compile_exprs([5 * x + 3 * y], [x, y])
    assert first([1.0, 0.0]).tolist() == [3.0] and second([1.0, 0.0]).tolist() == [5.0]
    assert len(_entries(tmp_path)) == 1  # the second rewrote the shared entry
    assert compile_exprs([3 * x + 5 * y], [x, y])([1.0, 0.0]).tolist() == [3.0]
