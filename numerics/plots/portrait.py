"""Phase portraits and basin maps, drawn in probability coordinates.

Both figures use the paper's axes, p_i = P(agent i plays its first action).
For the logit parameterisation the flow of theta' = F(theta) is pushed
forward to p by dp_i/dt = p_i (1 - p_i) F_i(theta), since
dp/dtheta = sigma'(theta) = p (1 - p). Conventions: :mod:`eqselect.numerics.plots`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from eqselect.numerics.compiled import compile_field
from eqselect.numerics.dynamics.basin_map import BasinMap
from eqselect.numerics.dynamics.starts import (
    parameters_to_probability, probability_kind, probability_to_parameters)
from eqselect.numerics.dynamics.flow import tangent_projector
from eqselect.numerics.fixed_points.core.record import Stability
from eqselect.numerics.plots.style import OKABE_ITO, finish, new_figure, probability_label
from eqselect.theory import Decomposition, GameError
from eqselect.theory.rules import Rule

_MARKERS = {
    Stability.STABLE: dict(marker="o", color=OKABE_ITO[0], markersize=9),
    Stability.SADDLE: dict(marker="X", color=OKABE_ITO[1], markersize=10,
                           markeredgecolor="black"),
    Stability.UNSTABLE: dict(marker="o", markerfacecolor="white", color=OKABE_ITO[6],
                             markersize=9, markeredgewidth=2),
    Stability.CENTER: dict(marker="D", color=OKABE_ITO[7], markersize=8),
    Stability.DEGENERATE: dict(marker="s", color="0.45", markersize=8),
}
#: Basin colours: success (blue) and failure (light grey); outcome classes.
SUCCESS_COLORS = ("#DDDDDD", OKABE_ITO[5])
SUCCESS_NAMES = ("success predicate fails", "success predicate holds")
OUTCOME_COLORS = ("#DDDDDD",) + tuple(OKABE_ITO[i] for i in (5, 6, 3, 7, 1, 2, 4))


def probability_field(dec: Decomposition, rule: Rule,
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
    >>> P1, P2, U, V = probability_field(dec, Rule("pg"), n=3)
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
    f = compile_field(
        dec, Rule(rule.method, float(rule.lam), float(rule.own_coef)), backend).field(x)
    if kind == "direct":
        f = tangent_projector(game.region)(x, f)
    else:
        f = p * (1 - p) * f
    return P1, P2, f[:, 0].reshape(P1.shape), f[:, 1].reshape(P1.shape)


def phase_portrait(dec: Decomposition, rule: Rule, *,
                   fixed_points=None, separatrix=None, path=None, n: int = 41,
                   title: str | None = None, backend: str = "llvm"):
    """Streamplot of a 2-parameter game's learning field, fixed points marked.

    Parameters
    ----------
    dec : Decomposition
    rule : Rule
        The field F.
    fixed_points : sequence of Equilibrium, optional
        Marked by stability (stable: filled circle; saddle: cross; unstable:
        open circle), with a legend.
    separatrix : Separatrix, optional
        In parameter coordinates; drawn in probability coordinates.
    path : str or Path, optional
        Also write the figure there.
    n : int
        Grid points per axis for the streamplot.

    Returns
    -------
    matplotlib.figure.Figure
        4.2 x 4.5 inches, fonts 7.5 to 9 pt (`resized` fits it to a narrower place).
    """
    game = dec.game
    method = rule.method.value
    P1, P2, U, V = probability_field(dec, rule, n, backend)
    fig, ax = new_figure(figsize=(4.2, 4.5))
    speed = np.hypot(U, V)
    width = 0.5 + 1.5 * speed / speed.max() if speed.max() > 0 else 0.8
    ax.streamplot(P1, P2, U, V, color="#4D6A8A", density=1.0, linewidth=width,
                  arrowsize=0.8)
    if separatrix is not None:
        line = separatrix_line(game, separatrix)
        ax.plot(line[:, 0], line[:, 1], color=OKABE_ITO[6], lw=2.2, label="separatrix")
    seen = set()
    for eq in fixed_points or ():
        q = (parameters_to_probability(game, np.array([eq.point], dtype=float))[0]
             if np.all(np.isfinite(eq.point)) else  # a pure profile at infinity: its corner
             [eq.strategies[0][0], eq.strategies[1][0]])
        label = eq.stability.value if eq.stability not in seen else None
        seen.add(eq.stability)
        ax.plot(q[0], q[1], linestyle="none", zorder=5, clip_on=False, label=label,
                **_MARKERS[eq.stability])
    _probability_axes(ax, game)
    fit_title(ax, title or f"{game.name}, {game.parameterization}, {method}\n"
              "(line width: speed)")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, fontsize=7.5,
                  frameon=False)
    return finish(fig, path)


def resized(fig, size, path=None):
    """``fig`` laid out again at ``size`` inches (fonts keep their point size), and
    written to ``path`` if given: a figure placed narrower stays legible."""
    fig.set_size_inches(*size)
    return finish(fig, path)


def _probability_axes(ax, game, initial: bool = False) -> None:
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel(probability_label(game, 0, initial), fontsize=8)
    ax.set_ylabel(probability_label(game, 1, initial), fontsize=8)
    ax.tick_params(labelsize=8)


def draw_basin(ax, basin_map: BasinMap) -> None:
    """Draw one basin map into ``ax`` with a legend (grid maps as cells, else dots).

    Maps classified by attractor get one colour per attractor (Okabe-Ito),
    light grey for "still moving" and dark grey for cycles, the legend
    naming each profile with its share; success maps are two-coloured;
    maps labelled by nearest stable fixed point get one colour per outcome.
    Monte-Carlo maps of larger games show each player's first-action
    probability for players 1 and 2.
    """
    bm = basin_map
    if bm.shares is not None:
        _draw_attractors(ax, bm)
        return
    p = bm.starts_probability
    if p.shape[1] < 2:
        raise GameError("basin plots need at least 2 parameters")
    if bm.success is not None:
        value = bm.success.astype(int)
        colors = SUCCESS_COLORS
        share = float(np.mean(bm.success))  # the legend states what the title states
        names = (f"{SUCCESS_NAMES[0]}: {100 * (1 - share):.1f}%",
                 f"{SUCCESS_NAMES[1]}: {100 * share:.1f}%")
    else:
        value = bm.labels.astype(int) + 1
        colors = OUTCOME_COLORS[:len(bm.label_names) + 1]
        names = ("no stable point within tolerance",) + tuple(bm.label_names)
    draw_starts(ax, p, value, colors, names, bm.grid)


#: Colours of the outcomes that are no attractor: still moving, cycle.
MOVING_COLORS = ("#DDDDDD", "#777777")
#: Attractor colours: Okabe-Ito without black, blue first.
ATTRACTOR_COLORS = tuple(OKABE_ITO[i] for i in (5, 6, 3, 7, 1, 2, 4))


def _draw_attractors(ax, bm) -> None:
    from eqselect.numerics.dynamics.attractors import CYCLE_NAME, MOVING_NAME

    names = [MOVING_NAME, CYCLE_NAME] + [
        f"{a.name}{' (preferred)' if a.name == bm.preferred else ''}" for a in bm.attractors]
    colors = list(MOVING_COLORS) + [ATTRACTOR_COLORS[j % len(ATTRACTOR_COLORS)]
                                    for j in range(len(bm.attractors))]
    shares = [bm.shares.get(MOVING_NAME, 0.0), bm.shares.get(CYCLE_NAME, 0.0)] + [
        bm.shares.get(a.name, 0.0) for a in bm.attractors]
    names = [f"{nm}: {100 * sh:.1f}%" for nm, sh in zip(names, shares)]
    value = np.where(bm.labels >= 0, bm.labels + 2, np.where(bm.labels == -1, 0, 1))
    plane, grid = plane_of(bm)
    if grid is not None and len(plane) < grid * grid:
        _draw_cells(ax, plane, value, colors, bm.problem.starts)
        _outcome_legend(ax, value, colors, names)
        return
    draw_starts(ax, plane, value, colors, names, grid)


#: Widest legend line, in characters (fontsize 7.5 under a 4.2 inch figure's axes).
LEGEND_WIDTH = 44


def legend_label(text: str, width: int = LEGEND_WIDTH) -> str:
    """``text`` wrapped at ``width`` characters: an outcome named by a mixed profile
    (``(0.339 R + 0.366 P + 0.295 S, ...)``) is wider than the figure on one line."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width, break_long_words=True)) or text


def plane_of(bm) -> tuple[np.ndarray, int | None]:
    """The two plotted start coordinates of a map and its grid size (None: dots).

    A slice's two axes; a two-parameter grid's probabilities; else each
    player's first-parameter probability for players 1 and 2.
    """
    p = bm.starts_probability
    if p.shape[1] == 2:
        return p, bm.grid
    game = bm.problem.game
    cols = [game.slices[0].start, game.slices[1].start] if game.n_agents > 1 else [0, 1]
    return p[:, cols], None


def _draw_cells(ax, plane, value, colors, starts) -> None:
    """Cells of a slice grid with holes (points off the simplex left blank)."""
    g, low, high = int(starts.grid), float(starts.low), float(starts.high)
    axis = np.linspace(low, high, g)
    step = (high - low) / (g - 1) if g > 1 else 1.0
    ij = np.rint((plane - low) / step).astype(int)
    image = np.ma.masked_all((g, g))
    image[ij[:, 1], ij[:, 0]] = value
    ax.pcolormesh(axis, axis, image, shading="nearest", cmap=ListedColormap(colors),
                  vmin=-0.5, vmax=len(colors) - 0.5)


def draw_starts(ax, starts_probability, value, colors, names, grid=None, legend=True):
    """Colour starts by an integer outcome ``value`` (index into colors and names).

    The one basin renderer: grid maps (``grid`` points per axis, first
    coordinate varying slowest, as `grid_starts` orders them) are drawn as
    cells, other start sets as dots. Returns the legend handles of the
    outcomes present (also drawn under the axes when ``legend``).
    """
    p = np.asarray(starts_probability, dtype=float)
    value = np.asarray(value, dtype=int)
    cmap = ListedColormap(colors)
    span = dict(cmap=cmap, vmin=-0.5, vmax=len(colors) - 0.5)
    if grid is not None and p.shape[1] == 2 and len(p) == grid * grid:
        ax.pcolormesh(p[::grid, 0], p[:grid, 1], value.reshape(grid, grid).T,
                      shading="nearest", **span)
    else:
        ax.scatter(p[:, 0], p[:, 1], c=value, s=8, **span)
    return _outcome_legend(ax if legend else None, value, colors, names)


def _outcome_legend(ax, value, colors, names) -> list:
    """Legend handles of the outcomes present in ``value``, drawn under ``ax`` (unless
    None), their names wrapped (`legend_label`)."""
    handles = [Patch(facecolor=colors[v], edgecolor="0.5", label=legend_label(names[v]))
               for v in sorted(set(np.asarray(value).tolist()))]
    if ax is not None:
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16),
                  fontsize=7.5, frameon=False, ncol=1)
    return handles


def basin_plot(basin_map: BasinMap, path=None, title: str | None = None, game=None,
               size=(4.2, 4.6)):
    """A basin map as a figure: start grid coloured by outcome, with a legend.

    Parameters
    ----------
    basin_map : BasinMap
    path : str or Path, optional
        Also write the figure there.
    title : str, optional
        Default: game, method, schedule and the basin fraction (with the
        Wilson interval for Monte-Carlo maps).
    game : Game, optional
        Names the axes by its parameters.
    size : (float, float)
        Figure size in inches (fonts 7.5 to 9 pt at this size).

    Returns
    -------
    matplotlib.figure.Figure
    """
    bm = basin_map
    fig, ax = new_figure(figsize=size)
    draw_basin(ax, bm)
    if game is not None:
        _basin_axes(ax, game, bm)
    else:
        ax.set_aspect("equal")
        ax.set_xlabel("initial P(player 1 plays its first action)", fontsize=8)
        ax.set_ylabel("initial P(player 2 plays its first action)", fontsize=8)
    ax.tick_params(labelsize=8)
    fit_title(ax, title or basin_title(bm))
    return finish(fig, path)


#: Widest title line tried, in characters (fontsize 9, a 4.2 inch figure).
TITLE_WIDTH = 56


def basin_title(bm) -> str:
    """Game, method and schedule, then the fraction (what it counts, its interval)."""
    if bm.shares is not None and not bm.preferred and not _counts_success(bm):
        text = "no attractor to prefer"
    else:  # the preferred attractor, or the success predicate (by it or by attractor)
        text = f"{bm.preferred or 'success predicate'}: {100 * bm.fraction:.1f}%"
    if bm.interval is not None:
        text += f" [{100 * bm.interval[0]:.1f}%, {100 * bm.interval[1]:.1f}%]"
    starts = getattr(getattr(bm, "problem", None), "starts", None)
    held = getattr(starts, "held", None)  # a slice: what lies off its axes
    where = f"\nslice at {held()}" if held is not None else ""
    return f"{bm.game} {bm.method} ({bm.schedule}):\n{text}{where}"


def _counts_success(bm) -> bool:
    """Whether a map judged by attractor counts the success predicate (``eqselect
    basins`` on Stag Hunt: the paper's predicate when no attractor is preferred)."""
    return bool(getattr(getattr(bm.problem, "judge", None), "predicate", False))


def fit_title(ax, text: str, fontsize: float = 9, width: int = TITLE_WIDTH) -> None:
    """Set ``text`` as the title, its lines wrapped until it lies inside the figure.

    Lines are wrapped at ``width`` characters (long words broken), then
    narrower while the laid-out title is measured past an edge of the figure.
    """
    import textwrap

    fig = ax.figure
    for w in range(width, 9, -4):
        ax.set_title("\n".join(textwrap.fill(line, w, break_long_words=True) or line
                                for line in text.split("\n")), fontsize=fontsize)
        fig.tight_layout()
        box = ax.title.get_window_extent(fig.canvas.get_renderer())
        if box.x0 >= 0 and box.x1 <= fig.bbox.width:
            return


def _basin_axes(ax, game, bm) -> None:
    """Axis names by player and action: a slice's axes, else the first parameters."""
    axes = getattr(bm.problem.starts, "axes", None)
    if not axes:
        if len(game.parameters) == 2 or bm.shares is None:
            _probability_axes(ax, game, initial=True)
            return
        axes = [game.parameters[game.slices[i].start].name for i in range(2)]
    from eqselect.numerics.dynamics.slices import coordinate

    labels = []
    for name in axes:
        agent, state, action = coordinate(game, name)
        player = game.player_name(agent)
        player = f"player {player}" if player.isdigit() else player
        where = f", state {state}" if game.states > 1 else ""
        labels.append(f"initial P({player} plays {game.action_name(agent, action)}{where})")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel(labels[0], fontsize=8)
    ax.set_ylabel(labels[1], fontsize=8)


def separatrix_line(game, separatrix) -> np.ndarray:
    """The separatrix polyline in probability coordinates, as (n, 2) points."""
    return separatrix.mapped(lambda x: parameters_to_probability(game, x)).polyline


__all__ = ["SUCCESS_COLORS", "SUCCESS_NAMES", "basin_plot", "draw_basin", "draw_starts", "phase_portrait", "probability_field", "resized",
           "separatrix_line"]
