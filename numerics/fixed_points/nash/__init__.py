"""PG's interior fixed points under logit / softmax: the totally mixed Nash
equilibria, solved exactly (`totally_mixed`; the exact Nash check of a
profile is `eqselect.numerics.fixed_points.core.nash_check`)."""

from eqselect.theory.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "eqselect.numerics.fixed_points.nash.totally_mixed": ["pg_interior_fixed_points"],
}, globals())
