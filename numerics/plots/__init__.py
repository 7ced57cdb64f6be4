"""Figures of eqselect's results (matplotlib).

One convention for every public plotting function here: it returns a
finished ``matplotlib.figure.Figure`` drawn on its own Agg canvas (never
registered with pyplot, so nothing needs closing and no global backend is
changed) and, when given ``path``, also writes the figure there (format from
the suffix). Canvas, palette (Okabe-Ito, colour-blind safe) and axis names
live in :mod:`eqselect.numerics.plots.style`.

- :mod:`~eqselect.numerics.plots.bifurcation`: branches of a continuation.
- :mod:`~eqselect.numerics.plots.portrait`: phase portraits and basin maps.
- :mod:`~eqselect.numerics.plots.tikz`: pgfplots versions of the first two.
"""

from eqselect.theory.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "eqselect.numerics.plots.bifurcation": ["bifurcation_diagram"],
    "eqselect.numerics.plots.portrait": ["basin_plot", "phase_portrait"],
}, globals())
