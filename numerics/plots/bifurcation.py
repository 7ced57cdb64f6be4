"""Bifurcation diagrams of a `ContinuationResult` (matplotlib, Agg backend).

One coordinate of the fixed points against the continuation parameter:
stable stretches solid, every other class dashed, events marked.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from eqselect.numerics.fixed_points.record import Stability  # noqa: E402

#: Marker per event type.
EVENT_MARKERS = {"fold": "o", "boundary": "s", "branch": "D", "hopf": "^"}


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


def bifurcation_diagram(result, coordinate: int = 0, path=None, ax=None):
    """Draw coordinate ``coordinate`` of every branch against the parameter.

    Parameters
    ----------
    result : ContinuationResult
    coordinate : int
        Index into the game's parameters (0 <= coordinate < d).
    path : str or Path, optional
        Where to save the figure (format from the suffix, e.g. PNG).
    ax : matplotlib Axes, optional
        Draw into it instead of a new figure.

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
    fig = ax.figure if ax is not None else plt.figure(figsize=(6, 4))
    ax = ax if ax is not None else fig.add_subplot(1, 1, 1)
    for bi, br in enumerate(result.branches):
        color = f"C{bi % 10}"
        for i, j, stable in stability_runs(br.stability):
            seg = br.points[i:j]
            ax.plot(seg[:, 0], seg[:, 1 + coordinate], color=color,
                    linestyle="-" if stable else "--", linewidth=1.8 if stable else 1.2)
    seen = set()
    for ev in result.events:
        kind = ev.type.value
        ax.plot([ev.value], [ev.point[coordinate]], linestyle="none",
                marker=EVENT_MARKERS.get(kind, "x"), color="k", markersize=6,
                label=kind if kind not in seen else None)
        seen.add(kind)
    ax.plot([], [], "k-", label="stable")
    ax.plot([], [], "k--", label="not stable")
    ax.set_xlabel(r"$\lambda$" if result.parameter == "lam" else result.parameter)
    ax.set_ylabel(f"coordinate {coordinate + 1}")
    ax.legend(loc="best", fontsize="small")
    if path is not None:
        fig.savefig(Path(path), dpi=120, bbox_inches="tight")
    return fig


__all__ = ["EVENT_MARKERS", "bifurcation_diagram", "stability_runs"]
