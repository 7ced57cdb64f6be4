"""The ``eqselect`` command line (contract: docs/cli.md).

Exit status: 0 success; 2 bad input, with one line on stderr; 1 internal failure.
"""

from __future__ import annotations

import argparse
import sys
from fractions import Fraction

import sympy as sp

from eqselect.commands import (
    cmd_basins, cmd_continue, cmd_derive, cmd_equilibria, cmd_replay, cmd_report)
from eqselect.check import cmd_check
from eqselect.theory.errors import EqselectError, OptionsError
from eqselect.theory.exact import to_exact


#: The paper's defaults (docs/replay.md).
PAPER = {"eta": sp.Rational(11, 20), "own": sp.Rational(7, 20), "lam": sp.Rational(3, 2)}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one clear line, status 2
        raise OptionsError(f"{self.prog}: {message}")


def number(text: str) -> sp.Expr:
    """An exact number from a decimal or fraction literal ("0.55", "2/3").

    Parsed with ``fractions.Fraction``: nothing else is accepted.
    """
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    return to_exact(value)


def _range(text: str) -> tuple:
    parts = text.split(":")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"expected A:B, got {text!r}")
    a, b = (number(p) for p in parts)
    if a == b:
        raise argparse.ArgumentTypeError(f"empty range {text!r}")
    return a, b


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _game_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("game", help="built-in name or a .toml / .json / .nfg file")
    p.add_argument("--param", default=None, help="direct, logit (default) or softmax")
    p.add_argument("--tau", type=number, default=None, help="entropy temperature")


def _learning_args(p: argparse.ArgumentParser, lam: bool = True, method_required=False) -> None:
    p.add_argument("--method", default=None if method_required else "pg",
                   required=method_required,
                   help="pg, meta-pg, peer-only, meta-mapg, lookahead, lola")
    if lam:
        p.add_argument("--lam", type=number, default=PAPER["lam"],
                       help="shaping coefficient lambda (default 1.5)")
    p.add_argument("--eta", type=number, default=PAPER["eta"],
                   help="inner learning rate (default 0.55)")
    p.add_argument("--own", type=number, default=PAPER["own"],
                   help="own-learning coefficient (default 0.35)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="eqselect", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, required=True)
    d = sub.add_parser("derive", help="closed-form cur / own / peer / look-ahead terms")
    _game_args(d)
    d.add_argument("--symbolic", action="store_true", help="keep 2x2 payoffs as a, b, c, d")
    d.add_argument("--eta", type=number, default=None,
                   help="inner learning rate (default: the symbol eta)")
    out = d.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true")
    out.add_argument("--latex", action="store_true")
    d.add_argument("--standalone", action="store_true",
                   help="with --latex: a complete document")
    d.set_defaults(run=cmd_derive)

    e = sub.add_parser("equilibria", help="every fixed point of a method's field")
    _game_args(e)
    _learning_args(e, lam=True)
    e.add_argument("--json", action="store_true")
    e.set_defaults(run=cmd_equilibria)

    b = sub.add_parser("basins", help="basin map of a method (grid of starts)")
    _game_args(b)
    _learning_args(b, lam=True, method_required=True)
    b.add_argument("--grid", type=_positive_int, default=21, help="grid points per axis")
    b.add_argument("--steps", type=_positive_int, default=140, help="updates per start")
    b.add_argument("--schedule", choices=("paper", "flow"), default="paper")
    b.add_argument("--json", action="store_true")
    b.add_argument("--plot", metavar="FILE", help="write the basin map as a PNG")
    b.set_defaults(run=cmd_basins)

    c = sub.add_parser("continue", help="follow fixed points in lambda (pseudo-arclength)")
    _game_args(c)
    _learning_args(c, lam=False, method_required=True)
    c.add_argument("--lam", type=_range, required=True, metavar="A:B",
                   help="range of the shaping coefficient, e.g. 0:3")
    c.add_argument("--json", action="store_true")
    c.add_argument("--plot", metavar="FILE", help="write the bifurcation diagram as a PNG")
    c.set_defaults(run=cmd_continue)

    ck = sub.add_parser("check", help="alignment conditions A0-A5 and the paper's statements "
                                      "(docs/alignment.md)")
    _game_args(ck)
    _learning_args(ck, lam=True)
    ck.set_defaults(method="meta-mapg")
    ck.add_argument("--preferred", default="payoff-dominant",
                    help="payoff-dominant (default), welfare, a pure profile such as C,C or "
                         "0,1, or an index into the fixed-point list of v")
    ck_out = ck.add_mutually_exclusive_group()
    ck_out.add_argument("--json", action="store_true")
    ck_out.add_argument("--latex", action="store_true")
    ck.set_defaults(run=cmd_check)

    r = sub.add_parser("replay", help="replay the paper's experiments")
    r.add_argument("experiments", nargs="*", metavar="EXPERIMENT",
                   help="basin-map, peer-sweep, ablation, restarts, restart-selection, "
                        "annealing, estimator (default: all)")
    mode = r.add_mutually_exclusive_group()
    mode.add_argument("--exact", dest="mode", action="store_const", const="exact")
    mode.add_argument("--sampled", dest="mode", action="store_const", const="sampled")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--json", action="store_true")
    r.add_argument("--out", metavar="DIR", help="write replay.json, replay.tex and PNG figures")
    r.set_defaults(run=cmd_replay, mode="exact")

    rp = sub.add_parser("report", help="the main job: everything for one game, as LaTeX, PNG, JSON")
    _game_args(rp)
    rp.add_argument("--out", metavar="DIR", default=None,
                    help="output folder (default: report-GAME)")
    rp.set_defaults(run=cmd_report)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return args.run(args)
    except EqselectError as exc:
        print(f"eqselect: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("eqselect: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
