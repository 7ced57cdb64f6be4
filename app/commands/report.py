"""``eqselect report`` on the command line: options in, files and a summary out.

The report itself (computation and LaTeX) is :mod:`eqselect.studies.report`."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace

from eqselect.commands.inputs import prepare_game
from eqselect.options import distinct_methods
from eqselect.theory import validate
from eqselect.theory.errors import GameError, OptionsError
from eqselect.theory.rules import Method


def methods_option(text: str) -> tuple[str, ...]:
    """A comma-separated list of method names, each checked."""
    names = tuple(t.strip() for t in text.split(",") if t.strip())
    if not names:
        raise OptionsError("eqselect report: --method needs at least one method")
    return distinct_methods(tuple(Method.parse(n).value for n in names))


def switch_to_softmax(args) -> str | None:
    """Set ``args.param`` to softmax when logit (asked or by default) meets an agent
    with three or more actions; the note that says so, else None.

    The logit parameterisation holds one probability per agent; softmax is
    its generalisation to m actions and coincides with it for two.
    """
    from eqselect.theory.io.resolve import load_game

    if args.param not in (None, "logit"):
        return None
    try:
        actions = load_game(args.game, "direct").actions
    except GameError:  # a game without direct form (continuous): nothing to switch
        return None
    if not actions or max(actions) <= 2:
        return None
    if args.param is None:
        try:  # the game file's own parameterisation, when it states one, is kept
            load_game(args.game, None)
            return None
        except GameError:
            pass
    args.param = "softmax"
    return (f"The logit parameterisation needs two actions per agent and this game has "
            f"{max(actions)}; the report uses softmax, its generalisation to m actions "
            "(--param softmax).")


def options_from(args):
    """`ReportOptions` from parsed arguments (defaults: the paper's)."""
    from eqselect.studies.report.build import ReportOptions

    base = ReportOptions()
    return ReportOptions(
        methods=methods_option(args.method) if args.method else base.methods,
        eta=base.eta if args.eta is None else args.eta,
        lam=base.lam if args.lam is None else args.lam,
        own=base.own if args.own is None else args.own,
        tau=args.tau, grid=args.grid or base.grid, steps=args.steps or base.steps,
        lam_range=args.lam_range or base.lam_range, tikz=args.tikz,
        full_terms=getattr(args, "full_terms", False), axes=getattr(args, "axes", None),
        fixed=tuple(getattr(args, "fix", None) or ()))


def _graph_report(args, options) -> int | None:
    """The sparse report of a game on a graph (its exit status), None for other games."""
    from eqselect.commands import network

    net = network.network_game_of(args)
    if net is not None:
        return network.report(net, args, options)
    if getattr(args, "samples", None):
        raise OptionsError("eqselect report: --samples sets the random starts of a game on a "
                           "graph; this game's basin maps use --grid")
    return None


def run(args) -> int:
    """Write the report folder and print what it found."""
    from eqselect.commands.report_lines import print_verdicts
    from eqselect.output import report_folder, staged_report
    from eqselect.studies.report.build import build_report

    options = options_from(args)
    if (code := _graph_report(args, options)) is not None:  # a game on a graph
        return code
    validate.check_basin_work(options.grid ** 2, options.steps, 2, len(options.methods),
                              "--grid, --steps or --method")
    if note := switch_to_softmax(args):
        options = replace(options, notes=options.notes + (note,))
    try:
        game = prepare_game(args, symbolic=True)  # payoff symbols for the closed forms
    except GameError:
        game = prepare_game(args)  # games without a symbolic form
    if options.tau is None and game.tau is not None:  # a game file's tau, stated
        options = replace(options, tau=game.tau)
    rep = staged_report(args, game.name,
                        lambda folder, bar: build_report(game, folder, options, progress=bar))
    if getattr(args, "json", False):
        print(json.dumps(rep.to_json()))
        return 0
    if note:
        print(f"note: {note}")
    print(f"eqselect report for {game.name} ({game.parameterization}) written to "
          f"{report_folder(args)}/")
    print(f"  report.tex, report.json, {len(rep.figures)} figure file(s)")
    for m, found in rep.equilibria.items():
        counts = Counter(e.stability.value for e in found.equilibria)
        kinds = ", ".join(f"{n} {k}" for k, n in counts.items()) or "none found"
        far = f"; {len(found.at_infinity)} pure profile(s) at infinity" if found.at_infinity else ""
        far += (f"; {len(found.components)} continuum component(s) (the points listed "
                "include samples of them)" if found.components else "")
        print(f"  {m}: {len(found.equilibria)} fixed point(s): {kinds}{far}")
    if rep.continuation is not None:
        for ev in rep.continuation.events:
            print(f"  {options.continuation_method} continuation: {ev.type.value} "
                  f"at lambda = {ev.value:.6g}")
    for m, b in rep.basins.items():
        if b.shares is not None and not b.preferred:
            print(f"  {m}: no attractor to prefer (" + ", ".join(
                f"{name} {100 * share:.1f}%" for name, share in b.shares.items() if share)
                + ")")
            continue
        counted = b.preferred or "the success predicate"
        print(f"  {m}: basin of {counted} {100 * b.fraction:.1f}%")
    print_verdicts(rep.check, rep.check.rule["method"] if rep.check else None, rep.skipped)
    return 0
