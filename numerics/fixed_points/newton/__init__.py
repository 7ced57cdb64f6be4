"""Newton's method from many seeds, with deflation (docs/theory.md).

Seeds on the region (`seeds`), the deflated step (`deflation`), the
multistart search and its polish (`multistart`), and the interior points of
an entropy-regularised direct field in softmax coordinates
(`entropy_interior`). These routes can miss roots: their results say how
many seeds were tried and how they were drawn.
"""

from eqselect.theory.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "eqselect.numerics.fixed_points.newton.multistart": ["newton_fixed_points", "newton_polish"],
    "eqselect.numerics.fixed_points.newton.entropy_interior": ["interior_fixed_points"],
}, globals())
