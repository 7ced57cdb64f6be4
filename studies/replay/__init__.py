"""eqselect.studies.replay: the paper's experiments, exact or sampled (docs/replay.md)."""

from eqselect.theory.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "eqselect.studies.replay.experiments": [
        "EXPERIMENTS", "PUBLISHED", "ReplayResult", "replay"],
    "eqselect.studies.replay.plots": ["write_outputs"],
}, globals())
