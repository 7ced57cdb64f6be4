"""Interval proofs of fixed points: the Krawczyk test on arb enclosures (`krawczyk`)."""

from eqselect.theory.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "eqselect.numerics.fixed_points.certify.krawczyk": ["certify_points", "prove_zero"],
}, globals())
