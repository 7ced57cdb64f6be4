"""eqselect.studies.replay: the paper's experiments, exact or sampled, under eqselect's
protocol or the authors' (docs/replay.md)."""

from eqselect.theory.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "eqselect.studies.replay.runs": ["EXPERIMENTS", "PROTOCOLS", "PUBLISHED", "Setting"],
    "eqselect.studies.replay.experiments": ["ReplayResult", "replay"],
    "eqselect.studies.replay.authors": ["AuthorsSetting"],
    "eqselect.studies.replay.counting": ["AUTHORS", "EQSELECT", "Counting", "Outcome"],
    "eqselect.studies.replay.sensitivity": ["sensitivity"],
    "eqselect.studies.replay.plots": ["write_outputs"],
}, globals())
