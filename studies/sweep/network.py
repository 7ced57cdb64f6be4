"""Sweeps over games on graphs: graph axes and the network cell (docs/networks.md).

A sweep of a network game (a built-in network, or a game file with a
``graph`` key) varies the graph through ``--over`` axes named after the
arguments of its family spec, and the payoff symbols as in every sweep:

=====================  ==============================
family                 graph axes
=====================  ==============================
ring, path, complete,  ``n``
star
grid, torus            ``r``, ``c``
watts-strogatz         ``n``, ``k``, ``p``
barabasi-albert        ``n``, ``m``
erdos-renyi            ``n``, ``p``
every random family    ``seed``
=====================  ==============================

so ``--over n=20:100:5 --over p=0:0.3:4`` on a file with
``graph = "watts-strogatz:100,4,0.1"`` runs Watts-Strogatz graphs of 20 to
100 agents rewired with probability 0 to 0.3. A cell runs ``grid^2``
random starts (seeded by the graph seed) of the rule on the sparse field and
holds what a normal-form cell holds where it applies: ``fraction`` is the
mass of the payoff-dominant convention P (consensus on the action of
highest welfare), ``outcomes`` the starts per consensus and ``mixed``, the
consensus profiles as its fixed points. Its ``network`` key adds the graph
(spec, seed, agents, edges, mean degree, clustering), P, the 95% Wilson
interval of ``fraction`` and the mean share of agents at each action.

A sweep across families has a ``graph`` axis: its values are the indices
0 .. G - 1 of a list of specs (a file's ``graph = [...]`` or ``--graphs``), its
labels the specs, and a cell's ``symbols`` name its spec. The other graph axes
are those every listed family takes.
"""

from __future__ import annotations

import json
import re
import tomllib

import sympy as sp

from eqselect.studies.sweep.grid import Axis
from eqselect.theory.errors import GameError, OptionsError
from eqselect.theory.rules import as_rule

#: The graph axes of each family, in the order of the spec's arguments.
FAMILY_AXES = {"ring": ("n",), "path": ("n",), "complete": ("n",), "star": ("n",),
               "grid": ("r", "c"), "torus": ("r", "c"), "watts-strogatz": ("n", "k", "p"),
               "barabasi-albert": ("n", "m"), "erdos-renyi": ("n", "p")}
RANDOM = ("watts-strogatz", "barabasi-albert", "erdos-renyi")
#: Axes that take probabilities; the others take whole numbers.
PROBABILITY_AXES = ("p",)


def spec_data(game_spec) -> dict | None:
    """The network spec dictionary of a sweep's game, or None when it is not a network."""
    from eqselect.theory.games.networks import NETWORKS

    if game_spec.game in NETWORKS:
        graph, _ = NETWORKS[game_spec.game]
        return {"name": game_spec.game, "graph": graph, "actions": ["C", "D"],
                "payoffs": [[["a", "b"], ["c", "d"]], [["a", "c"], ["b", "d"]]],
                "symbols": {"a": 4, "b": 0, "c": 3, "d": 2}}
    text = game_spec.text
    if not text:
        return None
    try:
        data = (json.loads(text) if game_spec.game.lower().endswith(".json")
                else tomllib.loads(text))
    except ValueError:
        return None
    return data if isinstance(data, dict) and "graph" in data else None


#: The axis of a sweep across graph families: its labels are the specs.
GRAPH_AXIS = "graph"


def _family_axes(graph) -> tuple:
    family = str(graph).split(":", 1)[0]
    if family not in FAMILY_AXES:
        return ()
    return FAMILY_AXES[family] + (("seed",) if family in RANDOM else ())


def graph_list(data: dict) -> tuple | None:
    """The specs of a file whose ``graph`` is a list (a sweep across families), else None."""
    graph = data["graph"]
    return tuple(str(g) for g in graph) if isinstance(graph, list) else None


def graph_axis(specs) -> Axis:
    """The ``graph`` axis of a list of specs: values 0 .. G - 1, labels the specs.

    Raises
    ------
    OptionsError
        No spec, or a spec listed twice.
    """
    specs = tuple(s.strip() for s in specs)
    if not specs or not all(specs):
        raise OptionsError("--graphs: expected SPEC;SPEC;... with no empty spec")
    if len(set(specs)) != len(specs):
        raise OptionsError(f"--graphs lists a graph twice: {list(specs)}")
    return Axis(GRAPH_AXIS, tuple(sp.Integer(i) for i in range(len(specs))), specs)


def graph_axes(data: dict, specs=None) -> tuple:
    """The axis names the spec's graph takes (``seed`` for random families); with a list
    of ``specs`` (or a file's list), the names every listed family takes."""
    specs = specs or graph_list(data) or (data["graph"],)
    first, *rest = (_family_axes(g) for g in specs)
    return tuple(n for n in first if all(n in r for r in rest))


def _text(name: str, value) -> str:
    if name in PROBABILITY_AXES:
        x = float(value)
        if not 0 <= x <= 1:
            raise OptionsError(f"--over {name}: {value} is not a probability")
        return f"{x:.12f}".rstrip("0").rstrip(".") or "0"
    if int(value) != value or value < 0:
        raise OptionsError(f"--over {name}: {value} is not a whole number")
    return str(int(value))


def with_graph_values(data: dict, values: dict) -> dict:
    """The spec with its graph's arguments (and seed) replaced by ``values``' graph axes
    (``values["graph"]``, a spec, replaces the graph first)."""
    if GRAPH_AXIS in values:
        data = {**data, "graph": str(values[GRAPH_AXIS])}
    family, _, rest = str(data["graph"]).partition(":")
    names = FAMILY_AXES[family] if family in FAMILY_AXES else ()
    args = re.split(r"[,x]", rest) if names else []
    seps = re.findall(r"[,x]", rest) if names else []
    for k, name in enumerate(names):
        if name in values:
            args[k] = _text(name, values[name])
    out = dict(data)
    if names:
        out["graph"] = family + ":" + "".join(a + s for a, s in zip(args, seps + [""]))
    if "seed" in values:
        out["seed"] = int(_text("seed", values["seed"]))
    return out


def network_at(game_spec, values: dict):
    """The cell's `NetworkGame`: graph axes put into the spec, payoff symbols set."""
    from eqselect.theory.io.network_spec import network_spec

    data = spec_data(game_spec)
    graph_names = set(graph_axes(data)) | {GRAPH_AXIS}
    net = network_spec(with_graph_values(data, values), game_spec.parameterization,
                       default_name=game_spec.game)
    payoff = {k: v for k, v in values.items() if k not in graph_names}
    return net.substitute({**{s.name: d for s, d in net.payoff_symbols.items()}, **payoff})


def _listed(spec, data: dict) -> tuple | None:
    """The specs of the sweep's ``graph`` axis, None without one."""
    listed = next((ax.labels for ax in spec.over if ax.name == GRAPH_AXIS), None)
    if listed == ():  # numbers cannot name graphs
        raise OptionsError(f"--over {GRAPH_AXIS}: the graph axis takes specs; list them with "
                           f"--graphs \"SPEC;SPEC;...\" or a list in the file's 'graph'")
    if listed is None and graph_list(data) is not None:
        raise OptionsError(f"the game {spec.game!r} lists graphs: its sweep takes them as "
                           f"its {GRAPH_AXIS!r} axis (graph_axis of the specs)")
    return listed


def _build_each(game_spec, values: dict, listed) -> None:
    """Build the first cell's graph, or each listed graph: a bad spec fails here, in one
    line that names it."""
    for graph in listed or (None,):
        try:
            network_at(game_spec, {**values, GRAPH_AXIS: graph} if graph else values)
        except (GameError, OptionsError) as exc:
            if graph is None:
                raise
            text = str(exc)
            raise OptionsError(text if graph in text else f"graph {graph!r}: {text}") from None


def validate_network(spec, game_spec, data: dict) -> None:
    """Refuse --over axes that are neither graph axes (those every listed family takes)
    nor payoff symbols, and build every graph, before any work (``game_spec``: the
    sweep's game as its cells load it)."""
    if spec.schedule != "paper":
        raise OptionsError("a sweep of a game on a graph runs the paper schedule "
                           "(no --schedule flow)")
    listed = _listed(spec, data)
    names = set(graph_axes(data, listed)) | {str(s) for s in data.get("symbols", {})}
    for ax in spec.over:
        if ax.name not in names and ax.name != GRAPH_AXIS:
            raise OptionsError(f"--over {ax.name}: a sweep of the graph game {spec.game!r} "
                               f"takes graph axes and payoff symbols: "
                               f"{', '.join(sorted(names)) or 'none'}")
    _build_each(game_spec, {ax.name: ax.at(0) for ax in spec.over}, listed)


def empty_events(methods, fixed_sets) -> tuple[dict, list]:
    """Panels without event curves (the maps' layout: one per dict of fixed values in
    ``fixed_sets``), and the note that says why."""
    events = {m: [{"fixed": {k: str(v) for k, v in f.items()}, "curves": []}
                  for f in fixed_sets] for m in methods}
    return events, ["a game on a graph has no exact event curves; its cells hold Monte-Carlo "
                    "basin masses of the consensus conventions and no alignment verdicts "
                    "(eqselect check and eqselect report decide those)"]


def evaluate_network_cell(game_spec, values: dict, rule, options) -> dict:
    """One cell of a network sweep as JSON data (module docstring).

    ``options.grid`` squared random starts, ``options.steps`` steps of the
    paper's schedule; the seed of the starts is the graph seed.
    """
    from eqselect.numerics.dynamics.basins import run_basins
    from eqselect.numerics.dynamics.consensus import ConsensusJudge
    from eqselect.numerics.dynamics.kernels.fused import available
    from eqselect.numerics.dynamics.starts import SampledStarts
    from eqselect.numerics.network.basins import NetworkBasinOptions, network_basin_problem
    from eqselect.numerics.network.equilibria import consensus_points
    from eqselect.numerics.network.field import NetworkField
    from eqselect.numerics.sources.fields import float_coefficients
    from eqselect.proofs_check.network import consensus_welfare
    from eqselect.studies.report.network import graph_summary
    from eqselect.studies.sweep.cell import ALIGNMENT_NOT_COMPUTED

    if options.schedule != "paper":
        raise GameError("a sweep of a game on a graph runs the paper schedule")
    rule = as_rule(rule)
    net = network_at(game_spec, values)
    source = NetworkField(net, options.eta)
    welfare = consensus_welfare(source)
    preferred = max(range(source.m), key=lambda a: list(welfare.values())[a])
    seed = net.graph.seed or 0
    kernel = "numba" if available() and source.m == 2 else "numpy"
    opts = NetworkBasinOptions(SampledStarts(options.grid ** 2, seed), options.steps, "paper",
                               ConsensusJudge(preferred), kernel)
    bm = run_basins(network_basin_problem(source, rule, opts))
    points = consensus_points(source, float_coefficients(rule))
    g = graph_summary(net.graph)
    low, high = bm.intervals["fraction"]
    return {"method": rule.method.value, "lam": str(rule.lam),
            "symbols": {k: str(v) for k, v in values.items()},
            "fraction": float(bm.fraction), "outcomes": dict(bm.outcomes),
            "n_starts": int(len(bm.final)),
            "equilibria": [{"label": e.label, "exact": None, "point": None,
                            "stability": e.stability, "nash": None, "boundary": e.boundary,
                            "route": e.route} for e in points],
            "equilibria_complete": False, "alignment": dict(ALIGNMENT_NOT_COMPUTED),
            "notes": list(bm.notes),
            "network": {"graph": g["spec"], "seed": g["seed"], "agents": g["agents"],
                        "edges": g["edges"], "degree_mean": g["degree_mean"],
                        "clustering": g["clustering"], "preferred": bm.preferred,
                        "interval": [float(low), float(high)],
                        "agent_shares": dict(bm.settling["agent_shares"]), "kernel": kernel}}


__all__ = ["FAMILY_AXES", "GRAPH_AXIS", "empty_events", "evaluate_network_cell", "graph_axes",
           "graph_axis", "graph_list",
           "network_at", "spec_data", "validate_network", "with_graph_values"]
