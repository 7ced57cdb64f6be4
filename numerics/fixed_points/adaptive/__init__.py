"""Fixed points from another rule's list: SOS's from LookAhead's (`sos`); SGA's,
CGD's and LSS's from PG's (`from_pg`)."""

from eqselect.theory.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "eqselect.numerics.fixed_points.adaptive.sos": ["sos_fixed_points"],
    "eqselect.numerics.fixed_points.adaptive.from_pg": ["LinearisedAtZeros",
                                                        "from_pg_fixed_points"],
}, globals())
