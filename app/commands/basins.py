"""``eqselect basins``: the attractor each start of a grid, slice or sample reaches.

The starts (docs/cli.md, "basins"): the grid of the game's two parameters,
a two-axis slice (``--axes``, ``--fix``) for larger games, or ``--samples N``
random starts. The rule's fixed points (the ``equilibria`` route, with the
pure profiles at infinity under logit / softmax) give the attractors; every
end point is classified against them, with "still moving" and "cycle"
counted apart. The fraction counts the preferred attractor (``--preferred``,
chosen as ``eqselect check`` chooses P), or the paper's success predicate
for the paper schedule on games where everyone's first action is an
attractor (Stag Hunt; the replayed numbers). Attractors are named by the
game's actions, ``(Stag, Stag)``; the JSON adds each one's action names and
strategies by action name (:mod:`eqselect.theory.profile_names`).
"""

from __future__ import annotations

import contextlib
import json
import sys

from eqselect.commands.inputs import check_basin_options, command_inputs, numeric_decomposition
from eqselect.options import BASIN_GRID, distinct_methods, preferred
from eqselect.output import check_plot_path, replaced_file
from eqselect.theory import PAPER, limits
from eqselect.theory.errors import OptionsError
from eqselect.theory.profile_names import player_and_action_names, point_names
from eqselect.theory.serialize import document

#: RK4 steps of the flow's default time limit (dt = 0.05: t = 100).
FLOW_STEPS = 2000


def basin_starts(args, game):
    """(starts, description) from --grid / --axes / --fix / --samples."""
    from eqselect.numerics.dynamics.slices import SliceStarts
    from eqselect.numerics.dynamics.starts import GridStarts, SampledStarts

    low, high = (0.0, 1.0) if args.schedule == "flow" and game.parameterization == "direct" \
        else (PAPER.grid_low, PAPER.grid_high)
    if args.samples is not None:
        if args.axes or args.fix:
            raise OptionsError("eqselect basins: --axes and --fix shape a grid slice; "
                               "--samples draws from the whole start space")
        two = game.states == 1 and all(int(m) == 2 for m in game.actions or (2,))
        sampler = "probability" if two else "simplex"
        where = (f"{args.samples} random starts" +
                 ("" if two else " (uniform on each player's simplex)"))
        return SampledStarts(args.samples, args.seed, sampler, low, high), where
    if args.axes is None and not args.fix and len(game.parameters) == 2:
        return GridStarts(args.grid, low, high), f"{args.grid}x{args.grid} starts"
    axes = args.axes or tuple(f"{game.player_name(i)}:{game.action_name(i, 0)}"
                              for i in range(min(2, game.n_agents)))
    starts = SliceStarts(args.grid, tuple(axes), tuple(args.fix or ()), low, high)
    return starts, (f"a {args.grid}x{args.grid} slice over {axes[0]}, {axes[1]} "
                    f"({starts.held()})")


def start_count(starts, game) -> int:
    """How many starts ``starts`` draws: counted for a full grid, drawn otherwise
    (a slice or a sample is validated by drawing it, before any other work)."""
    from eqselect.numerics.dynamics.starts import GridStarts

    if type(starts) is GridStarts:
        return int(starts.grid) ** len(game.parameters)
    return len(starts.draw(game)[1])


def preferred_choice(args, game, attractors) -> tuple:
    """(preferred attractor index or None, use the paper's predicate, notes);
    ``--preferred``, else `default_preference`."""
    from eqselect.numerics.dynamics.attractors import preferred_attractor
    from eqselect.numerics.dynamics.classify import default_preference

    text = args.preferred
    if text is None:
        text = default_preference(game, attractors, args.schedule)
        if text is None:
            return None, True, ["fraction: the paper's success predicate (every player's "
                                f"first-action probability >= {float(PAPER.success):g})"]
    choice = preferred(text)
    if isinstance(choice, str) and choice not in ("payoff-dominant", "welfare"):
        # the checker's parser of profiles, imported only when one is named
        from eqselect.proofs_check.choice import parse_profile

        choice = parse_profile(game, text)
    index, notes = preferred_attractor(game, attractors, choice)
    return index, False, notes


#: Seconds of the fixed-point search that names the attractors (``--time-limit``
#: sets it instead): the IPD's Newton search takes 15-35 s on 2 cores.
FIXED_POINT_SECONDS = 5.0


def basin_fixed_points(dec, args) -> tuple:
    """(EquilibriumSet, notes): the rule's fixed points, searched under a time budget.

    Past the budget (`FIXED_POINT_SECONDS`, or ``--time-limit`` when given)
    the search is stopped and the map runs with an empty fixed-point list,
    marked incomplete: pure profiles of one-state logit / softmax games are
    still recognised (`pure_candidates`), every other end point counts as
    still moving or cycle, and a note says the attractor list may be
    incomplete because of the budget. A list proven complete is kept on
    disk and read back by the next process that asks for it
    (`eqselect.numerics.dynamics.attractor_cache`).
    """
    from eqselect.theory.rules import resolve
    from eqselect.theory.budget import DEFAULT_BUDGET
    from eqselect.numerics.dynamics.attractor_cache import cached_search, keep_search
    from eqselect.numerics.fixed_points.find import EquilibriumSet, find_equilibria

    seconds = FIXED_POINT_SECONDS if args.time_limit is None else float(args.time_limit)
    asked = resolve(args.method, args.lam, args.own)
    found = cached_search(dec, asked)  # a list proven complete by an earlier process
    if found is not None:
        return found, []
    try:
        with limits.deadline("the fixed-point search", seconds):
            found = find_equilibria(dec, asked, budget=min(DEFAULT_BUDGET, seconds))
        keep_search(dec, asked, found)
        return found, []
    except limits.TimeBudgetExceeded:
        rule = resolve(args.method, float(args.lam), float(args.own))
        note = (f"the fixed-point search that names the attractors stopped at its budget of "
                f"{seconds:g} s: the attractor list may be incomplete (runs reaching an "
                "unlisted fixed point count as still moving); raise it with --time-limit")
        return EquilibriumSet([], rule.method.value, float(rule.lam), float(rule.own_coef),
                              False, [note], "none (time budget)"), [note]


def starts_option(args) -> bool:
    """Whether ``--grid`` was given; refuses it beside ``--samples`` (two ways of
    choosing the starts) and records the default grid otherwise."""
    given = args.grid is not None
    if given and args.samples is not None:
        raise OptionsError("eqselect basins: --grid and --samples choose the starts two ways "
                           "(a grid, or N random starts); give one of them")
    if not given:
        args.grid = BASIN_GRID
    return given


def run(args) -> int:
    """Run the basin map of ``--method`` and print or write it; with ``--compare``,
    the maps of two methods and their overlay and difference (`run_compare`)."""
    from eqselect.commands import network

    grid_given = starts_option(args)
    methods = args.method if isinstance(args.method, list) else [args.method]
    net = network.network_of(args)  # a game on a graph runs on its sparse field
    if net is not None:
        if grid_given:
            raise OptionsError("eqselect basins: a network game starts from --samples random "
                               "profiles; --grid does not apply")
        if getattr(args, "compare", False) or len(methods) > 1:
            raise OptionsError("eqselect basins: a network game takes one --method "
                               "(--compare is for normal-form games)")
        args.method = methods[0]
        return network.basins(net, args)
    if getattr(args, "compare", False):
        return run_compare(args, list(distinct_methods(methods)))
    if len(methods) > 1:
        raise OptionsError("eqselect basins: several --method values need --compare "
                           "(e.g. --method pg meta-mapg --compare)")
    args.method = methods[0]
    check_plot_path(args.plot)
    if args.per_start and not args.json:
        raise OptionsError("eqselect basins: --per-start needs --json")
    bm, dec, problem, found, notes, budget_notes, where = basin_run(args)
    if args.plot:
        from eqselect.numerics.plots.portrait import basin_plot

        with replaced_file(args.plot) as tmp:
            basin_plot(bm, tmp, game=dec.game)
    search = {"route": found.route, "complete": found.complete,
              "finished": not budget_notes}
    if args.json:
        inputs = {**command_inputs(args), "problem": problem.to_json()}
        print_basins_json(bm, dec.game, inputs, notes, search)
        return 0
    print_basins(bm, args, dec, where, notes, search)
    return 0


def run_compare(args, methods) -> int:
    """Two methods' maps from the same starts: each one's fraction, the shares of
    both / only A / only B / neither, and (``--plot``) the overlay and difference."""
    from copy import copy

    from eqselect.numerics.plots.compare import compare_plot, difference

    if len(methods) != 2:
        raise OptionsError(f"eqselect basins: --compare takes two methods, got {len(methods)}")
    check_plot_path(args.plot)
    maps = []
    for m in methods:
        one = copy(args)
        one.method = m
        # an attractor, not the success predicate: the difference map's shares are then
        # the shares each map's legend states
        one.preferred = args.preferred or "payoff-dominant"
        maps.append(basin_run(one))
    (a, dec, *_rest, where), (b, *_) = maps
    _, shares = difference(a, b)
    counted = a.preferred or "the success predicate"
    if args.plot:
        with replaced_file(args.plot) as tmp:
            compare_plot(a, b, tmp)
    if args.json:
        inputs = {**command_inputs(args), "method": list(methods)}
        body = {"maps": {m: bm.to_json() for m, (bm, *_) in zip(methods, maps)},
                "compare": {"counts": counted, "shares": shares}}
        print(json.dumps(document("basins-compare", body, inputs)))
        return 0
    print(f"{dec.game.name} ({dec.game.parameterization}), {where}: reaching {counted}")
    for m, (bm, *_) in zip(methods, maps):
        print(f"  {m}: {100 * bm.fraction:.1f}%")
    for name, share in shares.items():
        print(f"  {name}: {100 * share:.1f}%")
    return 0


def basin_run(args) -> tuple:
    """(map, decomposition, problem, fixed points, notes, budget notes, starts in words)."""
    from eqselect.numerics.dynamics.classify import CYCLE_WINDOW, all_attractors
    from eqselect.numerics.dynamics.basins import run_basins
    from eqselect.theory.rules import resolve
    from eqselect.numerics.dynamics.judges import AttractorJudge
    from eqselect.numerics.dynamics.problem import BasinProblem

    steps = args.steps or (FLOW_STEPS if args.schedule == "flow" else PAPER.steps)
    check_basin_options(args, steps)  # from the options alone, before the game is derived
    dec = numeric_decomposition(args)
    check_basin_options(args, steps, len(dec.game.parameters))
    starts, where = basin_starts(args, dec.game)
    total = start_count(starts, dec.game)
    found, budget_notes = basin_fixed_points(dec, args)
    attractors = all_attractors(dec.game, found)
    index, predicate, notes = preferred_choice(args, dec.game, attractors)
    notes = budget_notes + notes
    backend = args.backend or "auto"
    problem = BasinProblem(
        dec, resolve(args.method, float(args.lam), float(args.own)), starts, steps,
        args.schedule, AttractorJudge(preferred=index, predicate=predicate,
                                      settle=args.schedule == "flow", window=CYCLE_WINDOW),
        found, per_start=args.per_start, kernel=backend if args.schedule == "paper" else "numpy",
        precision=args.precision)
    with basin_progress(total, args.json) as bar:
        bm = run_basins(problem, bar)
    return bm, dec, problem, found, notes, budget_notes, where


#: Starts a ``--per-start`` document writes at a time (its rows are streamed).
PER_START_PART = 1 << 14


def print_basins_json(bm, game, inputs: dict, notes, search: dict) -> None:
    """Print the basins document (`basins_json`). With ``--per-start`` its rows
    are written part by part in their place in the document, the same bytes
    as one ``json.dumps``: 10^6 starts never sit in memory as rows or text."""
    from dataclasses import replace

    if not bm.problem.per_start:
        print(json.dumps(basins_json(bm, game, inputs, notes, search)))
        return
    marker = json.dumps(f"per-start rows of {id(bm)}")
    lean = replace(bm, problem=replace(bm.problem, per_start=False))
    doc = basins_json(lean, game, inputs, notes, search, per_start=json.loads(marker))
    head, tail = json.dumps(doc).split(marker)
    out = sys.stdout
    out.write(head + "[")
    for k, part in enumerate(bm.per_start_parts(PER_START_PART)):
        out.write((", " if k else "") + json.dumps(part)[1:-1])
    out.write("]" + tail + "\n")


def basins_json(bm, game, inputs: dict, notes, search: dict, per_start=None) -> dict:
    """The basins document: the map, the notes of the command first, the fixed-point
    search, and every attractor named by the game's actions (``"named_profile"``,
    the action names of a pure profile or null, and ``"named_strategies"``);
    ``per_start``, when given, stands in the place of the map's rows."""
    doc = document("basins", bm, inputs)
    if per_start is not None:  # the rows' place, kept by a writer that streams them
        doc["per_start"] = per_start
    doc["notes"] = list(notes) + doc["notes"]
    for record, attractor in zip(doc["attractors"], bm.attractors):
        names = point_names(game, attractor.strategies)
        record.update(named_profile=names["profile"], named_strategies=names["named_strategies"])
    return {**doc, "fixed_points": search, **player_and_action_names(game)}


def print_basins(bm, args, dec, where, notes, search) -> None:
    """The text form of a basin map: the fraction, then every outcome's share."""
    target = f" {bm.preferred}" if bm.preferred else ""
    reach = (f"reach the preferred outcome{target}" if bm.preferred else
             "meet the paper's success predicate")
    print(f"{dec.game.name} ({dec.game.parameterization}), {args.method}, lambda = "
          f"{float(args.lam):g}, {bm.schedule} schedule: {100 * bm.fraction:.1f}% of {where} "
          f"{reach}")
    if bm.interval is not None:
        print(f"  95% Wilson interval: [{100 * bm.interval[0]:.1f}%, {100 * bm.interval[1]:.1f}%]")
    print(f"  attractors (fixed points of {args.method}, route {search['route']}"
          + (", complete):" if search["complete"] else ", may be incomplete):"))
    kinds = {a.name: f"{a.kind}, {a.stability}" for a in bm.attractors}
    for name, count in bm.outcomes.items():
        share = bm.shares[name]
        band = (f"  [{100 * bm.intervals[name][0]:.1f}%, {100 * bm.intervals[name][1]:.1f}%]"
                if bm.intervals and name in bm.intervals else "")
        kind = f" ({kinds[name]})" if name in kinds else ""
        print(f"    {name}{kind}: {count} ({100 * share:.1f}%){band}")
    for note in list(notes) + list(bm.notes):
        print(f"  note: {note}")


def basin_progress(total: int, quiet: bool):
    """A tqdm bar over the starts on a terminal; none under --json or a pipe."""
    if quiet or not sys.stderr.isatty():
        return contextlib.nullcontext()
    from tqdm import tqdm

    return tqdm(total=total, unit="start", unit_scale=True, leave=False)
