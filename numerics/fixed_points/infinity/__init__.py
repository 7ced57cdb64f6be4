"""Fixed points at infinity of logit / softmax fields: pure profiles (`pure_profiles`)."""

from eqselect.theory.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "eqselect.numerics.fixed_points.infinity.pure_profiles":
        ["pure_profiles_at_infinity", "saturating"],
}, globals())
