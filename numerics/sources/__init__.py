"""eqselect.numerics.sources: where gradients come from besides the symbolic field.

The exact memory-one IPD by dynamic programming (:mod:`.markov`) and the paper's
likelihood-ratio estimators (:mod:`.estimators`, the estimator lemma of
docs/theory.md).
"""

from eqselect.theory.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "eqselect.numerics.sources.estimators": [
        "estimator_variance_trace", "sample_components"],
    "eqselect.numerics.sources.markov": ["ipd_components", "ipd_field"],
}, globals())
