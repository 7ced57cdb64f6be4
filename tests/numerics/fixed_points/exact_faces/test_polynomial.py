"""Real solutions of polynomial face systems: the root combinations kept."""

import itertools

import sympy as sp

from eqselect.numerics.fixed_points.exact_faces.polynomial import _satisfying, real_solutions


def _system():
    """x = +-sqrt 2, y a root of y^3 - 3y + 1 (three real CRootOf), z = x y, with an
    irrational coefficient: 2 x 3 x 6 candidate combinations, 6 solutions."""
    x, y, z = sp.symbols("x y z")
    polys = [x**2 - 2, y**3 - 3 * y + 1, sp.sqrt(2) * (z - x * y)]
    z_poly = sp.resultant(sp.resultant(z - x * y, x**2 - 2, x), y**3 - 3 * y + 1, y)
    roots = [sp.real_roots(sp.Poly(p, v)) for p, v in
             ((x**2 - 2, x), (y**3 - 3 * y + 1, y), (z_poly, z))]
    return polys, [x, y, z], roots


def test_root_combinations_kept_are_those_the_system_vanishes_at():
    """Against sympy's own evaluation of every polynomial at the exact roots (to 50
    digits), combination by combination."""
    polys, gens, roots = _system()
    assert [len(r) for r in roots] == [2, 3, 6]
    reference = [c for c in itertools.product(*roots)
                 if all(abs(sp.N(p.xreplace(dict(zip(gens, c))), 50)) < 1e-40 for p in polys)]
    kept = _satisfying(polys, gens, roots)
    assert kept == reference and len(kept) == 6
    for x, y, z in kept:  # z = x y holds exactly: its minimal polynomial vanishes
        assert sp.minimal_polynomial(z - x * y, sp.Symbol("t")) == sp.Symbol("t")


def test_real_solutions_of_a_system_outside_shape_position():
    """x^2 = 2 and y^2 = 2 without a linear y - h(x): the eliminating polynomials'
    roots are combined and the four sign patterns kept, each one exactly."""
    x, y = sp.symbols("x y")
    got = real_solutions([x**2 - 2, y**2 - 2, (x - y) * (x + y)], [x, y])
    r = sp.sqrt(2)
    assert sorted(got, key=str) == sorted([(a, b) for a in (-r, r) for b in (-r, r)], key=str)
