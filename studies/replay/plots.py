"""Figures and the LaTeX table of a replay (docs/replay.md layout).

- basin maps of the four methods on the 21 x 21 grid, with the separatrix
  of the PG flow (the stable manifold of the mixed saddle) drawn over them;
- the peer sweep: success fraction and mean first-hit step against lambda;
- restart curves: P(payoff-dominant outcome found with at most K restarts);
- a LaTeX table with the replayed and published figures side by side.
"""

from __future__ import annotations

from itertools import product
from pathlib import Path

import numpy as np
from matplotlib.ticker import MaxNLocator

from eqselect.numerics.dynamics.starts import parameters_to_probability
from eqselect.numerics.dynamics.separatrix import separatrix
from eqselect.numerics.plots.portrait import SUCCESS_COLORS, draw_starts
from eqselect.numerics.plots.style import OKABE_ITO, finish, new_figure, series_color
from eqselect.studies.replay.experiments import ReplayResult
from eqselect.studies.replay.runs import METHODS, PUBLISHED, protocol_name
from eqselect.theory.serialize import document
from eqselect.theory import Decomposition, builtin
from eqselect.theory.rules import PAPER, Rule


def pg_separatrix_probabilities() -> np.ndarray:
    """The PG flow's separatrix of logit Stag Hunt in probability coordinates.

    The mixed saddle is theta* = (ln 2, ln 2) (p* = 2/3); its stable manifold
    splits the starts that reach (C, C) from those that reach (D, D).
    """
    game = builtin("stag-hunt", "logit")
    sep = separatrix(Decomposition(game, eta=PAPER.eta), (np.log(2.0), np.log(2.0)), Rule("pg"))
    return parameters_to_probability(game, sep.polyline)


def basin_maps_figure(result: ReplayResult, path=None):
    """Four panels: success over the start grid for each method, separatrix overlaid.

    Returns the closed Figure; writes it to ``path`` when given.
    """
    raw = result.raw["basin_map"]
    methods = [m for m in METHODS if m in raw]
    curve = pg_separatrix_probabilities()
    fig, axes = new_figure(1, len(methods), figsize=(3.6 * len(methods), 4.8), sharey=True,
                           squeeze=False)
    axes = axes[0]
    for ax, m in zip(axes, methods):
        ok = np.asarray(raw[m].success, dtype=int)
        n = int(round(np.sqrt(ok.size)))
        p = np.linspace(PAPER.grid_low, PAPER.grid_high, n)
        handles = draw_starts(ax, list(product(p, p)), ok, SUCCESS_COLORS,
                              ("does not reach (C, C)", "reaches (C, C)"), grid=n, legend=False)
        ax.plot(curve[:, 0], curve[:, 1], color=OKABE_ITO[6], lw=1.8,
                label="PG flow separatrix")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_aspect("equal")
        ax.set_title(f"{m}: {100 * raw[m].fraction:.1f}%", fontsize=10)
        ax.set_xlabel(r"initial P(agent 1 cooperates)  [$\theta_{1}$]", fontsize=9)
    axes[0].set_ylabel(r"initial P(agent 2 cooperates)  [$\theta_{2}$]", fontsize=9)
    handles += axes[0].get_legend_handles_labels()[0]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=9, frameon=False)
    fig.suptitle(f"Stag Hunt basin of (C, C), {result.mode} gradients")
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    if path is not None:
        fig.savefig(Path(path), dpi=120)
    return fig


def sweep_figure(result: ReplayResult, path=None):
    """Success fraction and mean first-hit step against the peer coefficient."""
    frac = result.figures["peer_sweep"]
    hit = result.figures["peer_sweep_first_hit"]
    lams = [float(k) for k in frac]
    fig, ax = new_figure(figsize=(6, 4))
    ax.plot(lams, [100 * v for v in frac.values()], "o-", color=series_color(0),
            label=f"{result.mode} replay: success")
    pub = PUBLISHED["peer_sweep"]
    ax.plot([float(k) for k in pub], [100 * v for v in pub.values()], "s", color="black",
            label="published (sampled)")
    ax.set_xlabel(r"peer coefficient $\lambda$")
    ax.set_ylabel("success (%)")
    ax2 = ax.twinx()
    ax2.plot(lams, [np.nan if v is None else v for v in hit.values()], "^--",
             color=series_color(1), label="mean first-hit step")
    ax2.set_ylabel("mean first-hit step")
    lines = ax.get_legend_handles_labels()
    more = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], loc="best", fontsize=8)
    return finish(fig, path)


def restart_figure(result: ReplayResult, path=None):
    """P(success with at most K restarts) against the budget K, per game and method."""
    curves = result.figures["restart_selection"]
    fig, axes = new_figure(1, len(curves), figsize=(5 * len(curves), 4), sharey=True,
                           squeeze=False)
    axes = axes[0]
    markers = "osD^v"
    for ax, (game, per) in zip(axes, curves.items()):
        for k, (m, ys) in enumerate(per.items()):
            ax.plot(range(len(ys)), ys, marker=markers[k % len(markers)], ms=4,
                    color=series_color(k), alpha=0.85, label=m)
        ax.set_title(game)
        ax.set_xlabel("restart budget K")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0].set_ylabel("P(payoff-dominant found by K)")
    axes[0].legend(fontsize=8)
    return finish(fig, path)


def _pct(x) -> str:
    return "--" if x is None else f"{100 * x:.1f}%"


def table_rows(result: ReplayResult) -> list[tuple[str, str, str]]:
    """(experiment, replayed, published) rows in the paper's order; plain text."""
    rows = []
    f = result.figures
    if "basin_map" in f:
        for m in (m for m in METHODS if m in f["basin_map"]):
            rows.append((f"Basin map (21x21), {m}", _pct(f["basin_map"][m]),
                         _pct(PUBLISHED["basin_map"].get(m))))
    if "peer_sweep" in f:
        for k, v in f["peer_sweep"].items():
            rows.append((f"Peer sweep, lambda = {k}", _pct(v),
                         _pct(PUBLISHED["peer_sweep"].get(k))))
    if "ablation" in f:
        for g, per in f["ablation"].items():
            for m, v in per.items():
                rows.append((f"Ablation {g}, {m}", _pct(v["fraction"]),
                             _pct(PUBLISHED["ablation"][g].get(m))))
    if "restarts" in f:
        for g, per in f["restarts"].items():
            for m, v in per.items():
                pub = PUBLISHED["restarts"][g].get(m)
                rows.append((f"Mean restarts {g}, {m}", f"{v['mean_restarts']:.2f}",
                             "--" if pub is None else f"{pub:.2f}"))
    if "annealing" in f:
        for k, v in f["annealing"].items():
            rows.append((f"Annealing, {k}", _pct(v["fraction"]),
                         _pct(PUBLISHED["annealing"].get(k))))
    if "estimator" in f:
        for b, v in f["estimator"].items():
            pub = PUBLISHED["estimator"].get(b)
            rows.append((f"Estimator variance trace, batch {b}", f"{v:.4f}",
                         "--" if pub is None else f"{pub:.4f}"))
    for name, per_game in f.get("sensitivity", {}).items():
        if name == "shift":
            continue
        for g, per in per_game.items():
            for m, v in per.items():
                rows.append((f"Flips under a 1e-12 start shift, {name} {g}, {m}", _pct(v),
                             "--"))
    return rows


def _latex_cell(text: str) -> str:
    text = text.replace("%", "\\%").replace("21x21", "21$\\times$21")
    return text.replace("lambda = ", "$\\lambda$ = ")


def latex_table(result: ReplayResult) -> str:
    """The replayed figures beside the published ones, as a LaTeX tabular."""
    body = "\n".join(" & ".join(_latex_cell(c) for c in row) + " \\\\"
                     for row in table_rows(result))
    return ("\\begin{tabular}{lrr}\n\\hline\n"
            f"Experiment & Replay ({result.mode}, {protocol_name(result.protocol)}) & "
            "Published (sampled) \\\\\n\\hline\n"
            f"{body}\n\\hline\n\\end{{tabular}}\n")


def write_outputs(result: ReplayResult, out_dir) -> list[Path]:
    """Write replay.json, replay.tex and the figures that the result supports."""
    import json

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "replay.json", out / "replay.tex"]
    inputs = {"mode": result.mode, "seed": result.seed, "protocol": result.protocol}
    written[0].write_text(json.dumps(document("replay", result, inputs), indent=2))
    written[1].write_text(latex_table(result))
    if "basin_map" in result.raw:
        basin_maps_figure(result, out / "basin_maps.png")
        written.append(out / "basin_maps.png")
    if "peer_sweep" in result.figures:
        sweep_figure(result, out / "peer_sweep.png")
        written.append(out / "peer_sweep.png")
    if "restart_selection" in result.figures:
        restart_figure(result, out / "restarts.png")
        written.append(out / "restarts.png")
    return written
