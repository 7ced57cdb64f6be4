"""Bifurcation diagrams of a `ContinuationResult`.

One coordinate of the fixed points against the continuation parameter.
Each branch has its own colour and marker (sparse markers along the curve,
so branches that lie on top of each other stay visible) and names its face
or corner in the legend (e.g. "p2 = 0"); stable stretches are solid, every
other class dashed; events are black markers, one legend entry per event
type.
"""

from __future__ import annotations

import numpy as np

from eqselect.numerics.fixed_points.core.record import Stability
from eqselect.numerics.plots.style import finish, new_figure, series_color

#: Marker per event type.
EVENT_MARKERS = {"fold": "o", "boundary": "s", "branch": "D", "hopf": "^", "saturation": "*"}
#: Longest face name written into the legend (longer ones say "face").
MAX_FACE_LABEL = 32
#: Marker along branch k (every few points), cycling.
BRANCH_MARKERS = ("o", "v", "s", "P", "X", "D", "^", "<")


def stability_runs(stability) -> list[tuple[int, int, bool]]:
    """Maximal runs (start, stop, stable) of equal stable/not-stable flags.

    Consecutive runs share their end row so the drawn curve has no gaps.

    Examples
    --------
    >>> S, U = Stability.STABLE, Stability.SADDLE
    >>> stability_runs([S, S, U, U, S])
    [(0, 2, True), (1, 4, False), (3, 5, True)]
    """
    flags = [s is Stability.STABLE for s in stability]
    runs, start = [], 0
    for i in range(1, len(flags) + 1):
        if i == len(flags) or flags[i] != flags[start]:
            runs.append((max(start - 1, 0), i, flags[start]))
            start = i
    return runs


#: Branches named one by one in the legend; more are summarised in one entry.
MAX_BRANCH_ENTRIES = 8


def parameter_axis_label(parameter: str) -> str:
    r"""``lam`` -> $\lambda$; a payoff symbol keeps its name, in math type."""
    return r"$\lambda$" if parameter in ("lam", "lambda") else f"${parameter}$"


def _draw_branch(ax, br, k: int, coordinate: int, labelled: bool = True) -> None:
    color, marker = series_color(k), BRANCH_MARKERS[k % len(BRANCH_MARKERS)]
    n = len(br.points)
    every = max(n // 6, 1)
    for i, j, stable in stability_runs(br.stability):
        seg = br.points[i:j]
        ax.plot(seg[:, 0], seg[:, 1 + coordinate], color=color, alpha=0.85,
                linestyle="-" if stable else (0, (5, 3)), linewidth=2.2 if stable else 1.4,
                marker=marker, markevery=slice(k % every, None, every), markersize=4,
                markerfacecolor="white" if not stable else color, zorder=2 + k % 3)
    if labelled:
        ax.plot([], [], color=color, marker=marker, markersize=4, label=branch_label(br, k))


def branch_label(br, k: int) -> str:
    """``branch 2``, ``branch 2: p2 = 0`` (a face or corner), ``branch 2: face`` (long names).

    ``k`` is 0-based, as the branches are numbered in the ``continue`` text and JSON.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> branch_label(NS(kind="face", face="p2 = 0"), 2)
    'branch 2: p2 = 0'
    """
    face = getattr(br, "face", "")
    if not face:
        return f"branch {k}"
    return f"branch {k}: {face if len(face) <= MAX_FACE_LABEL else br.kind}"


def bifurcation_diagram(result, coordinate: int = 0, path=None, ax=None, *, names=None):
    """Draw coordinate ``coordinate`` of every branch against the parameter.

    Parameters
    ----------
    result : ContinuationResult
    coordinate : int
        Index into the game's parameters (0 <= coordinate < d).
    path : str or Path, optional
        Also write the figure there (format from the suffix, e.g. PNG).
    ax : matplotlib Axes, optional
        Draw into it instead of a new figure (``path`` then saves its figure).
    names : sequence of str, optional
        Axis names of the d coordinates (e.g. ``parameter_label`` of the game's
        parameters); default ``$\\phi_{k}$``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        For a coordinate outside [0, d).
    """
    d = next((b.points.shape[1] - 1 for b in result.branches), None)
    if d is not None and not 0 <= coordinate < d:
        raise ValueError(f"coordinate {coordinate} must lie in [0, {d})")
    if ax is None:
        fig, ax = new_figure(figsize=(6.4, 4.2))
    fig = ax.figure
    many = len(result.branches) > MAX_BRANCH_ENTRIES
    for k, br in enumerate(result.branches):
        _draw_branch(ax, br, k, coordinate, labelled=not many)
    if many:  # one entry for all: a legend of every branch would crowd out the plot
        ax.plot([], [], color=series_color(0), label=f"{len(result.branches)} branches "
                "(one colour each, repeating)")
    seen = set()
    for ev in result.events:
        kind = ev.type.value
        ax.plot([ev.value], [ev.point[coordinate]], linestyle="none", zorder=6,
                marker=EVENT_MARKERS.get(kind, "x"), color="black", markersize=7,
                label=f"{kind} point" if kind not in seen else None)
        seen.add(kind)
    ax.plot([], [], color="grey", linestyle="-", linewidth=2.2, label="stable")
    ax.plot([], [], color="grey", linestyle=(0, (5, 3)), linewidth=1.4, label="not stable")
    _readable_ylim(ax, result, coordinate)
    _window(ax, result)
    ax.set_xlabel(parameter_axis_label(result.parameter))
    ax.set_ylabel(names[coordinate] if names else f"$\\phi_{{{coordinate + 1}}}$")
    ax.grid(True, color="0.9", linewidth=0.6)
    ax.tick_params(labelsize=9)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9, frameon=False)
    return finish(fig, path)


#: A coordinate that varies less than this along every branch is drawn as constant.
FLAT_SPAN = 1e-9


def _readable_ylim(ax, result, coordinate: int) -> None:
    """A window of height 2 around a coordinate that rounding alone moves (a branch
    at theta = 0 drifting by 1e-16 would otherwise fill the axis with noise)."""
    values = [v for b in result.branches for v in np.asarray(b.points)[:, 1 + coordinate]
              if np.isfinite(v)]
    if values and max(values) - min(values) < FLAT_SPAN:
        mid = float(np.mean(values))
        ax.set_ylim(mid - 1, mid + 1)


#: Margin around the parameter window, as a share of its length.
WINDOW_MARGIN = 0.03


def _window(ax, result) -> None:
    """The parameter axis spans the window that was asked for (what the diagram
    shows is the window, empty or not); a window without a branch says so."""
    lo, hi = sorted(float(v) for v in result.value_range)
    pad = WINDOW_MARGIN * (hi - lo)
    ax.set_xlim(lo - pad, hi + pad)
    if not result.branches:
        ax.text(0.5, 0.5, "no branch of fixed points found\n(see the notes of the run)",
                transform=ax.transAxes, ha="center", va="center", color="0.35", fontsize=10)


def branch_table(result, coordinate: int = 0) -> list[tuple[int, bool, np.ndarray]]:
    """(branch index, stable, rows [value, coordinate]) of every stability run.

    The data the diagram draws, for other renderers (the pgfplots export).
    """
    out = []
    for k, br in enumerate(result.branches):
        for i, j, stable in stability_runs(br.stability):
            out.append((k, stable, br.points[i:j][:, [0, 1 + coordinate]]))
    return out


__all__ = ["BRANCH_MARKERS", "EVENT_MARKERS", "bifurcation_diagram", "branch_label", "branch_table",
           "parameter_axis_label", "stability_runs"]
