"""eqselect.numerics.plots: phase portraits, basin maps, bifurcation diagrams, replay figures.

Importing a name from here imports matplotlib; nothing else in eqselect does.
"""

from eqselect.theory.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "eqselect.numerics.plots.bifurcation": ["bifurcation_diagram"],
    "eqselect.numerics.plots.portrait": ["basin_plot", "phase_portrait"],
    "eqselect.numerics.plots.replay": ["write_outputs"],
}, globals())
