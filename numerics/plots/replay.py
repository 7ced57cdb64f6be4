"""Figures and the LaTeX table of a replay (docs/replay.md layout).

- basin maps of the four methods on the 21 x 21 grid, with the separatrix
  of the PG flow (the stable manifold of the mixed saddle) drawn over them;
- the peer sweep: success fraction and mean first-hit step against lambda;
- restart curves: P(payoff-dominant outcome found with at most K restarts);
- a LaTeX table with the replayed and published figures side by side.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402

from eqselect.theory import Decomposition, builtin  # noqa: E402

from eqselect.numerics.replay.experiments import METHODS, PUBLISHED, ReplayResult  # noqa: E402
from eqselect.numerics.dynamics.separatrix import separatrix  # noqa: E402


def _logistic(x):
    return 1 / (1 + np.exp(-x))


def pg_separatrix_probabilities() -> np.ndarray:
    """The PG flow's separatrix of logit Stag Hunt in probability coordinates.

    The mixed saddle is theta* = (ln 2, ln 2) (p* = 2/3); its stable manifold
    splits the starts that reach (C, C) from those that reach (D, D).
    """
    dec = Decomposition(builtin("stag-hunt", "logit"), eta=sp.Rational(11, 20))
    sep = separatrix(dec, (np.log(2.0), np.log(2.0)), "pg")
    return _logistic(sep.polyline)


def basin_maps_figure(result: ReplayResult, path) -> None:
    """Four panels: success over the start grid for each method, separatrix overlaid."""
    raw = result.raw["basin_map"]
    curve = pg_separatrix_probabilities()
    fig, axes = plt.subplots(1, len(METHODS), figsize=(4 * len(METHODS), 4), sharey=True)
    for ax, m in zip(axes, METHODS):
        ok = raw[m].success
        n = int(round(np.sqrt(ok.size)))
        p = np.linspace(0.05, 0.95, n)
        ax.pcolormesh(p, p, ok.reshape(n, n).T.astype(float), cmap="Greys", vmin=-0.3,
                      vmax=1.3, shading="nearest")
        ax.plot(curve[:, 0], curve[:, 1], "r-", lw=1.5, label="PG flow separatrix")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_title(f"{m}: {100 * raw[m].fraction:.1f}%")
        ax.set_xlabel("initial P(agent 1 cooperates)")
    axes[0].set_ylabel("initial P(agent 2 cooperates)")
    axes[0].legend(loc="lower left", fontsize=8)
    fig.suptitle(f"Stag Hunt basin of (C, C), {result.mode} gradients (dark: success)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def sweep_figure(result: ReplayResult, path) -> None:
    """Success fraction and mean first-hit step against the peer coefficient."""
    frac = result.figures["peer_sweep"]
    hit = result.figures["peer_sweep_first_hit"]
    lams = [float(k) for k in frac]
    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.plot(lams, [100 * v for v in frac.values()], "o-", label=f"{result.mode} replay")
    pub = PUBLISHED["peer_sweep"]
    ax.plot([float(k) for k in pub], [100 * v for v in pub.values()], "s", color="k",
            label="published (sampled)")
    ax.set_xlabel(r"peer coefficient $\lambda$")
    ax.set_ylabel("success (%)")
    ax2 = ax.twinx()
    ax2.plot(lams, [np.nan if v is None else v for v in hit.values()], "--", color="grey")
    ax2.set_ylabel("mean first-hit step (dashed)")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def restart_figure(result: ReplayResult, path) -> None:
    """P(success with at most K restarts) against the budget K, per game and method."""
    curves = result.figures["restart_selection"]
    fig, axes = plt.subplots(1, len(curves), figsize=(5 * len(curves), 4), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, (game, per) in zip(axes, curves.items()):
        for m, ys in per.items():
            ax.plot(range(len(ys)), ys, "o-", ms=3, label=m)
        ax.set_title(game)
        ax.set_xlabel("restart budget K")
    axes[0].set_ylabel("P(payoff-dominant found by K)")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _pct(x) -> str:
    return "--" if x is None else f"{100 * x:.1f}%"


def table_rows(result: ReplayResult) -> list[tuple[str, str, str]]:
    """(experiment, replayed, published) rows in the paper's order; plain text."""
    rows = []
    f = result.figures
    if "basin_map" in f:
        for m in METHODS:
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
    return rows


def _latex_cell(text: str) -> str:
    text = text.replace("%", "\\%").replace("21x21", "21$\\times$21")
    return text.replace("lambda = ", "$\\lambda$ = ")


def latex_table(result: ReplayResult) -> str:
    """The replayed figures beside the published ones, as a LaTeX tabular."""
    body = "\n".join(" & ".join(_latex_cell(c) for c in row) + " \\\\"
                     for row in table_rows(result))
    return ("\\begin{tabular}{lrr}\n\\hline\n"
            f"Experiment & Replay ({result.mode}) & Published (sampled) \\\\\n\\hline\n"
            f"{body}\n\\hline\n\\end{{tabular}}\n")


def write_outputs(result: ReplayResult, out_dir) -> list[Path]:
    """Write replay.json, replay.tex and the figures that the result supports."""
    import json

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "replay.json", out / "replay.tex"]
    written[0].write_text(json.dumps(result.to_json(), indent=2))
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
