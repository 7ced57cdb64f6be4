"""``eqselect replay``: the paper's experiments, replayed (docs/replay.md).

Text by default (each replayed number beside the published one),
``--json`` the contract's replay document; ``--out DIR`` writes
replay.json, replay.tex and the figures into a folder that is replaced
whole or not at all.
"""

from __future__ import annotations

import json

from eqselect.commands.inputs import command_inputs
from eqselect.output import StagedFolder
from eqselect.theory.errors import OptionsError
from eqselect.theory.serialize import document


def run(args) -> int:
    """Replay the experiments named (all by default) and print or write the results."""
    from eqselect.studies.replay.experiments import EXPERIMENTS, replay, work_units
    from eqselect.progress import Progress

    from eqselect.theory.validate import distinct

    wanted = list(distinct(args.experiments, "eqselect replay: the experiment list")
                  or EXPERIMENTS)
    bad = [e for e in wanted if e not in EXPERIMENTS]
    if bad:
        raise OptionsError(f"eqselect replay: unknown experiment {bad[0]!r}; "
                         f"valid: {', '.join(EXPERIMENTS)}")
    counting = _counting(args)
    stage = StagedFolder(args.out, "replay.json") if args.out is not None else None
    try:
        with Progress(work_units(wanted, args.protocol), f"replay ({args.mode})",
                      quiet=args.json) as bar:
            result = replay(wanted, mode=args.mode, seed=args.seed, progress=bar,
                            protocol=args.protocol, counting=counting)
        if args.sensitivity:
            from eqselect.studies.replay.sensitivity import sensitivity

            result.figures["sensitivity"] = sensitivity(args.mode, args.seed, args.protocol,
                                                        base=result.raw)
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
    from eqselect.studies.replay.runs import protocol_name

    print(f"replay ({args.mode}, {protocol_name(args.protocol)}) of {', '.join(wanted)} "
          f"in {result.seconds:.1f} s")
    rows = [("experiment", "replay", "published")] + table_rows(result)
    width = max(len(r[0]) for r in rows)
    for name, got, pub in rows:
        print(f"  {name:<{width}}  {got:>9}  {pub:>9}")
    return 0


def _counting(args):
    """The first-hit convention asked for: the protocol's, with the options given."""
    from eqselect.studies.replay.counting import AUTHORS, EQSELECT, Counting

    if args.count_from is None and args.start_hit is None:
        return None
    own = AUTHORS if args.protocol == "authors" else EQSELECT
    return Counting(own.origin if args.count_from is None else args.count_from,
                    own.start if args.start_hit is None else args.start_hit)
