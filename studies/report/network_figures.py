"""The figures of a network report: the graph, agent shares, selection effect, branches.

Every figure goes through :mod:`eqselect.numerics.plots.style` (Agg canvas,
palette, resolution). Each caption's numbers are the report's own values
(`NetworkReport`), so the figure and the text state one number.
"""

from __future__ import annotations

import numpy as np

from eqselect.numerics.plots.style import finish, new_figure, series_color

#: Largest graph drawn node by node.
MAX_DRAWN = 200
#: Size (inches) of a report figure drawn at 0.8 of the text width.
WIDE = (6.0, 3.4)


def percent(x: float) -> str:
    """A share as the report prints it: 42.1%."""
    return f"{100 * x:.1f}%"


def plays_preferred(rep, final) -> np.ndarray:
    """Whether each agent plays P's action at each end point, shape (starts, N)."""
    from eqselect.numerics.dynamics.consensus import action_shares

    return action_shares(rep.net.frame, final, 0.82) == rep.preferred_index


def draw_all(rep, source, finals: dict, out) -> None:
    """Write every figure that applies and record it in ``rep.figures``."""
    if finals:
        _shares(rep, finals, out / "agent-shares.png")
        rep.figures["agent-shares.png"] = "shares"
    if rep.selection is not None:
        _selection(rep, out / "selection.png")
        rep.figures["selection.png"] = "selection"
    if rep.branches is not None and rep.branches["branches"]:
        _branches(rep, source, out / "branches.png")
        rep.figures["branches.png"] = "branches"
    if rep.graph["agents"] <= MAX_DRAWN and rep.options.chosen in finals:
        _graph(rep, finals[rep.options.chosen], out / "graph.png")
        rep.figures["graph.png"] = "graph"
    elif rep.graph["agents"] > MAX_DRAWN:
        rep.skipped["graph drawing"] = (f"{rep.graph['agents']} agents: the graph is drawn "
                                        f"up to {MAX_DRAWN}")


def _shares(rep, finals: dict, path) -> None:
    """Histogram over starts of the share of agents playing P's action at the end."""
    fig, ax = new_figure(figsize=WIDE)
    bins = np.linspace(0.0, 1.0, 21)
    action = rep.preferred.removeprefix("consensus ")
    for k, (m, final) in enumerate(finals.items()):
        share = plays_preferred(rep, final).mean(axis=1)
        ax.hist(share, bins=bins, histtype="step", linewidth=1.6, color=series_color(k),
                label=f"{m}: consensus {percent(rep.basins[m].fraction)}")
    ax.set_xlabel(f"share of agents playing {action} at the last step")
    ax.set_ylabel("starts")
    ax.legend(fontsize=8)
    finish(fig, path)


def _selection(rep, path) -> None:
    """P's basin mass against lambda with 95% Wilson intervals; PG's mass as a line."""
    sel = rep.selection
    lam = np.array([p["lam"] for p in sel["points"]])
    frac = np.array([p["fraction"] for p in sel["points"]])
    err = np.array([[p["fraction"] - p["low"] for p in sel["points"]],
                    [p["high"] - p["fraction"] for p in sel["points"]]])
    fig, ax = new_figure(figsize=WIDE)
    ax.errorbar(lam, 100 * frac, yerr=100 * err, marker="o", capsize=3,
                color=series_color(0), label=f"{sel['method']}: mass of {rep.preferred}")
    action = rep.preferred.removeprefix("consensus ")
    agents = np.array([p["agent_shares"][action] for p in sel["points"]])
    ax.plot(lam, 100 * agents, marker="s", linestyle=":", color=series_color(2),
            label=f"{sel['method']}: agents playing {action} (mean)")
    if "pg" in rep.basins:
        ax.axhline(100 * rep.basins["pg"].fraction, color=series_color(1), linestyle="--",
                   label=f"pg (no lambda): {percent(rep.basins['pg'].fraction)}")
    ax.set_xlabel(r"shaping coefficient $\lambda$")
    ax.set_ylabel("%")
    ax.set_ylim(-2, 102)
    ax.legend(fontsize=8)
    finish(fig, path)


def _branches(rep, source, path) -> None:
    """Fixed points against lambda as the agents' probability of the first action: the
    mean (a line; solid where stable) and the range over agents (a band)."""
    fig, ax = new_figure(figsize=WIDE)

    def probs(x):
        return source.jet(np.asarray(x, dtype=float).reshape(source.n, source.d))[0][:, 0]

    for k, b in enumerate(rep.branches["branches"]):
        lams = np.array(b["lams"])
        p = np.array([probs(x) for x in b["points"]])
        ax.fill_between(lams, p.min(axis=1), p.max(axis=1), color=series_color(k), alpha=0.2,
                        linewidth=0)
        stable = np.array([s == "stable" for s in b["stability"]])
        for mask, style in ((stable, "-"), (~stable, "--")):
            ax.plot(np.where(mask, lams, np.nan), np.where(mask, p.mean(axis=1), np.nan), style,
                    color=series_color(k), linewidth=1.6)
    for e in rep.branches["events"]:
        ax.plot([e.lam], [probs(np.full(source.dim, e.t)).mean()], "ko", markersize=4)
    first = rep.net.action_names[0] if rep.net.action_names else "0"
    ax.set_xlabel(r"shaping coefficient $\lambda$")
    ax.set_ylabel(f"P({first}) at the fixed point")
    ax.set_xlim(*(float(v) for v in rep.options.base.lam_range))
    ax.set_ylim(-0.02, 1.02)
    finish(fig, path)


def _graph(rep, final, path) -> None:
    """The graph, each agent coloured by the share of the chosen method's runs in
    which it ends playing P's action."""
    import networkx as nx

    g = rep.net.graph.to_networkx()
    pos = nx.spring_layout(g, seed=rep.options.seed)
    share = plays_preferred(rep, final).mean(axis=0)
    fig, ax = new_figure(figsize=(5.2, 4.4))
    xy = np.array([pos[i] for i in range(rep.net.graph.n)])
    for i, j in rep.net.graph.edges:
        ax.plot(xy[[i, j], 0], xy[[i, j], 1], color="#999999", linewidth=0.5, zorder=1)
    size = 60 if rep.net.graph.n <= 50 else 22
    dots = ax.scatter(xy[:, 0], xy[:, 1], c=share, cmap="viridis", vmin=0, vmax=1, s=size,
                      zorder=2, edgecolors="black", linewidths=0.3)
    action = rep.preferred.removeprefix("consensus ")
    fig.colorbar(dots, ax=ax, label=f"share of {rep.options.chosen} runs ending at {action}")
    ax.set_axis_off()
    finish(fig, path)


__all__ = ["draw_all", "percent", "plays_preferred"]
