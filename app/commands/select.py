"""``eqselect select``: the outcome each method reaches from one start.

For ``--start P1,P2,...`` (probability coordinates, one per parameter, as
the basin maps use) and each ``--method``, the run of the paper's schedule,
its outcome (an attractor among the rule's fixed points, "still moving" or
"cycle"), the number of steps after which it stays near it, and the
trajectory (``--plot FILE``, ``--json``); :mod:`eqselect.studies.selection`.
"""

from __future__ import annotations

import json

from eqselect.commands.inputs import command_inputs, numeric_decomposition
from eqselect.output import check_plot_path, replaced_file
from eqselect.theory.errors import OptionsError
from eqselect.theory.serialize import document


def start_option(text: str) -> tuple[float, ...]:
    """``0.6,0.5`` -> (0.6, 0.5); OptionsError naming the bad entry."""
    try:
        return tuple(float(t) for t in text.split(","))
    except ValueError:
        raise OptionsError(f"eqselect select: --start {text[:60]!r}: give probabilities "
                           "separated by commas, e.g. 0.6,0.5") from None


def run(args) -> int:
    """Run every method from the start; print the outcomes, or the JSON document."""
    from eqselect.api import select_outcomes

    check_plot_path(args.plot)
    methods = tuple(args.method or ("pg", "peer-only", "meta-mapg"))
    args.method = methods[0]  # numeric_decomposition checks one name; all are resolved below
    dec = numeric_decomposition(args)
    found = select_outcomes(dec, start_option(args.start), methods, args.lam, args.own,
                            steps=args.steps)
    if args.plot:
        from eqselect.numerics.plots.trajectories import trajectories_plot

        with replaced_file(args.plot) as tmp:
            trajectories_plot(found, dec.game, tmp)
    if args.json:
        inputs = {**command_inputs(args), "method": list(methods)}
        print(json.dumps(document("select", {"selections": [s.to_json() for s in found]},
                                  inputs)))
        return 0
    print(f"{dec.game.name} ({dec.game.parameterization}) from {args.start}, "
          f"{args.steps} steps of the paper's schedule:")
    for s in found:
        steps = "never settles" if s.steps is None else f"within 0.05 after {s.steps} steps"
        print(f"  {s.method}: {s.outcome} ({steps})")
        for note in s.notes:
            print(f"    note: {note}")
    return 0
