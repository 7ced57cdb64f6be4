"""Central-difference Jacobians against the exact ones, and their use past the size limit."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given, strategies as st

import eqselect.numerics.differences as differences
from eqselect.theory import PAPER, Decomposition, builtin
from eqselect.theory.games.normal_form import normal_form_game
from eqselect.numerics.compiled import compile_field
from eqselect.numerics.differences import (
    central_jacobian, field_operations, mp_central_jacobian)
from eqselect.numerics.fixed_points.core.field import MpField
from eqselect.numerics.fixed_points.newton.multistart import NewtonOptions, newton_fixed_points
from eqselect.theory.rules import Rule

DEC = Decomposition(normal_form_game([[[4, 4, -3], [5, -3, -3], [4, -3, 4]],
                                      [[-5, -5, 3], [3, -1, -4], [2, 3, 3]]], "softmax"),
                    eta=PAPER.eta)
EXACT = compile_field(DEC, Rule("meta-mapg", PAPER.lam, PAPER.own))
points = st.lists(st.floats(-4, 4), min_size=4, max_size=4)


@given(st.lists(points, min_size=1, max_size=5))
def test_float_differences_match_the_exact_jacobian(xs):
    x = np.array(xs)
    exact = EXACT.jacobian(x)
    approx = central_jacobian(EXACT.field, x)
    scale = np.maximum(1.0, np.abs(exact).max(axis=(1, 2)))[:, None, None]
    assert np.all(np.abs(approx - exact) <= 1e-7 * scale)


@given(points)
def test_mpmath_differences_match_the_exact_jacobian_to_many_digits(x):
    mpf = MpField(DEC, Rule("meta-mapg", PAPER.lam, PAPER.own))
    assert mpf.jacobian_kind == "exact"
    with mpmath.workdps(40):
        exact = mpf.jacobian(x)
        approx = mp_central_jacobian(mpf.field, x)
        err = mpmath.mnorm(exact - approx, 1) / max(1, mpmath.mnorm(exact, 1))
    assert err < mpmath.mpf(10) ** -20


def test_field_operations_counts_the_cse_form():
    dec = Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)
    small = field_operations(dec.field_engine("pg"))
    large = field_operations(dec.field_engine("meta-mapg", PAPER.lam, PAPER.own))
    assert 0 < small < large


def test_past_the_limit_newton_uses_differences_and_finds_the_same_points(monkeypatch):
    dec = Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)
    kw = dict(rule=Rule("meta-mapg", PAPER.lam, PAPER.own),
              options=NewtonOptions(n_seeds=24, seed=3))
    exact = newton_fixed_points(dec, **kw)
    monkeypatch.setattr(differences, "SYMBOLIC_JACOBIAN_OPS", 10)
    assert compile_field(dec, Rule("meta-mapg", PAPER.lam, PAPER.own)).jacobian_kind == \
        "central differences"
    approx = newton_fixed_points(dec, **kw)
    assert len(exact.equilibria) == len(approx.equilibria) >= 1
    for a, b in zip(sorted(exact.equilibria, key=lambda e: e.point),
                    sorted(approx.equilibria, key=lambda e: e.point)):
        assert np.allclose(a.point, b.point, atol=1e-15)
        assert a.stability == b.stability
        key = lambda z: (round(z.real, 6), round(z.imag, 6))  # eigenvalues have no order
        assert np.allclose(sorted(a.eigenvalues, key=key), sorted(b.eigenvalues, key=key),
                           atol=1e-8)
    assert any("central differences" in n for n in approx.notes)
    assert not any("central differences" in n for n in exact.notes)


def test_extended_field_differences_match_the_exact_extended_jacobian(monkeypatch):
    from eqselect.numerics.continuation.system import extended_field

    exact = extended_field(DEC, Rule("meta-mapg", own_coef=PAPER.own), "lam")
    monkeypatch.setattr(differences, "SYMBOLIC_JACOBIAN_OPS", 10)
    approx = extended_field(DEC, Rule("meta-mapg", own_coef=PAPER.own), "lam")
    assert (exact.jacobian_kind, approx.jacobian_kind) == ("exact", "central differences")
    x = np.random.default_rng(5).normal(size=(6, 4))
    for lam in (0.0, 0.7, 3.0):
        a, b = exact.batch_jacobian(x, [lam]), approx.batch_jacobian(x, [lam])
        assert a.shape == b.shape == (6, 20)
        assert np.abs(a - b).max() <= 1e-6 * max(1.0, np.abs(a).max())
