"""Exact fixed points of the projected dynamics, face by face (docs/theory.md).

The region's faces (`enumeration`), the problem on one face and the check
that admits a point (`problem`), and exact solvers: rational Gauss-Jordan
(`affine`), integer elimination (`integer_elimination`), Groebner bases
(`polynomial`), the polytopes of a continuum (`continua`), the whole search
under a budget (`projected`), and sympy's solve of F = 0 on a free region
(`sympy_solve`).
"""

from eqselect.theory.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "eqselect.numerics.fixed_points.exact_faces.projected":
        ["projected_fixed_points", "projected_problem"],
    "eqselect.numerics.fixed_points.exact_faces.sympy_solve":
        ["exact_attempt", "exact_fixed_points"],
}, globals())
