"""Trajectories of several rules from one start, in probability coordinates.

The figure of ``eqselect select --plot``: one line per method through its
checkpoints (the run's state after k steps), the start as a black dot, each
end as a marker in its method's colour, the axes named by player and action
(:mod:`eqselect.numerics.plots.style`).
"""

from __future__ import annotations

import numpy as np

from eqselect.numerics.plots.style import finish, new_figure, probability_label, series_color


def trajectories_plot(selections, game, path=None, size=(4.2, 4.4)):
    """Draw each `Selection`'s trajectory (its first two probability coordinates).

    Parameters
    ----------
    selections : sequence of Selection
        ``trajectory`` of shape (n, d), d >= 2; ``method`` and ``outcome`` name
        the line in the legend.
    game : Game
        Names the axes.
    path : str or Path, optional
        Also write the figure there.
    size : (float, float)
        Inches (fonts 7.5 to 9 pt at this size).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = new_figure(figsize=size)
    for k, s in enumerate(selections):
        xy = np.asarray(s.trajectory, dtype=float)[:, :2]
        color = series_color(k)
        steps = "" if s.steps is None else f", {s.steps} steps"
        ax.plot(xy[:, 0], xy[:, 1], color=color, lw=1.6, label=f"{s.method}: {s.outcome}{steps}")
        ax.plot(xy[-1, 0], xy[-1, 1], marker="o", color=color, markersize=6, clip_on=False)
    if selections:
        start = np.asarray(selections[0].trajectory, dtype=float)[0, :2]
        ax.plot(start[0], start[1], marker="o", color="black", markersize=5, label="start")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel(probability_label(game, 0), fontsize=8)
    ax.set_ylabel(probability_label(game, 1), fontsize=8)
    ax.tick_params(labelsize=8)
    ax.set_title(f"{game.name}: runs from one start", fontsize=9)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=7.5, frameon=False)
    return finish(fig, path)
