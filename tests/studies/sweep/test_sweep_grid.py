"""The sweep grid: exact axes, cell order, chunks and the argument hash."""

import itertools

import pytest
import sympy as sp
from hypothesis import given, strategies as st

from eqselect.theory.errors import OptionsError
from eqselect.theory.rules import PAPER
from eqselect.studies.sweep.grid import SweepSpec, parse_axis


def spec(over=("a=3:5:3",), lam="0:1:2", methods=("pg",), chunk=2, **kw):
    args = dict(game="stag-hunt", parameterization="direct",
                over=tuple(parse_axis(t) for t in over), lam=parse_axis(lam, "lam"),
                methods=tuple(methods), eta=PAPER.eta, own_coef=PAPER.own, grid=3, steps=5,
                schedule="paper", chunk_size=chunk)
    args.update(kw)
    return SweepSpec(**args)


def test_axis_values_are_exact():
    ax = parse_axis("d=0:1:4")
    assert ax.name == "d" and ax.values == (0, sp.Rational(1, 3), sp.Rational(2, 3), 1)
    assert parse_axis("0.1:0.1:1", "lam").values == (sp.Rational(1, 10),)


@pytest.mark.parametrize("text", ["a", "a=1:2", "a=1:2:1", "a=1:1:3", "a=x:2:3", "1a=0:1:2",
                                  "a=0:1:0", "a=1/0:2:3"])
def test_bad_axes_are_refused(text):
    with pytest.raises(OptionsError):
        parse_axis(text)


@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 3), st.integers(1, 5),
       st.integers(1, 7))
def test_cells_enumerate_the_product_lambda_fastest(n_methods, n1, n2, n_lam, chunk):
    methods = ("pg", "peer-only", "meta-mapg")[:n_methods]
    lam = f"0:1:{n_lam}" if n_lam > 1 else "0:0:1"
    a = f"a=3:5:{n1}" if n1 > 1 else "a=3:3:1"
    d = f"d=1:2:{n2}" if n2 > 1 else "d=1:1:1"
    s = spec(over=(a, d), lam=lam, methods=methods, chunk=chunk)
    expected = [(m, {"a": x, "d": y}, l) for m, x, y, l in itertools.product(
        methods, s.over[0].values, s.over[1].values, s.lam.values)]
    assert [s.cell(i) for i in range(s.n_cells)] == expected
    assert [i for k in range(s.n_chunks) for i in s.chunk(k)] == list(range(s.n_cells))


def test_digest_tracks_every_argument_that_decides_a_cell():
    base = spec().digest()
    assert spec().digest() == base
    for change in (dict(grid=4), dict(steps=6), dict(chunk_size=3), dict(eta=sp.Rational(1, 2)),
                   dict(schedule="flow"), dict(game_digest="ff")):
        assert spec(**change).digest() != base, change
    assert spec(lam="0:1:3").digest() != base
    assert spec(methods=("meta-mapg",)).digest() != base


def test_spec_refuses_bad_combinations():
    with pytest.raises(OptionsError):
        spec(over=("a=0:1:2", "a=0:1:2"))
    with pytest.raises(OptionsError):
        spec(methods=("pg", "pg"))
    with pytest.raises(OptionsError):
        spec(methods=("sgd",))
    with pytest.raises(OptionsError):
        spec(over=("a=0:1:1000", "d=0:1:1000"), lam="0:1:3")
