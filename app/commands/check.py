"""``eqselect check``: the alignment conditions and the paper's statements for one game.

Text by default, ``--json`` (one document: "conditions", "claims",
"preferred", "alternative", ...) or ``--latex`` (each verdict with its
statement, the values it rests on, its meaning and what would decide it;
``--standalone`` makes it a complete document). The text and LaTeX come from
:mod:`eqselect.proofs_check.verdict_text`, the renderer the report uses too;
the conditions are described in docs/alignment.md.
P and R are named by the game's actions (:mod:`eqselect.theory.profile_names`):
in the text a pure profile as ``(Stag, Stag)`` when the game names its
actions, in the JSON ``"profile"`` and ``"named_strategies"`` on each, and
``"players"`` / ``"actions"`` in the document.
"""

from __future__ import annotations

import json
import sys

from eqselect.options import preferred
from eqselect.theory import Rule
from eqselect.theory.errors import OptionsError
from eqselect.theory.games.entropy import without_entropy
from eqselect.theory.io.resolve import load_game
from eqselect.theory.profile_names import player_and_action_names, point_names, strategies_at
from eqselect.theory.serialize import document


def _preferred(text: str):
    return preferred(text)


def run(args) -> int:
    """Run `check_game` on the command line's game and print the verdicts."""
    from eqselect.commands import network

    net = network.network_of(args)  # a game on a graph runs on its sparse field
    if net is not None:
        return network.check(net, args)

    from eqselect.proofs_check.check import check_game
    from eqselect.proofs_check.verdict_text import check_latex, check_text

    if args.json and args.latex:
        raise OptionsError("eqselect check: choose one of --json and --latex")
    if args.standalone and not args.latex:
        raise OptionsError("eqselect check: --standalone needs --latex")
    game = load_game(args.game, args.param)
    if args.tau is not None:  # --tau wins over a game file's tau
        game = without_entropy(game)
    rule = Rule(args.method, lam=args.lam, own_coef=args.own)
    from eqselect.proofs_check.paired_starts import SampleOptions

    result = check_game(game, rule, eta=args.eta, tau=args.tau,
                        preferred=_preferred(args.preferred),
                        sampling=SampleOptions(n=getattr(args, "samples", None)))
    if args.json:
        inputs = {"game": args.game, "parameterization": args.param, "tau": args.tau,
                  "rule": rule.to_json(), "eta": args.eta, "preferred": args.preferred,
                  "samples": result_samples(result),
                  "seed": None if result.selection is None else result.selection["seed"]}
        print(json.dumps(check_json(result, game, inputs)))
    elif args.latex:
        sys.stdout.write(check_latex(result, standalone=args.standalone, game=game))
    else:
        sys.stdout.write(check_text(result, game))
    return 0


def result_samples(result):
    """The sample size of the outcome route (None when no sample was run)."""
    return None if result.selection is None else result.selection["n"]


def check_json(result, game, inputs: dict) -> dict:
    """The check document, P and R named by the game's actions."""
    doc = document("check", result, inputs)
    for key in ("preferred", "alternative"):
        if doc.get(key) is not None:
            r = getattr(result, key)
            doc[key].update(point_names(game, strategies_at(game, r.exact, r.strategies)))
    return {**doc, **player_and_action_names(game)}

