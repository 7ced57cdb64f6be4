"""eqselect.numerics.fixed_points: every fixed point of a method's field (docs/theory.md).

Exact projected fixed points face by face (direct parameterisation), exact
solving where sympy decides, mpmath Newton with deflation otherwise; every
point is an :class:`Equilibrium` record saying how it was found.

``find`` is the entry point: it walks the route table. The routes live in
sub-packages named for their method: ``exact_faces`` (faces of the box /
simplex, sympy's solve), ``resultants`` (two logit / softmax parameters),
``nash`` (totally mixed Nash equilibria), ``newton`` (seeded Newton with
deflation), ``certify`` (Krawczyk proofs), ``infinity`` (pure profiles at
infinity), ``adaptive`` (SOS); ``core`` holds what they share (field,
record, characterisation, route protocol) and ``components`` the connected
sets of continua.
"""

from eqselect.theory.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "eqselect.numerics.fixed_points.find": ["EquilibriumSet", "find_equilibria"],
    "eqselect.numerics.fixed_points.core.routes": ["RouteResult", "RouteStatus", "SearchOptions",
                                                   "SetRoute"],
    "eqselect.numerics.fixed_points.components": ["Component"],
    "eqselect.numerics.fixed_points.core.record":
        ["Equilibrium", "Route", "Stability", "classify"],
    "eqselect.numerics.fixed_points.core.nash_check": ["is_nash", "strategies_at"],
    "eqselect.numerics.fixed_points.newton.multistart": ["newton_fixed_points"],
    "eqselect.numerics.fixed_points.exact_faces.sympy_solve": ["exact_fixed_points"],
    "eqselect.numerics.fixed_points.exact_faces.projected": ["projected_fixed_points"],
}, globals())
