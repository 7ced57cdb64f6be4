"""Rules with an adaptive weight: SOS's fixed points from LookAhead's (`sos`)."""

from eqselect.theory.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "eqselect.numerics.fixed_points.adaptive.sos": ["sos_fixed_points"],
}, globals())
