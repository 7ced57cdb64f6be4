"""What each ``eqselect`` subcommand does, given its parsed arguments.

Every ``cmd_*`` returns the exit status; bad input raises `OptionsError` or
`GameError`, which :func:`eqselect.cli.main` turns into one line and status 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import symengine as se

from eqselect.output import StagedFolder, check_plot_path, replaced_file, staged_folder  # noqa: F401
from eqselect.theory import Decomposition, Method, engine, entropy_regularized, limits
from eqselect.theory.engine import tidy
from eqselect.theory.errors import OptionsError
from eqselect.theory.io.resolve import load_game

#: Basin-map updates per second on one core (measured: 301 x 301 starts x 1000
#: steps of stag hunt in about 10 s), for the estimate made before the work.
BASIN_UPDATES_PER_SECOND = 1e7


def prepare_game(args, symbolic: bool = False):
    """The game named on the command line, with --param and --tau applied,
    refused if it has more parameters than the command handles."""
    game = load_game(args.game, args.param, symbolic=symbolic)
    limits.check_parameters(len(game.parameters), f"game {game.name[:60]!r}")
    if args.tau is not None:
        game = entropy_regularized(game, args.tau)
    return game


def numeric_decomposition(args) -> Decomposition:
    """The decomposition at numeric payoffs and eta, for the numeric commands."""
    game = prepare_game(args).substitute()
    Method.parse(args.method)
    return Decomposition(game, eta=args.eta)


def cmd_derive(args) -> int:
    if args.standalone and not args.latex:
        raise OptionsError("eqselect derive: --standalone needs --latex")
    with limits.deadline("eqselect derive"):
        game = prepare_game(args, symbolic=args.symbolic)
        dec = Decomposition(game, eta=args.eta)
        if args.latex:
            text = dec.latex(standalone=args.standalone)
        else:
            doc = derive_json(dec)
    if args.latex:
        sys.stdout.write(text)
        return 0
    if args.json:
        print(json.dumps(doc))
        return 0
    print(f"{game.name} ({game.parameterization}); parameters {', '.join(doc['parameters'])}")
    for i, value in enumerate(doc["values"]):
        print(f"J{i + 1} = {value}")
    for name, exprs in doc["components"].items():
        for sym, e in zip(doc["parameters"], exprs):
            print(f"{name}[{sym}] = {e}")
    return 0


#: Above this many operations (all components together) expressions are
#: written with shared subexpressions: the discounted IPD's components are
#: ~300 MB as flat strings and ~70 kB after common-subexpression elimination.
FLAT_JSON_MAX_OPS = 20000


def derive_json(dec: Decomposition) -> dict:
    """The contract's ``derive --json`` object.

    Large games get an extra key ``"subexpressions"``: a list of
    ``[name, expression]`` pairs, each expression in the parameters and the
    names before it, that the values and components refer to.
    """
    game = dec.game
    names = ("cur", "own", "peer", "lookahead")
    exprs = [engine.to_engine(v) for v in game.values] + [
        e for name in names for e in dec._parts[name]]
    extra = {}
    if sum(se.count_ops(e) for e in exprs) > FLAT_JSON_MAX_OPS:
        reps, reduced = se.cse(exprs)
        extra["subexpressions"] = [[str(k), str(v)] for k, v in reps]
        strings = [str(e) for e in reduced]
    else:
        strings = _tidied(exprs)
    n, d = game.n_agents, len(game.parameters)
    comps = {name: strings[n + k * d:n + (k + 1) * d] for k, name in enumerate(names)}
    return {
        "game": game.name,
        "parameterization": game.parameterization,
        "parameters": [s.name for s in game.parameters],
        "agents": [[s.name for s in block] for block in game.agents],
        "values": strings[:n],
        "components": comps,
        **extra,
        "eta": str(dec.eta),
        "payoff_symbols": {s.name: str(v) for s, v in game.payoff_symbols.items()},
        "certified": "exact",
    }


#: Seconds allowed for factoring the printed expressions; past it they are
#: printed as derived (sympy's multivariate factoring can take minutes on
#: payoffs such as exp(-71169/4) + 18584).
TIDY_SECONDS = 5.0


def _tidied(exprs) -> list[str]:
    """Each expression factored for reading, or all as derived past the budget."""
    plain = [engine.to_sympy(e) for e in exprs]
    try:
        with limits.deadline("factoring the printed expressions", TIDY_SECONDS):
            return [str(tidy(e)) for e in plain]
    except limits.TimeBudgetExceeded:
        return [str(e) for e in plain]


def cmd_equilibria(args) -> int:
    from eqselect.numerics.fixed_points.find import find_equilibria, sort_key

    dec = numeric_decomposition(args)
    found = find_equilibria(dec, args.method, args.lam, args.own)
    found.equilibria.sort(key=sort_key)
    if args.json:
        print(json.dumps(found.to_json()))
        return 0
    names = [s.name for s in dec.game.parameters]
    print(f"{_heading(dec, args)}: "
          f"{len(found.equilibria)} fixed point(s)"
          + ("" if found.complete else " found by seeded Newton (may be incomplete)"))
    for eq in found.equilibria:
        where = eq.exact if eq.exact is not None else tuple(f"{x:.6g}" for x in eq.point)
        coords = ", ".join(f"{n}={v}" for n, v in zip(names, where))
        nash = {True: "Nash", False: "not Nash", None: ""}[eq.nash]
        print(f"  ({coords})  {eq.stability.value:<10} mu={eq.mu:.4g}  {nash}  [{eq.route.value}]")
    _print_notes(found.notes)
    return 0


def _heading(dec: Decomposition, args) -> str:
    return f"{dec.game.name} ({dec.game.parameterization}), {args.method}"


def _print_notes(notes) -> None:
    for note in notes:
        print(f"  note: {note}")


def _check_basin_work(grid: int, steps: int) -> None:
    """Refuse a basin map whose estimated time exceeds the time limit, before
    any work (two parameters: grid^2 starts, each ``steps`` updates)."""
    updates = grid * grid * steps
    seconds = updates / BASIN_UPDATES_PER_SECOND
    budget = limits.current().time_limit
    if budget is not None and seconds > budget:
        megabytes = grid * grid * 8 * 8 / 1e6
        raise OptionsError(
            f"eqselect basins: --grid {grid} --steps {steps} asks for {updates:.3g} updates, "
            f"about {seconds:.0f} s and {megabytes:.0f} MB; the time limit is {budget:g} s "
            f"({limits.raise_hint('time_limit')})")


def cmd_basins(args) -> int:
    from eqselect.numerics.dynamics.basins import basin_map
    from eqselect.numerics.plots.portrait import basin_plot

    check_plot_path(args.plot)
    _check_basin_work(args.grid, args.steps)
    dec = numeric_decomposition(args)
    if len(dec.game.parameters) != 2:
        raise OptionsError("eqselect basins: grid maps need a game with two parameters; "
                         f"{dec.game.name} has {len(dec.game.parameters)}")
    low, high = (0.0, 1.0) if args.schedule == "flow" and dec.game.parameterization == "direct" \
        else (0.05, 0.95)
    bm = basin_map(dec, args.method, float(args.lam), float(args.own), grid=args.grid,
                   steps=args.steps, schedule=args.schedule, low=low, high=high)
    if args.plot:
        with replaced_file(args.plot) as tmp:
            basin_plot(bm, tmp)
    if args.json:
        print(json.dumps(bm.to_json()))
        return 0
    print(f"{_heading(dec, args)}, lambda = {float(args.lam):g}: "
          f"{100 * bm.fraction:.1f}% of {args.grid}x{args.grid} starts reach the preferred outcome")
    for k, v in bm.to_json()["outcomes"].items():
        print(f"  {k}: {v}")
    _print_notes(bm.notes)
    return 0


def cmd_continue(args) -> int:
    from eqselect.numerics.continuation.branches import continue_in_lambda
    from eqselect.numerics.plots.bifurcation import bifurcation_diagram

    check_plot_path(args.plot)
    dec = numeric_decomposition(args)
    a, b = args.lam
    result = continue_in_lambda(dec, args.method, (float(a), float(b)), own_coef=float(args.own))
    if args.plot:
        with replaced_file(args.plot) as tmp:
            bifurcation_diagram(result, coordinate=0, path=tmp)
    doc = result.to_json()
    doc["notes"] = list(result.notes)
    if args.json:
        print(json.dumps(doc))
        return 0
    print(f"{_heading(dec, args)}, lambda in "
          f"[{float(a):g}, {float(b):g}]: {len(doc['branches'])} branch(es)")
    for k, br in enumerate(doc["branches"]):
        first, last = br["points"][0], br["points"][-1]
        kinds = ", ".join(dict.fromkeys(br["stability"]))
        print(f"  branch {k}: lambda {first[0]:.4g} -> {last[0]:.4g}, {len(br['points'])} points, {kinds}")
    for ev in doc["events"]:
        pt = ", ".join(f"{x:.6g}" for x in ev["point"])
        print(f"  {ev['type']} at lambda = {ev['lam']:.10g}: ({pt})")
    _print_notes(doc["notes"])
    return 0


def cmd_replay(args) -> int:
    from eqselect.numerics.replay.experiments import EXPERIMENTS, replay, work_units
    from eqselect.progress import Progress

    wanted = args.experiments or list(EXPERIMENTS)
    bad = [e for e in wanted if e not in EXPERIMENTS]
    if bad:
        raise OptionsError(f"eqselect replay: unknown experiment {bad[0]!r}; "
                         f"valid: {', '.join(EXPERIMENTS)}")
    stage = StagedFolder(args.out, "replay.json") if args.out else None
    try:
        with Progress(work_units(wanted), f"replay ({args.mode})", quiet=args.json) as bar:
            result = replay(wanted, mode=args.mode, seed=args.seed, progress=bar)
        if stage is not None:
            from eqselect.numerics.plots.replay import write_outputs

            with stage as folder:
                write_outputs(result, folder)
    finally:
        if stage is not None:
            stage.discard()
    if args.json:
        print(json.dumps(result.to_json()))
        return 0
    from eqselect.numerics.plots.replay import table_rows

    print(f"replay ({args.mode}) of {', '.join(wanted)} in {result.seconds:.1f} s")
    rows = [("experiment", "replay", "published")] + table_rows(result)
    width = max(len(r[0]) for r in rows)
    for name, got, pub in rows:
        print(f"  {name:<{width}}  {got:>9}  {pub:>9}")
    return 0


def cmd_report(args) -> int:
    from collections import Counter

    from eqselect.progress import Progress
    from eqselect.report import build_report

    out = Path(args.out or f"report-{Path(args.game).stem}")
    stage = StagedFolder(out, "report.json")
    try:
        game = prepare_game(args)
        with limits.deadline("eqselect report"), Progress(4, f"report {game.name}") as bar:
            with stage as folder:
                rep = build_report(game, folder, progress=bar)
    finally:
        stage.discard()
    print(f"eqselect report for {game.name} ({game.parameterization}) written to {out}/")
    print(f"  report.tex, report.json, {len(rep.figures)} figure(s)")
    for m, found in rep.equilibria.items():
        counts = Counter(e["stability"] for e in found["equilibria"])
        kinds = ", ".join(f"{n} {k}" for k, n in counts.items()) or "none found"
        print(f"  {m}: {len(found['equilibria'])} fixed point(s): {kinds}")
    if rep.continuation is not None:
        for ev in rep.continuation["events"]:
            print(f"  peer-only continuation: {ev['type']} at lambda = {ev['lam']:.6g}")
    for m, b in rep.basins.items():
        print(f"  {m}: basin of the first-action profile {100 * b['fraction']:.1f}%")
    for k, v in rep.skipped.items():
        print(f"  not computed ({k}): {v}")
    return 0
