"""What every fixed-point route shares (docs/theory.md).

The field of a rule, exact and in mpmath (`field`), its affine forms
(`affine_forms`), the `Equilibrium` record (`record`), the
characterisation of a point: stability, mu, Nash, boundary
(`characterise`), the exact Nash check (`nash_check`), and the route
protocol (`routes`). The routes import these, and the entry point
`eqselect.numerics.fixed_points.find` imports the routes.
"""

from eqselect.theory.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "eqselect.numerics.fixed_points.core.record":
        ["Equilibrium", "Route", "Stability", "classify"],
    "eqselect.numerics.fixed_points.core.routes":
        ["RouteResult", "RouteStatus", "SearchOptions", "SetRoute"],
}, globals())
