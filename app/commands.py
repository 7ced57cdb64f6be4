"""What each ``eqselect`` subcommand does, given its parsed arguments.

Every ``cmd_*`` returns the exit status; bad input raises `OptionsError` or
`GameError`, which :func:`eqselect.cli.main` turns into one line and status 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from eqselect.output import StagedFolder, check_plot_path, replaced_file
from eqselect.theory import Decomposition, Method, entropy_regularized, limits
from eqselect.theory.games.entropy import without_entropy
from eqselect.theory.errors import OptionsError
from eqselect.theory.io.resolve import load_game
from eqselect.theory.serialize import document

def prepare_game(args, symbolic: bool = False):
    """The game named on the command line, with --param and --tau applied,
    refused if it has more parameters than the command handles."""
    game = load_game(args.game, args.param, symbolic=symbolic)
    limits.check_parameters(len(game.parameters), f"game {game.name[:60]!r}")
    if args.tau is not None:  # --tau wins over a game file's tau
        game = entropy_regularized(without_entropy(game), args.tau)
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
        print(json.dumps(document("derive", doc, command_inputs(args))))
        return 0
    print(f"{game.name} ({game.parameterization}); parameters {', '.join(doc['parameters'])}")
    for i, value in enumerate(doc["values"]):
        print(f"J{i + 1} = {value}")
    for name, exprs in doc["components"].items():
        for sym, e in zip(doc["parameters"], exprs):
            print(f"{name}[{sym}] = {e}")
    return 0


def command_inputs(args) -> dict:
    """What a command was asked: every option as given (recorded in its JSON)."""
    return {k: v for k, v in vars(args).items() if k != "run"}


def derive_json(dec: Decomposition) -> dict:
    """The contract's ``derive --json`` object: ``Decomposition.to_json``."""
    return dec.to_json()


def cmd_equilibria(args) -> int:
    from eqselect.numerics.fixed_points.find import find_equilibria, sort_key

    dec = numeric_decomposition(args)
    found = find_equilibria(dec, args.method, args.lam, args.own, seed=args.seed,
                            n_seeds=args.seeds, budget=args.budget)
    found.equilibria.sort(key=sort_key)
    if args.json:
        print(json.dumps(document("equilibria", found, command_inputs(args))))
        return 0
    names = [s.name for s in dec.game.parameters]
    where_on = [_on_continuum(eq, found.components) for eq in found.equilibria]
    print(f"{_heading(dec, args)}: " + _count_heading(found, where_on)
          + ("" if found.complete else " found by seeded Newton (may be incomplete)")
          + f" [route {found.route}" + (", proven complete]" if found.complete else "]"))
    for eq, on in zip(found.equilibria, where_on):
        where = eq.exact if eq.exact is not None else tuple(f"{x:.6g}" for x in eq.point)
        coords = ", ".join(f"{n}={v}" for n, v in zip(names, where))
        nash = {True: "Nash", False: "not Nash", None: ""}[eq.nash]
        tag = "" if on is None else f"  (on {on})"
        print(f"  ({coords})  {eq.stability.value:<10} mu={eq.mu + 0.0:.4g}  {nash}  "
              f"[{eq.route.value}]{tag}")
    _print_components(found.components, names)
    for eq in found.at_infinity:
        game = dec.game
        profile = ", ".join(game.action_name(i, list(s).index(max(s)))
                            for i, s in enumerate(eq.strategies))
        nash = {True: "Nash", False: "not Nash", None: ""}[eq.nash]
        print(f"  at infinity: ({profile})  {eq.stability.value:<10} {nash}")
    _print_notes(found.notes)
    return 0


def _on_continuum(eq, components):
    """'component k' when ``eq`` lies on the k-th continuum component, 'a continuum' when it
    represents a continuum that is not shown to be a polytope, None when it is isolated."""
    own = {tuple(str(x) for x in p) for p in eq.extreme_points}
    exact = tuple(str(x) for x in eq.exact) if eq.exact is not None else None
    for k, comp in enumerate(components):
        pts = {tuple(p) for p in comp["extreme_points"]}
        if (own and own <= pts) or exact in pts:
            return f"component {k}"
    return "a continuum" if any(n.startswith("continuum of fixed points") for n in eq.notes) \
        else None


def _count_heading(found, where_on) -> str:
    """'N fixed point(s)', or the isolated points and continua when a continuum exists
    (a list of points alone is then not the whole set of fixed points)."""
    n, sampled = len(found.equilibria), sum(on == "a continuum" for on in where_on)
    of_them = f", {sampled} of them sample(s) of a continuum of fixed points" if sampled else ""
    if not found.components:
        return f"{n} fixed point(s){of_them}"
    return (f"{sum(on is None for on in where_on)} isolated fixed point(s) and "
            f"{len(found.components)} continuum component(s) of fixed points; {n} listed "
            f"point(s){of_them}")


def _print_components(components, names) -> None:
    for k, comp in enumerate(components):
        pts = ", ".join("(" + ", ".join(f"{n}={v}" for n, v in zip(names, p)) + ")"
                        for p in comp["extreme_points"])
        agents = ", ".join(str(i) for i in comp["varying_agents"])
        print(f"  component {k}: a connected set of fixed points of dimension "
              f"{comp['dimension']}, extreme points {pts}; agent(s) {agents} indifferent "
              "on it (several best responses)")


def _heading(dec: Decomposition, args) -> str:
    return f"{dec.game.name} ({dec.game.parameterization}), {args.method}"


def _print_notes(notes) -> None:
    for note in notes:
        print(f"  note: {note}")


def cmd_basins(args) -> int:
    from eqselect.basins_command import cmd_basins as run

    return run(args)


def cmd_continue(args) -> int:
    from eqselect.numerics.continuation.branches import continue_in_lambda
    from eqselect.numerics.plots.bifurcation import bifurcation_diagram
    from eqselect.numerics.plots.style import parameter_label

    check_plot_path(args.plot)
    dec = numeric_decomposition(args)
    a, b = args.lam
    result = continue_in_lambda(dec, args.method, (float(a), float(b)), own_coef=float(args.own))
    if args.plot:
        with replaced_file(args.plot) as tmp:
            bifurcation_diagram(result, coordinate=0, path=tmp,
                                names=[parameter_label(s) for s in dec.game.parameters])
    if args.json:
        print(json.dumps(document("continue", result, command_inputs(args))))
        return 0
    doc = result.to_json()
    print(f"{_heading(dec, args)}, lambda in "
          f"[{float(a):g}, {float(b):g}]: {len(doc['branches'])} branch(es)")
    for k, br in enumerate(doc["branches"]):
        first, last = br["points"][0], br["points"][-1]
        kinds = ", ".join(dict.fromkeys(br["stability"]))
        where = f" on {br['face']}" if br.get("face") else ""
        if br.get("origin") == "branch-switch":
            where += f" (branch switch, lambda = {br['switched_at']:.6g})"
        print(f"  branch {k}: lambda {first[0]:.4g} -> {last[0]:.4g}, {len(br['points'])} points, {kinds}{where}")
    for ev in doc["events"]:
        pt = ", ".join(f"{x:.6g}" for x in ev["point"])
        print(f"  {ev['type']} at lambda = {ev['lam']:.10g}: ({pt})")
    _print_notes(doc["notes"])
    return 0


def cmd_replay(args) -> int:
    from eqselect.studies.replay.experiments import EXPERIMENTS, replay, work_units
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
            from eqselect.studies.replay.plots import write_outputs

            with stage as folder:
                write_outputs(result, folder)
    finally:
        if stage is not None:
            stage.discard()
    if args.json:
        print(json.dumps(document("replay", result, command_inputs(args))))
        return 0
    from eqselect.studies.replay.plots import table_rows

    print(f"replay ({args.mode}) of {', '.join(wanted)} in {result.seconds:.1f} s")
    rows = [("experiment", "replay", "published")] + table_rows(result)
    width = max(len(r[0]) for r in rows)
    for name, got, pub in rows:
        print(f"  {name:<{width}}  {got:>9}  {pub:>9}")
    return 0


def cmd_report(args) -> int:
    from eqselect.report_command import cmd_report as run

    return run(args)
