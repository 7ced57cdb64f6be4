"""eqselect.numerics.fixed_points: every fixed point of a method's field (docs/theory.md).

Exact projected fixed points face by face (direct parameterisation), exact
solving where sympy decides, mpmath Newton with deflation otherwise; every
point is an :class:`Equilibrium` record saying how it was found.
"""

from eqselect.theory.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "eqselect.numerics.fixed_points.find": ["EquilibriumSet", "find_equilibria"],
    "eqselect.numerics.fixed_points.record": ["Equilibrium", "Route", "Stability", "classify"],
    "eqselect.numerics.fixed_points.nash": ["is_nash", "strategies_at"],
    "eqselect.numerics.fixed_points.newton": ["newton_fixed_points"],
    "eqselect.numerics.fixed_points.exact_solve": ["exact_fixed_points"],
    "eqselect.numerics.fixed_points.projected": ["projected_fixed_points"],
}, globals())
