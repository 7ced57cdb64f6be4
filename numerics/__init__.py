"""eqselect.numerics: compiled fields, fixed points, continuation, basins.

Sub-packages, one concern each: ``fixed_points``, ``continuation``,
``dynamics``, ``sources``, ``plots``. The everyday names are
re-exported here and imported on first use (numpy, scipy and llvmlite load
then, matplotlib only with the plots)::

    from eqselect.numerics import find_equilibria, continue_in_lambda, basin_map

The mathematics is in docs/theory.md.
"""

from eqselect.theory.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "eqselect.numerics.codegen": ["BACKENDS", "compile_exprs", "compile_mpmath"],
    "eqselect.numerics.compiled": ["CompiledField", "compile_field", "field_exact"],
    "eqselect.numerics.fixed_points.find": ["EquilibriumSet", "find_equilibria"],
    "eqselect.numerics.fixed_points.core.record": ["Equilibrium", "Stability"],
    "eqselect.numerics.continuation.branches": [
        "ContinuationResult", "continue_in_lambda", "continue_in_parameter"],
    "eqselect.numerics.continuation.pseudo_arclength": ["Branch", "Event", "EventType"],
    "eqselect.numerics.dynamics.basins": ["basin_map", "basin_monte_carlo"],
    "eqselect.numerics.dynamics.basin_map": ["BasinMap"],
    "eqselect.numerics.dynamics.separatrix": ["Separatrix", "separatrix"],
}, globals())
