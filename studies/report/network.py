"""The report of a game on a graph, on the sparse machinery (docs/networks.md).

A network game of hundreds or thousands of agents has no general `Game`
worth forming (its values are N sums of bilinear forms in N policies), so
its report is built from the `NetworkGame` and the sparse numerics:

- the graph (family, agents, edges, degrees, clustering);
- the edge game and its edge templates a, b, h, c (exact,
  `eqselect.theory.network.templates`), with the N-agent terms as sums over
  neighbours;
- fixed points (consensus, symmetric, deflated Newton) with sparse spectra
  and mu, per method;
- the chosen method's fixed points continued in lambda (symmetric or interior);
- basin masses by Monte Carlo (Wilson intervals) per method, and the
  selection effect: the payoff-dominant convention's mass against lambda;
- the alignment verdicts of `eqselect.proofs_check.network`.

:mod:`eqselect.studies.report.network_document` renders it as LaTeX,
:mod:`eqselect.studies.report.network_figures` draws its figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from eqselect.theory import EqselectError, GameError
from eqselect.theory.rules import Rule
from eqselect.theory.serialize import document
from eqselect.studies.report.build import ReportOptions

#: Monte-Carlo starts of each basin map when none are asked for.
NETWORK_SAMPLES = 2000
#: Points of the selection-effect curve (lambda evenly over the continuation window).
SELECTION_POINTS = 7
#: Points of the lambda grid of the symmetric continuation.
BRANCH_POINTS = 61
#: Points of the lambda grid of the continuation of interior points (a Newton solve each).
INTERIOR_POINTS = 31
#: Edge-steps per second of the fused kernel, rounded down from the measured rate (10^4 starts x
#: 200 steps of Meta-MAPG on 400 directed edges in about 5 s: 1.5e8), for the budget.
EDGE_STEPS_PER_SECOND = 1.0e8


@dataclass(frozen=True)
class NetworkReportOptions:
    """What a network report computes.

    Attributes
    ----------
    base : ReportOptions
        Methods, eta, lambda, c, steps and the lambda window, as for every report.
    samples : int
        Random starts of each basin map (and of A3's pair); the selection
        effect runs a quarter of them at each of its lambdas.
    newton_seeds : int
        Deflated Newton starts per method.
    seed : int
        Seed of every random start.
    """

    base: ReportOptions = field(default_factory=ReportOptions)
    samples: int = NETWORK_SAMPLES
    newton_seeds: int = 8
    seed: int = 0

    @property
    def chosen(self) -> str | None:
        """The method whose selection effect, branches and verdicts are reported: the
        last compared method whose field depends on lambda."""
        shaped = [m for m in self.base.methods if self.base.rule(m).uses_lam]
        return shaped[-1] if shaped else None

    @property
    def selection_samples(self) -> int:
        """Starts at each lambda of the selection effect."""
        return max(100, self.samples // 4)

    def total_starts(self) -> int:
        """Every start the report runs (basin maps, selection effect, A3's pair)."""
        return self.samples * (len(self.base.methods) + 2) + (
            SELECTION_POINTS * self.selection_samples)

    def to_json(self) -> dict:
        return {**self.base.to_json(), "samples": self.samples,
                "selection_samples": self.selection_samples,
                "newton_seeds": self.newton_seeds, "seed": self.seed, "chosen": self.chosen}


def estimated_seconds(net, options: NetworkReportOptions) -> float:
    """Seconds of basin work of a report: starts x steps x directed edges at the
    kernel's measured rate."""
    work = options.total_starts() * int(options.base.steps) * 2 * len(net.graph.edges)
    return work / EDGE_STEPS_PER_SECOND


@dataclass
class NetworkReport:
    """Everything a network report holds (module docstring)."""

    net: object  # NetworkGame with its payoff symbols
    options: NetworkReportOptions
    graph: dict
    preferred: str = ""
    alternative: str = ""
    preferred_index: int = 0  # P's action
    equilibria: dict = field(default_factory=dict)
    branches: dict | None = None  # the chosen method's branches: route, traces, events
    basins: dict = field(default_factory=dict)
    selection: dict | None = None
    check: object = None
    figures: dict = field(default_factory=dict)
    skipped: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        """The report as one JSON document (kind ``"report"``, ``network`` inside)."""
        from eqselect.studies.report.network_terms import edge_terms_json

        o = self.options
        body = {"game": self.net.name, "parameterization": self.net.parameterization,
                "settings": {"eta": float(o.base.eta), "lam": float(o.base.lam),
                             "own": float(o.base.own)},
                "network": {**self.graph, "preferred": self.preferred,
                            "alternative": self.alternative,
                            "edge_terms": edge_terms_json(self.net)},
                "equilibria": {m: {"equilibria": [e.to_json() for e in found]}
                               for m, found in self.equilibria.items()},
                "continuation": _branches_json(self.branches, o.chosen),
                "basins": {m: b.to_json() for m, b in self.basins.items()},
                "selection": self.selection,
                "check": None if self.check is None else self.check.to_json(),
                "figures": list(self.figures), "skipped": self.skipped}
        inputs = {"game": self.net.name, "parameterization": self.net.parameterization,
                  "graph": self.graph["spec"], "graph_seed": self.graph["seed"],
                  "payoff_values": {s.name: str(v) for s, v in self.net.payoff_symbols.items()},
                  **o.to_json()}
        return document("report", body, inputs)


def _branches_json(branches, method) -> dict | None:
    """The branches as JSON: per point lambda and the mean, least and largest parameter."""
    if branches is None:
        return None
    return {"parameter": "lam", "method": method, "route": branches["route"],
            "coordinates": ["lam", "mean", "min", "max"],
            "branches": [{"points": [[lam, float(x.mean()), float(x.min()), float(x.max())]
                                     for lam, x in zip(b["lams"], b["points"])],
                          "stability": b["stability"], "leading": b["leading"]}
                         for b in branches["branches"]],
            "events": [{"type": e.type, "lam": e.lam, "point": [e.t]}
                       for e in branches["events"]]}


def graph_summary(graph) -> dict:
    """The graph in numbers: family, agents, edges, degrees, clustering, components."""
    import networkx as nx

    g = graph.to_networkx()
    degree = np.bincount(np.array(graph.edges, dtype=np.int64).ravel(), minlength=graph.n)
    values, counts = np.unique(degree, return_counts=True)
    family = graph.spec.split(":", 1)[0] if ":" in graph.spec else "file"
    return {"spec": graph.spec, "family": family, "seed": graph.seed, "agents": graph.n,
            "edges": len(graph.edges), "degree_min": int(degree.min()),
            "degree_mean": float(degree.mean()), "degree_max": int(degree.max()),
            "degrees": {int(v): int(c) for v, c in zip(values, counts)},
            "regular": bool(values.size == 1),
            "clustering": float(nx.average_clustering(g)),
            "transitivity": float(nx.transitivity(g)),
            "components": int(nx.number_connected_components(g))}


def build_network_report(net, out_dir, options: NetworkReportOptions | None = None,
                         progress=None) -> NetworkReport:
    """Run every analysis of a network game and write report.tex, report.json and figures.

    Parameters
    ----------
    net : NetworkGame
        Payoff symbols are kept for the closed forms and set to their defaults
        for the numerics.
    out_dir : str or Path
    options : NetworkReportOptions, optional
    progress : object with ``update(n)``, optional
    """
    from eqselect.numerics.network.field import NetworkField
    from eqselect.studies.report.network_document import network_report_latex
    from eqselect.studies.report import network_figures as figures

    o = options or NetworkReportOptions()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rep = NetworkReport(net, o, graph_summary(net.graph))
    source = NetworkField(net.substitute(), o.base.eta)
    rep.preferred, rep.alternative = _conventions(source)
    rep.preferred_index = _action_index(net, rep.preferred)
    _equilibria(rep, source)
    _tick(progress)
    _branches(rep, source)
    _tick(progress)
    finals = _basins(rep, source)
    _selection(rep, source)
    _tick(progress)
    _alignment(rep, source)
    figures.draw_all(rep, source, finals, out)
    _tick(progress)
    (out / "report.json").write_text(json.dumps(rep.to_json(), indent=2))
    (out / "report.tex").write_text(network_report_latex(rep))
    return rep


def _tick(progress) -> None:
    if progress is not None:
        progress.update(1)


def _conventions(source) -> tuple:
    """P (the consensus of highest welfare) and R (the next)."""
    from eqselect.proofs_check.network import consensus_welfare

    welfare = consensus_welfare(source)
    order = sorted(welfare, key=lambda k: -welfare[k])
    return order[0], order[1]


def _action_index(net, consensus: str) -> int:
    """The index of the action a consensus name ("consensus Stag") holds."""
    names = list(net.action_names or (str(a) for a in range(net.actions)))
    return names.index(consensus.removeprefix("consensus "))


def _rule(rep, method, lam=None) -> Rule:
    base = rep.options.base
    return Rule(method, float(base.lam if lam is None else lam), float(base.own))


def _equilibria(rep, source) -> None:
    from eqselect.numerics.network.newton import NewtonOptions, network_equilibria

    opts = NewtonOptions(seeds=rep.options.newton_seeds, seed=rep.options.seed)
    for m in rep.options.base.methods:
        try:
            rep.equilibria[m] = network_equilibria(source, _rule(rep, m), opts)
        except EqselectError as exc:
            rep.skipped[f"fixed points of {m}"] = str(exc)


def _branches(rep, source) -> None:
    """The chosen method's fixed points continued in lambda: the symmetric points t 1
    of a regular graph with shared payoffs, else the interior points found from the
    diagonal (`eqselect.numerics.network.branches`)."""
    from eqselect.numerics.network.branches import continue_points
    from eqselect.numerics.network.continuation import continue_symmetric
    from eqselect.numerics.network.equilibria import is_regular_shared

    method = rep.options.chosen
    if method is None:
        rep.skipped["continuation"] = "none of the compared methods depends on lambda"
        return
    a, b = (float(v) for v in rep.options.base.lam_range)
    rule = _rule(rep, method)
    if is_regular_shared(source):
        found, events = continue_symmetric(source, rule, np.linspace(a, b, BRANCH_POINTS))
        traces = [{"lams": list(br.lams), "points": [np.full(source.dim, t) for t in br.ts],
                   "stability": list(br.stability), "leading": [float(v) for v in br.leading]}
                  for br in found]
        route = "symmetric points t 1 (every root bracketed)"
    else:
        found, events = continue_points(source, rule, np.linspace(a, b, INTERIOR_POINTS))
        traces = [{"lams": list(br.lams), "points": list(br.points),
                   "stability": list(br.stability),
                   "leading": [float(v.real) for v in br.leading]} for br in found]
        route = ("interior points from Newton on the diagonal's mean-field roots at the "
                 "first lambda, continued by Newton from the last point")
    rep.branches = {"route": route, "branches": traces, "events": list(events)}


def _basin_map(rep, source, method, n: int, lam=None):
    from eqselect.numerics.dynamics.basins import run_basins
    from eqselect.numerics.dynamics.consensus import ConsensusJudge
    from eqselect.numerics.dynamics.kernels.fused import available
    from eqselect.numerics.dynamics.starts import SampledStarts
    from eqselect.numerics.network.basins import NetworkBasinOptions, network_basin_problem

    kernel = "numba" if available() and source.m == 2 else "numpy"
    opts = NetworkBasinOptions(SampledStarts(n, rep.options.seed), int(rep.options.base.steps),
                               "paper", ConsensusJudge(rep.preferred_index), kernel)
    return run_basins(network_basin_problem(source, _rule(rep, method, lam), opts))


def _basins(rep, source) -> dict:
    """One Monte-Carlo basin map per method; returns each map's end points."""
    finals = {}
    for m in rep.options.base.methods:
        bm = _basin_map(rep, source, m, rep.options.samples)
        rep.basins[m] = bm
        finals[m] = bm.final
    return finals


def _selection(rep, source) -> None:
    """P's basin mass against lambda for the chosen method, with Wilson intervals."""
    from eqselect.numerics.dynamics.basin_map import FRACTION

    method = rep.options.chosen
    if method is None:
        rep.skipped["selection effect"] = "none of the compared methods depends on lambda"
        return
    a, b = (float(v) for v in rep.options.base.lam_range)
    rows = []
    for lam in np.linspace(a, b, SELECTION_POINTS):
        bm = _basin_map(rep, source, method, rep.options.selection_samples, lam)
        low, high = bm.intervals[FRACTION]
        rows.append({"lam": float(lam), "fraction": float(bm.fraction), "low": float(low),
                     "high": float(high), "outcomes": dict(bm.outcomes),
                     "agent_shares": dict(bm.settling["agent_shares"])})
    rep.selection = {"method": method, "samples": rep.options.selection_samples,
                     "preferred": rep.preferred, "points": rows}


def _alignment(rep, source) -> None:
    from eqselect.proofs_check.network import check_network
    from eqselect.proofs_check.paired_starts import SampleOptions

    method = rep.options.chosen
    if method is None:
        rep.skipped["alignment"] = "none of the compared methods shapes the field (M = 0)"
        return
    try:
        rep.check = check_network(source, _rule(rep, method), SampleOptions(
            n=rep.options.samples, seed=rep.options.seed, steps=int(rep.options.base.steps)))
    except GameError as exc:
        rep.skipped["alignment"] = str(exc)


__all__ = ["NetworkReport", "NetworkReportOptions", "build_network_report",
           "estimated_seconds", "graph_summary"]
