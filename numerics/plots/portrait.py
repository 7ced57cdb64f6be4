"""Figures: phase portraits and basin maps (matplotlib, Agg backend).

Both figures are drawn in probability coordinates (p_i = P(agent i plays its
first action)), the paper's axes. For the logit parameterisation the flow of
theta' = F(theta) is pushed forward to p by dp_i/dt = p_i (1 - p_i) F_i(theta),
since dp/dtheta = sigma'(theta) = p (1 - p).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from eqselect.theory import Decomposition, GameError  # noqa: E402
from eqselect.numerics.dynamics.basins import (BasinMap, parameters_to_probability, probability_kind,  # noqa: E402
                     probability_to_parameters)
from eqselect.numerics.compiled import compile_field  # noqa: E402
from eqselect.numerics.fixed_points.record import Stability  # noqa: E402
from eqselect.numerics.dynamics.flow import tangent_projector  # noqa: E402

_MARKERS = {
    Stability.STABLE: dict(marker="o", color="black", markersize=9),
    Stability.SADDLE: dict(marker="X", color="tab:orange", markersize=10),
    Stability.UNSTABLE: dict(marker="o", markerfacecolor="white", color="tab:red",
                             markersize=9),
    Stability.CENTER: dict(marker="D", color="tab:purple", markersize=8),
    Stability.DEGENERATE: dict(marker="s", color="tab:gray", markersize=8),
}


def probability_field(dec: Decomposition, method="pg", lam=1.5, own_coef=0.35,
                      n: int = 41, backend: str = "llvm"):
    """The learning field on an n x n grid in probability coordinates.

    Returns
    -------
    P1, P2 : ndarray, shape (n, n)
        ``np.meshgrid`` of the probability axes (rows: p2, columns: p1).
    U, V : ndarray, shape (n, n)
        dp1/dt, dp2/dt (projected onto the box for the direct
        parameterisation; pushed forward through sigma for logits).

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> dec = Decomposition(builtin("stag-hunt", "direct"), eta=0.55)
    >>> P1, P2, U, V = probability_field(dec, "pg", n=3)
    >>> float(U[1, 1]), float(V[1, 1])  # F(1/2, 1/2) = (3/2 - 2, 3/2 - 2)
    (-0.5, -0.5)
    """
    game = dec.game
    if len(game.parameters) != 2:
        raise GameError(f"phase portraits need 2 parameters, game {game.name!r} has "
                        f"{len(game.parameters)}")
    kind = probability_kind(game)
    lo, hi = (0.0, 1.0) if kind == "direct" else (0.005, 0.995)
    axis = np.linspace(lo, hi, int(n))
    P1, P2 = np.meshgrid(axis, axis)
    p = np.column_stack([P1.ravel(), P2.ravel()])
    x = probability_to_parameters(game, p)
    f = compile_field(dec, method, lam, own_coef, backend).field(x)
    if kind == "direct":
        f = tangent_projector(game.region)(x, f)
    else:
        f = p * (1 - p) * f
    return P1, P2, f[:, 0].reshape(P1.shape), f[:, 1].reshape(P1.shape)


def phase_portrait(dec: Decomposition, method="pg", lam=1.5, own_coef=0.35, *,
                   fixed_points=None, separatrix=None, path=None, n: int = 41,
                   title: str | None = None, backend: str = "llvm"):
    """Streamplot of a 2-parameter game's learning field, fixed points marked.

    Parameters
    ----------
    dec : Decomposition
    method, lam, own_coef
        The field F.
    fixed_points : sequence of Equilibrium, optional
        Marked by stability (stable: filled circle; saddle: cross; unstable:
        open circle).
    separatrix : Separatrix, optional
        In parameter coordinates; drawn in probability coordinates.
    path : str or Path
        Where to write the PNG.
    n : int
        Grid points per axis for the streamplot.

    Returns
    -------
    Path
    """
    if path is None:
        raise GameError("phase_portrait needs a path to write the figure to")
    game = dec.game
    P1, P2, U, V = probability_field(dec, method, lam, own_coef, n, backend)
    fig, ax = plt.subplots(figsize=(5, 5))
    try:
        speed = np.hypot(U, V)
        ax.streamplot(P1, P2, U, V, color=speed, cmap="viridis", density=1.2,
                      linewidth=0.8, arrowsize=0.8)
        if separatrix is not None:
            mapped = separatrix.mapped(lambda x: parameters_to_probability(game, x))
            line = mapped.polyline
            ax.plot(line[:, 0], line[:, 1], color="tab:red", lw=2, label="separatrix")
            ax.legend(loc="upper left", fontsize=8)
        for eq in fixed_points or ():
            q = parameters_to_probability(game, np.array([eq.point], dtype=float))[0]
            ax.plot(q[0], q[1], linestyle="none", zorder=5, **_MARKERS[eq.stability])
        names = [str(s) for s in game.parameters]
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel(f"P(agent 1 plays action 0)  [{names[0]}]")
        ax.set_ylabel(f"P(agent 2 plays action 0)  [{names[1]}]")
        m = str(getattr(method, "value", method))
        ax.set_title(title or f"{game.name}, {game.parameterization}, {m}")
        _save(fig, ax, path)
    finally:
        plt.close(fig)
    return Path(path)


def _save(fig, ax, path) -> None:
    ax.set_aspect("equal")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def basin_plot(basin_map: BasinMap, path, title: str | None = None):
    """Draw a basin map: a coloured grid (2-parameter grid maps) or a scatter.

    Successful starts are dark, failures light; the title carries the basin
    fraction (and the Wilson interval for Monte-Carlo maps). Only the first
    two start probabilities are drawn when there are more parameters.

    Returns
    -------
    Path
    """
    bm = basin_map
    p = bm.starts_probability
    if p.shape[1] < 2:
        raise GameError("basin plots need at least 2 parameters")
    if bm.success is not None:
        value, cmap, vmin, vmax = bm.success.astype(float), "Greys", -0.2, 1.2
    else:
        value, cmap, vmin, vmax = bm.labels.astype(float), "tab10", -1, 9
    fig, ax = plt.subplots(figsize=(5, 5))
    try:
        if bm.grid is not None and p.shape[1] == 2:
            g = bm.grid
            axis = p[::g, 0]
            img = value.reshape(g, g).T  # rows: p2, columns: p1
            ax.pcolormesh(axis, p[:g, 1], img, cmap=cmap, vmin=vmin, vmax=vmax,
                          shading="nearest")
        else:
            ax.scatter(p[:, 0], p[:, 1], c=value, cmap=cmap, vmin=vmin, vmax=vmax, s=8)
        text = f"fraction {bm.fraction:.3f}"
        if bm.interval is not None:
            text += f" [{bm.interval[0]:.3f}, {bm.interval[1]:.3f}]"
        ax.set_title(title or f"{bm.game} {bm.method} ({bm.schedule}): {text}", fontsize=9)
        ax.set_xlabel("initial P(agent 1 plays action 0)")
        ax.set_ylabel("initial P(agent 2 plays action 0)")
        _save(fig, ax, path)
    finally:
        plt.close(fig)
    return Path(path)
