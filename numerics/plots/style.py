"""The one place figures are made: canvas, palette, labels, saving.

Every figure of :mod:`eqselect.numerics.plots` is a ``matplotlib.figure.Figure``
drawn on the Agg canvas attached here (``FigureCanvasAgg``). Figures never
enter pyplot's registry, so nothing changes the user's global backend and
there is nothing left to close: every public plotting function returns a
finished (closed) ``Figure`` and, when given ``path``, also writes it there.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from eqselect.theory.latex import symbol_names

#: Okabe & Ito's colour-blind-safe palette (black first).
OKABE_ITO = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2",
             "#D55E00", "#CC79A7")
#: Series colours: the palette without black and yellow (low contrast on white).
SERIES = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
#: Resolution of written PNG files.
DPI = 120


def new_figure(nrows: int = 1, ncols: int = 1, *, figsize=(6.0, 4.0), **kwargs):
    """A figure on the Agg canvas and its axes (``subplots`` semantics)."""
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes


def finish(fig: Figure, path=None) -> Figure:
    """Lay the figure out, write it to ``path`` (format from the suffix) if given."""
    fig.tight_layout()
    if path is not None:
        fig.savefig(Path(path), dpi=DPI)
    return fig


def series_color(k: int) -> str:
    """Colour of the k-th series (cycles through `SERIES`)."""
    return SERIES[k % len(SERIES)]


def parameter_label(symbol) -> str:
    r"""Mathtext name of a parameter: theta1 -> $\theta_{1}$, p1_0 -> $p_{1,0}$."""
    name = symbol_names([symbol]).get(symbol)
    return f"${name}$" if name else str(symbol)


def probability_label(game, k: int, initial: bool = False) -> str:
    """Axis label for parameter k of a probability-coordinate plot.

    Names the player and the action by the game's names, and the parameter,
    e.g. ``P(player 1 plays C)  [$\\theta_{1}$]`` or ``P(row plays stag)``.
    """
    agent = next(i for i, s in enumerate(game.slices) if s.start <= k < s.stop)
    start = "initial " if initial else ""
    player = game.player_name(agent)
    player = f"player {player}" if player.isdigit() else player
    block = game.slices[agent]
    if not game.actions or block.stop - block.start != game.actions[agent] - 1:
        # several states per agent (e.g. the IPD's memory-one policies)
        return f"{start}{player}: {parameter_label(game.parameters[k])}"
    action = game.action_name(agent, k - block.start)
    return f"{start}P({player} plays {action}) [{parameter_label(game.parameters[k])}]"


__all__ = ["DPI", "OKABE_ITO", "SERIES", "finish", "new_figure", "parameter_label",
           "probability_label", "series_color"]
