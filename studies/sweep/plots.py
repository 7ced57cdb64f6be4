"""Selection-atlas heat maps with the exact event curves drawn over them.

One PNG per (method, quantity) of a sweep document (docs/sweep.md):

- ``fraction``: share of starts meeting the success predicate;
- ``share L``: share of starts ending at attractor L;
- ``exists L`` / ``stable L``: 1 where the pure profile L is a (stable) fixed
  point, 0 where not (direct parameterisation);
- ``n_stable``: number of stable fixed points;
- with the alignment verdicts (`eqselect.studies.sweep.verdicts`): ``A1 holds``,
  ``A2 holds``, ``A3 holds`` (1 holds, 0 fails, hatched grey where not decided
  or not applicable), ``mu_M(P)`` and ``A3 min`` (min of <M, n_P> on the
  separatrix) on a diverging scale centred at 0; a verdict map that is null
  (a value map: or 0) in every cell of a method (pg has no shaping field) is not drawn.

A one-symbol sweep is drawn as symbol (x) against lambda (y); a two-symbol
sweep as symbol 1 against symbol 2, one panel per drawn lambda. The exact
corner-boundary curves of `eqselect.studies.sweep.events` are drawn over
every map of their method, so cells and theory can be compared at a glance.

Everything here reads an `Atlas` (`eqselect.studies.sweep.atlas.read_atlas`
turns a sweep document into one).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from eqselect.studies.sweep.atlas import CONDITIONS, Atlas, AtlasAxis, EventCurve  # noqa: E402

_CURVE_COLOURS = ("white", "tab:red", "tab:cyan", "tab:orange", "magenta", "lime")

VERDICT_MAPS = tuple(f"{k} holds" for k in CONDITIONS)
VALUE_MAPS = ("mu_M(P)", "A3 min")


def atlas_quantities(atlas: Atlas) -> dict:
    """{(method, quantity): array of shape (axis_1 [, axis_2], lambda)}.

    One pass over the cells (a stored atlas is read once, chunk by chunk).

    Examples
    --------
    >>> from eqselect.studies.sweep.atlas import AtlasCell
    >>> atlas = Atlas("stag-hunt", ("pg",), (1, 1, 2), (
    ...     AtlasCell("pg", 0.5, {"(1, 1)": 2}, 4), AtlasCell("pg", 1.0, {"(1, 1)": 4}, 4)))
    >>> q = atlas_quantities(atlas)
    >>> sorted(k for _, k in q), q["pg", "share (1, 1)"].tolist()
    (['fraction', 'n_stable', 'share (1, 1)'], [[0.5, 1.0]])
    """
    columns = _Columns(len(atlas.cells))
    for i, c in enumerate(atlas.cells):
        columns.add(i, c)
    out = {}
    verdicts = set(VERDICT_MAPS + VALUE_MAPS)
    for name, col in columns.ordered().items():
        arr = col.reshape(atlas.shape)
        for m, method in enumerate(atlas.methods):
            blank = np.isnan(arr[m]) | ((arr[m] == 0) if name in VALUE_MAPS else False)
            if name not in verdicts or not np.all(blank):
                out[method, name] = arr[m]
    return out


class _Columns:
    """Per-cell quantities as float arrays, filled cell by cell.

    A share or a corner column absent from a cell is 0 there; a verdict
    column is NaN (null) where a cell has no verdicts; verdict columns exist
    only when some cell has verdicts.
    """

    def __init__(self, n: int):
        self.n, self.cols = n, {"fraction": np.zeros(n), "n_stable": np.zeros(n)}
        self.labels, self.corners, self.verdicts = set(), set(), False

    def _col(self, name: str, fill: float) -> np.ndarray:
        if name not in self.cols:
            self.cols[name] = np.full(self.n, fill)
        return self.cols[name]

    def add(self, i: int, c) -> None:
        self.cols["fraction"][i] = c.fraction
        self.cols["n_stable"][i] = c.n_stable
        for lab, count in c.outcomes.items():
            self.labels.add(lab)
            self._col(f"share {lab}", 0.0)[i] = count / c.n_starts
        for p in c.points:  # every label, since a corner's label may be a point elsewhere
            if p.is_corner:
                self.corners.add(p.label)
            self._col(f"exists {p.label}", 0.0)[i] = 1.0
            self._col(f"stable {p.label}", 0.0)[i] = float(p.stability == "stable")
        if c.verdicts is not None:
            self.verdicts = True
            for k, name in zip(CONDITIONS, VERDICT_MAPS):
                self._col(name, np.nan)[i] = _value(c.verdicts.holds[k])
            for name in VALUE_MAPS:
                self._col(name, np.nan)[i] = _value(c.verdicts.values[name])

    def ordered(self) -> dict:
        """The columns in the order of the maps: fraction, n_stable, shares, corners,
        verdicts."""
        names = ["fraction", "n_stable"] + [f"share {lab}" for lab in sorted(self.labels)]
        for lab in sorted(self.corners):
            names += [f"exists {lab}", f"stable {lab}"]
        if self.verdicts:
            names += list(VERDICT_MAPS + VALUE_MAPS)
        return {name: self.cols[name] for name in names}


def _value(x) -> float:
    return np.nan if x is None else float(x)


def _edges(axis: AtlasAxis) -> np.ndarray:
    v = np.array(axis.floats)
    if v.size == 1:
        return np.array([v[0] - 0.5, v[0] + 0.5])
    mid = (v[1:] + v[:-1]) / 2
    return np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])


def _draw_curves(ax, curves: tuple[EventCurve, ...]) -> None:
    for i, c in enumerate(curves):
        colour = _CURVE_COLOURS[i % len(_CURVE_COLOURS)]
        forms = "; ".join(c.solutions)
        label = f"{c.corner} boundary" + (f": {forms}" if len(forms) <= 40 else "")
        for k, seg in enumerate(c.segments):
            xy = np.asarray(seg, dtype=float)
            ax.plot(xy[:, 0], xy[:, 1], color=colour, lw=2.0, ls="--",
                    label=label if k == 0 else None)


def _style(name: str, values: np.ndarray) -> dict:
    """Colour map, range and colour-bar ticks of a quantity."""
    if name in VERDICT_MAPS:
        cmap = matplotlib.colors.ListedColormap(["tab:purple", "gold"])
        return {"cmap": cmap, "vmin": -0.5, "vmax": 1.5,
                "ticks": ([0, 1], ["fails", "holds"])}
    if name in VALUE_MAPS:
        top = float(np.nanmax(np.abs(values))) if np.any(np.isfinite(values)) else 1.0
        return {"cmap": "coolwarm", "vmin": -(top or 1.0), "vmax": top or 1.0, "ticks": None}
    vmax = max(1.0, float(np.nanmax(values))) if name == "n_stable" else 1.0
    return {"cmap": "viridis", "vmin": 0.0, "vmax": vmax, "ticks": None}


def _panel(ax, fig, x_ax, y_ax, z, curves, style):
    ax.set_facecolor("0.6")  # hatched grey shows through where a value is null (NaN)
    ax.patch.set_hatch("//")
    ax.patch.set_edgecolor("0.4")
    mesh = ax.pcolormesh(_edges(x_ax), _edges(y_ax), z.T,
                         cmap=style["cmap"], vmin=style["vmin"], vmax=style["vmax"],
                         shading="flat")
    _draw_curves(ax, curves)
    ax.set_xlabel(x_ax.name)
    ax.set_ylabel("lambda" if y_ax.name == "lam" else y_ax.name)
    if x_ax.labels:  # a graph axis: its ticks name the specs
        ax.set_xticks(x_ax.floats, labels=x_ax.labels, rotation=30, ha="right", fontsize=7)
    if y_ax.labels:
        ax.set_yticks(y_ax.floats, labels=y_ax.labels, fontsize=7)
    bar = fig.colorbar(mesh, ax=ax)
    if style["ticks"] is not None:
        bar.set_ticks(style["ticks"][0], labels=style["ticks"][1])
    if curves:
        ax.legend(loc="upper right", fontsize=7, framealpha=0.85, facecolor="0.25",
                  labelcolor="white")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-")


def quantity_title(atlas, method: str, name: str) -> str:
    """A heat map's title: game, method, quantity; a share's pure profile also by
    its action names (``share (0, 0) = (hare, hare)``: probability coordinates,
    0 is the last action), a verdict map with its P."""
    title = f"{atlas.game}, {method}: {name}"
    label = name.removeprefix("share ")
    if label != name and label in atlas.names:
        title += f" = {atlas.names[label]}"
    if name in VERDICT_MAPS + VALUE_MAPS:
        title += f" (P {atlas.preferred}; hatched: not decided)"
    return title


def plot_quantity(atlas, method: str, name: str, values: np.ndarray, path):
    """Write one heat map (a panel per drawn lambda for two symbols) as PNG.

    ``atlas`` is an `Atlas` or its `MapFrame`; ``path`` a file path (returned
    as a Path) or a binary file object (returned as it is)."""
    axes = atlas.axes
    panels = atlas.events[method]
    style = _style(name, values)
    title = quantity_title(atlas, method, name)
    if len(axes) == 2:
        fig, ax = plt.subplots(figsize=(7.5, 5.2))
        _panel(ax, fig, axes[0], axes[1], values, panels[0].curves, style)
        ax.set_title(title)
    else:
        lam = list(axes[2].values)
        ncols = min(3, len(panels))
        nrows = -(-len(panels) // ncols)
        fig, grid = plt.subplots(nrows, ncols, figsize=(5.0 * ncols, 4.0 * nrows + 0.6),
                                 squeeze=False)
        for ax in grid.flat[len(panels):]:
            ax.set_visible(False)
        for ax, panel in zip(grid.flat, panels):
            j = lam.index(panel.fixed["lam"])
            _panel(ax, fig, axes[0], axes[1], values[:, :, j], panel.curves, style)
            ax.set_title(f"lambda = {panel.fixed['lam']}", fontsize=9)
        fig.suptitle(title)
    # room below the x axis in inches (slanted spec ticks need more): a fraction of the
    # height would clip the axis label of the shorter one-row panels
    bottom = (1.15 if any(ax.labels for ax in axes) else 0.5) / fig.get_figheight()
    fig.subplots_adjust(left=0.1, right=0.98, bottom=bottom, top=0.9, wspace=0.3, hspace=0.35)
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)
    return Path(path) if isinstance(path, (str, Path)) else path


@dataclass(frozen=True)
class MapFrame:
    """What a heat map draws besides its values: the game, the axes, the event
    curves and P. Small and picklable, so a dask worker can draw a map."""

    game: str
    axes: tuple
    events: dict
    preferred: str | None
    names: dict = field(default_factory=dict)

    @classmethod
    def of(cls, atlas: Atlas) -> "MapFrame":
        """The frame of an atlas (its cells left behind)."""
        return cls(atlas.game, atlas.axes, atlas.events, atlas.preferred, atlas.names)


def map_png(frame: MapFrame, method: str, name: str, values: np.ndarray) -> bytes:
    """One heat map as PNG bytes (what a worker draws and sends back)."""
    buffer = io.BytesIO()
    plot_quantity(frame, method, name, values, buffer)
    return buffer.getvalue()


def write_atlas(atlas: Atlas, folder, client=None) -> list[Path]:
    """Write every heat map of an atlas into ``folder``; returns the paths.

    The quantities are built in one pass over the cells; with a dask
    ``client`` the maps are drawn by its workers (each sends back its PNG's
    bytes, so no shared folder is needed) and written here, else drawn here
    one after the other.
    """
    folder = Path(folder)
    quantities = atlas_quantities(atlas)
    paths = [folder / f"{_slug(m)}-{_slug(name)}.png" for m, name in quantities]
    if client is None:
        return [plot_quantity(atlas, m, name, values, path)
                for ((m, name), values), path in zip(quantities.items(), paths)]
    frame = client.scatter(MapFrame.of(atlas), broadcast=True, hash=False)
    futures = [client.submit(map_png, frame, m, name, values, pure=False)
               for (m, name), values in quantities.items()]
    try:
        for fut, path in zip(futures, paths):
            path.write_bytes(fut.result())
            fut.release()
    finally:
        client.cancel(futures + [frame])
    return paths
