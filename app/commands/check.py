"""``eqselect check``: the alignment conditions and the paper's statements for one game.

Text by default, ``--json`` (one document: "conditions", "claims",
"preferred", "alternative", ...) or ``--latex`` (a table of verdicts and the
equations they rest on). The conditions are described in docs/alignment.md.
P and R are named by the game's actions (:mod:`eqselect.theory.profile_names`):
in the text a pure profile as ``(Stag, Stag)`` when the game names its
actions, in the JSON ``"profile"`` and ``"named_strategies"`` on each, and
``"players"`` / ``"actions"`` in the document.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from eqselect.theory import Rule
from eqselect.theory.errors import OptionsError
from eqselect.theory.games.entropy import without_entropy
from eqselect.theory.io.resolve import load_game
from eqselect.theory.latex import escape_latex
from eqselect.theory.profile_names import (
    actions_are_named, player_and_action_names, point_names, profile_actions, profile_name,
    pure_profile, strategies_at)
from eqselect.theory.serialize import document

if TYPE_CHECKING:  # the checker (numerics, continuation) loads only when check runs
    from eqselect.proofs_check.verdict import CheckResult


def _preferred(text: str):
    return int(text) if text.isdigit() else text


def run(args) -> int:
    """Run `check_game` on the command line's game and print the verdicts."""
    from eqselect.proofs_check.check import check_game

    if args.json and args.latex:
        raise OptionsError("eqselect check: choose one of --json and --latex")
    game = load_game(args.game, args.param)
    if args.tau is not None:  # --tau wins over a game file's tau
        game = without_entropy(game)
    rule = Rule(args.method, lam=args.lam, own_coef=args.own)
    result = check_game(game, rule, eta=args.eta, tau=args.tau,
                        preferred=_preferred(args.preferred))
    if args.json:
        inputs = {"game": args.game, "parameterization": args.param, "tau": args.tau,
                  "rule": rule.to_json(), "eta": args.eta, "preferred": args.preferred}
        print(json.dumps(check_json(result, game, inputs)))
    elif args.latex:
        sys.stdout.write(check_latex(result))
    else:
        sys.stdout.write(check_text(result, game))
    return 0


def check_json(result: CheckResult, game, inputs: dict) -> dict:
    """The check document, P and R named by the game's actions."""
    doc = document("check", result, inputs)
    for key in ("preferred", "alternative"):
        if doc.get(key) is not None:
            r = getattr(result, key)
            doc[key].update(point_names(game, strategies_at(game, r.exact, r.strategies)))
    return {**doc, **player_and_action_names(game)}


def _holds(v) -> str:
    return {True: "holds", False: "fails", None: "not decided"}[v.holds]


def _point(r, game) -> str:
    if r is None:
        return "none"
    pt = ", ".join("inf" if x == float("inf") else "-inf" if x == float("-inf")
                   else f"{x:.6g}" for x in r.point)
    mu = "" if r.at_infinity else \
        f"; mu = {r.mu + 0.0:.6g}, mu_M = {r.mu_M + 0.0:.6g} ({r.certified})"  # no -0
    return f"{_label(r, game)} at ({pt}){mu}"


def _label(r, game) -> str:
    """How P or R was chosen, then its pure profile by action names (``#2 (Stag, Stag)``)
    when the game names its actions and the label does not already say it."""
    profile = pure_profile(game, r.strategies)
    if profile is None or not actions_are_named(game) \
            or r.label == ",".join(profile_actions(game, profile)):
        return r.label
    return f"{r.label} {profile_name(game, profile)}"


def check_text(result: CheckResult, game) -> str:
    """A plain-text summary: P, R (named by ``game``'s actions), one line per verdict,
    the findings."""
    lines = [f"{result.game} ({result.parameterization}); rule {result.rule['method']}",
             f"P: {_point(result.preferred, game)}", f"R: {_point(result.alternative, game)}",
             ""]
    for v in (*result.conditions, *result.claims):
        why = f"  [{v.reason}]" if v.reason else ""
        lines.append(f"{v.id:10s} {_holds(v):12s} {v.certified.value:9s}{why}".rstrip())
    lines += [f"note: {f}" for f in result.findings]
    return "\n".join(lines) + "\n"


#: Column widths of the check table (fractions of the line width; with the
#: narrowed column gap they fill at most the line, in any text width).
_LATEX_COLUMNS = (0.08, 0.36, 0.1, 0.12, 0.24)


def check_latex(result: CheckResult) -> str:
    """A LaTeX table: id, statement, verdict, certification, reason.

    Fixed-width columns of the line width, text set ragged right, so the
    table fits the page; it needs the packages amsmath and amssymb.
    """
    rows = []
    for v in (*result.conditions, *result.claims):
        cells = [escape_latex(v.id), f"${v.statement}$", _holds(v), v.certified.value,
                 escape_latex(v.reason)]
        rows.append(" & ".join(f"\\raggedright {c}" for c in cells) + " \\tabularnewline")
    head = (f"% eqselect check: {escape_latex(result.game)} "
            f"({result.parameterization}), rule {result.rule['method']}; "
            "needs amsmath and amssymb\n")
    spec = "".join(f"p{{{w}\\linewidth}}" for w in _LATEX_COLUMNS)
    return (head + "{\\small\\setlength{\\tabcolsep}{3pt}\n\\begin{tabular}{" + spec + "}\n"
            "\\hline\nid & statement & verdict & certified & reason \\tabularnewline\n\\hline\n"
            + "\n".join(rows) + "\n\\hline\n\\end{tabular}}\n")
