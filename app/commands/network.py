"""Network games on the command line: ``basins``, ``equilibria`` and ``check``.

A GAME that is a network (a built-in such as ``stag-hunt-small-world`` or a
game file with a ``graph`` key, docs/networks.md) runs on the sparse field
of :mod:`eqselect.numerics.network` instead of the general routes, which
would treat every agent as coupled to every other:

- ``basins``: ``--samples N`` random starts (default 1000) of the paper's
  schedule on the fused kernel, judged by consensus (the fraction: starts
  reaching consensus on the preferred action, by default the payoff-dominant
  convention);
- ``equilibria``: consensus profiles, symmetric points and deflated Newton
  points with their sparse spectra;
- ``check``: A1 and A2 at the consensus points (:mod:`eqselect.proofs_check.network`).
"""

from __future__ import annotations

import json

from eqselect.commands.inputs import command_inputs
from eqselect.theory import PAPER
from eqselect.theory.errors import OptionsError
from eqselect.theory.serialize import document

#: Starts of a network basin map when --samples is not given.
DEFAULT_SAMPLES = 1000


def network_game_of(args, symbolic: bool = True):
    """The command line's game as a `NetworkGame` with its payoff symbols, or None
    (a built-in with ``symbolic``: its row payoffs a, b, c, d)."""
    from pathlib import Path

    from eqselect.theory.games.networks import NETWORKS, network_builtin

    if args.game in NETWORKS:
        net = network_builtin(args.game, args.param or "logit", symbolic).structure
    elif Path(args.game).suffix.lower() in (".toml", ".json"):  # only a file holds a graph
        from eqselect.theory.io.network_spec import load_network  # networkx with it

        net = load_network(args.game, args.param)
    else:
        return None
    if net is not None and getattr(args, "tau", None) is not None:
        raise OptionsError("--tau (entropy regularisation) is not available for network games")
    return net


def network_of(args):
    """The command line's game as a `NetworkGame` (payoffs at their defaults), or None."""
    net = network_game_of(args, symbolic=False)
    return None if net is None else net.substitute()


def _field(net, args):
    from eqselect.numerics.network.field import NetworkField

    return NetworkField(net, args.eta)


def _rule(args):
    from eqselect.theory.rules import resolve

    return resolve(args.method, args.lam, args.own)


def _describe(net) -> dict:
    g = net.graph
    return {"graph": g.spec, "seed": g.seed, "agents": g.n, "edges": len(g.edges),
            "parameterization": net.parameterization, "shared_payoffs": net.shared}


def basins(net, args) -> int:
    """``eqselect basins`` on a network game."""
    from eqselect.numerics.dynamics.basins import run_basins
    from eqselect.numerics.dynamics.consensus import ConsensusJudge
    from eqselect.numerics.dynamics.kernels.fused import available
    from eqselect.numerics.dynamics.starts import SampledStarts
    from eqselect.numerics.network.basins import NetworkBasinOptions, network_basin_problem

    if args.schedule != "paper" or args.axes or args.fix or args.plot:
        raise OptionsError("eqselect basins: a network game runs the paper schedule from "
                           "--samples random starts (no --schedule flow, --axes, --fix, --plot)")
    preferred = _preferred_action(net, args.preferred)
    # the fused kernel takes two actions per agent; more run on the numpy field
    kernel = args.backend or ("numba" if available() and net.actions == 2 else "numpy")
    _check_basin_work(net, args.samples or DEFAULT_SAMPLES, args.steps or PAPER.steps)
    starts = SampledStarts(args.samples or DEFAULT_SAMPLES, args.seed)
    opts = NetworkBasinOptions(starts, args.steps or PAPER.steps, "paper",
                               ConsensusJudge(preferred), kernel)
    problem = network_basin_problem(_field(net, args), _rule(args), opts)
    bm = run_basins(problem)
    notes = [] if args.samples else [
        f"a network game's basins start from random profiles: {DEFAULT_SAMPLES} starts "
        "(--samples N sets the number; a grid over every agent does not apply)"]
    if args.json:
        doc = document("basins", bm, {**command_inputs(args), "problem": problem.to_json()})
        doc["notes"] = notes + doc["notes"]
        print(json.dumps({**doc, "network": _describe(net)}))
        return 0
    low, high = bm.interval
    print(f"{net.name} ({net.graph.n} agents, {net.graph.spec}), {args.method}, lambda = "
          f"{float(args.lam):g}: {100 * bm.fraction:.1f}% of {starts.n} random starts reach "
          f"{bm.preferred}  [95% Wilson: {100 * low:.1f}%, {100 * high:.1f}%]")
    for name, count in bm.outcomes.items():
        print(f"    {name}: {count} ({100 * bm.shares[name]:.1f}%)")
    shares = ", ".join(f"{k} {100 * v:.1f}%" for k, v in bm.settling["agent_shares"].items())
    print(f"  agents at each action (mean over starts): {shares}")
    for note in notes + list(bm.notes):
        print(f"  note: {note}")
    return 0


def _check_basin_work(net, samples: int, steps: int) -> None:
    """Refuse a network basin map past the time limit or the memory bound, before it
    runs: starts x steps x directed edges at the fused kernel's measured rate (the
    report's estimate), and starts x parameters coordinates held at once."""
    from eqselect.theory import budget, limits
    from eqselect.studies.report.network import EDGE_STEPS_PER_SECOND

    edges = 2 * len(net.graph.edges)
    estimate = budget.WorkEstimate(
        f"a basin map of {samples} starts x {steps} steps on {net.graph.n} agents "
        f"({edges} directed edges)", samples * steps * edges / EDGE_STEPS_PER_SECOND,
        samples * net.graph.n * net.dim * budget.WORK_LIMITS.bytes_per_coordinate,
        "--samples or --steps")
    budget.check_work(estimate, limits.current().time_limit, limits.raise_hint("time_limit"))


def _preferred_action(net, text) -> int:
    names = list(net.action_names or (str(a) for a in range(net.actions)))
    if text in (None, "payoff-dominant", "welfare"):
        from eqselect.proofs_check.network import consensus_welfare
        from eqselect.numerics.network.field import NetworkField

        welfare = consensus_welfare(NetworkField(net, 0))
        return max(range(net.actions), key=lambda a: list(welfare.values())[a])
    if text in names:
        return names.index(text)
    raise OptionsError(f"--preferred for a network game is an action ({', '.join(names)}), "
                       f"payoff-dominant or welfare; got {text!r}")


def equilibria(net, args) -> int:
    """``eqselect equilibria`` on a network game."""
    from eqselect.numerics.network.newton import NewtonOptions, network_equilibria

    found = network_equilibria(_field(net, args), _rule(args),
                               NewtonOptions(seeds=args.seeds or 8, seed=args.seed))
    if args.json:
        doc = document("equilibria", {"equilibria": [e.to_json() for e in found]},
                       command_inputs(args))
        print(json.dumps({**doc, "network": _describe(net)}))
        return 0
    print(f"{net.name} ({net.graph.n} agents, {net.graph.spec}, {net.parameterization}), "
          f"{args.method}: {len(found)} fixed point(s) by the consensus, symmetric and "
          "deflated-Newton routes (not proven complete)")
    coordinate = "p" if net.parameterization == "direct" else "theta"  # docs/cli.md names
    for e in found:
        where = e.label or f"{coordinate} in [{e.point.min():.4g}, {e.point.max():.4g}]"
        mu = "" if e.mu is None else f"  mu={e.mu:.4g}"
        print(f"  {where:<32} {e.stability:<10}{mu}  [{e.route}]")
    return 0


def check(net, args) -> int:
    """``eqselect check`` on a network game (A1 and A2 at the consensus vertices, A3 from
    paired starts)."""
    from eqselect.proofs_check.network import DEFAULT_A3_STARTS, check_network
    from eqselect.proofs_check.paired_starts import SampleOptions

    if getattr(args, "latex", False):
        raise OptionsError("eqselect check: a network game's verdicts are text or --json")
    options = SampleOptions(n=getattr(args, "samples", None) or DEFAULT_A3_STARTS)
    result = check_network(_field(net, args), _rule(args), options)
    if args.json:
        print(json.dumps({**document("check", result.to_json(), command_inputs(args)),
                          "network": _describe(net)}))
        return 0
    print(f"{net.name} ({net.graph.n} agents, {net.graph.spec}): P = {result.preferred}, "
          f"R = {result.alternative}")
    for v in result.conditions:
        state = {True: "holds", False: "fails", None: "undecided"}[v.holds]
        detail = ", ".join(f"{k}={val:.4g}" for k, val in v.values.items()
                           if isinstance(val, float))
        print(f"  {v.id}: {state} ({v.certified.value}) {detail} {v.reason}".rstrip())
    return 0


def report(net, args, base) -> int:
    """``eqselect report`` on a network game: the sparse report
    (:mod:`eqselect.studies.report.network`), refused in one line when its basin
    work would pass the time limit."""
    from eqselect.commands.report_lines import print_verdicts
    from eqselect.output import report_folder, staged_report
    from eqselect.studies.report.network import (
        NETWORK_SAMPLES, NetworkReportOptions, build_network_report, estimated_seconds)
    from eqselect.theory import limits
    from eqselect.theory.budget import WorkEstimate, check_work

    if args.axes or args.fix or args.grid or args.tikz or args.full_terms:
        raise OptionsError("eqselect report: a network game's basins start from --samples "
                           "random starts (no --grid, --axes, --fix, --tikz, --full-terms)")
    options = NetworkReportOptions(base, args.samples or NETWORK_SAMPLES)
    seconds = estimated_seconds(net, options)
    check_work(WorkEstimate(f"the basin work of a report on {net.graph.n} agents", seconds, 0,
                            "--samples"), limits.current().time_limit,
               limits.raise_hint("time_limit"))
    rep = staged_report(args, net.name, lambda folder, bar: build_network_report(
        net, folder, options, progress=bar))
    if args.json:
        print(json.dumps(rep.to_json()))
        return 0
    g = rep.graph
    print(f"eqselect report for {net.name} ({net.parameterization}; {g['agents']} agents, "
          f"{g['edges']} edges, {g['spec']}) written to {report_folder(args)}/")
    print(f"  report.tex, report.json, {len(rep.figures)} figure file(s)")
    for m, found in rep.equilibria.items():
        kinds = ", ".join(f"{e.label or e.route} {e.stability}" for e in found)
        print(f"  {m}: {len(found)} fixed point(s): {kinds}")
    for m, bm in rep.basins.items():
        low, high = bm.intervals["fraction"]
        print(f"  {m}: basin of {bm.preferred} {100 * bm.fraction:.1f}% "
              f"[{100 * low:.1f}%, {100 * high:.1f}%]")
    print_verdicts(rep.check, options.chosen, rep.skipped)
    return 0
