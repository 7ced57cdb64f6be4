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
from eqselect.sweep import add_sweep_parser
from eqselect.theory.errors import EqselectError, OptionsError
from eqselect.theory.exact import to_exact
from eqselect.theory.rules import method_names
from eqselect.theory.serialize import package_version
from eqselect.theory.rules import PAPER as PAPER_DEFAULTS


#: The paper's defaults (docs/replay.md).
PAPER = {"eta": sp.Rational(11, 20), "own": sp.Rational(7, 20), "lam": sp.Rational(3, 2)}


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows every optional argument's default, exact numbers as decimals (0.55)."""

    def _get_help_string(self, action):
        text = action.help or ""
        if action.required or action.default is argparse.SUPPRESS or not action.option_strings:
            return text
        value = action.default
        if isinstance(value, sp.Rational) and not value.is_Integer:
            shown = sp.Float(value, 15)
            value = f"{float(shown):g}" if sp.Rational(str(float(shown))) == value else value
        if action.nargs == 0 and action.const is not None and not isinstance(action.const, bool):
            value = f"{action.dest} = {value}"  # one of several flags sharing a dest
        return f"{text} (default: {str(value).replace('%', '%%')})"


class _Parser(argparse.ArgumentParser):
    """Every (sub)command shows its defaults in --help and fails with one line."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

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


def _positive_seconds(text: str) -> float:
    value = float(number(text))
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text!r}")
    return value


def _game_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("game", help="built-in name or a .toml / .json / .nfg file")
    p.add_argument("--param", default=None,
                   help="parameterisation: direct, logit or softmax (None: logit, or the "
                        "game file's own)")
    p.add_argument("--tau", type=number, default=None,
                   help="entropy temperature (None: no regularisation)")


def _learning_args(p: argparse.ArgumentParser, lam: bool = True, method_required=False) -> None:
    p.add_argument("--method", default=None if method_required else "pg",
                   required=method_required,
                   help="one of: " + ", ".join(method_names()) + " (docs/rules.md)")
    if lam:
        p.add_argument("--lam", type=number, default=PAPER["lam"],
                       help="shaping coefficient lambda")
    p.add_argument("--eta", type=number, default=PAPER["eta"],
                   help="inner learning rate eta")
    p.add_argument("--own", type=number, default=PAPER["own"],
                   help="own-learning coefficient c")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="eqselect", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, required=True)
    d = sub.add_parser("derive", help="closed-form cur / own / peer / look-ahead terms")
    _game_args(d)
    d.add_argument("--symbolic", action="store_true", help="keep 2x2 payoffs as a, b, c, d")
    d.add_argument("--eta", type=number, default=None,
                   help="inner learning rate (None: the symbol eta)")
    out = d.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help=_JSON_HELP)
    out.add_argument("--latex", action="store_true",
                     help="print the game and its components as LaTeX (align* blocks)")
    d.add_argument("--standalone", action="store_true",
                   help="with --latex: a complete document")
    d.set_defaults(run=cmd_derive)

    e = sub.add_parser("equilibria", help="every fixed point of a method's field")
    _game_args(e)
    _learning_args(e, lam=True)
    e.add_argument("--seeds", type=_positive_int, default=None, metavar="N",
                   help="Newton seeds (default grows with the number of parameters)")
    e.add_argument("--seed", type=int, default=0, metavar="S", help="numpy seed of the seeds")
    e.add_argument("--budget", type=_positive_seconds, default=5.0, metavar="SECONDS",
                   help="time budget of each exact route (default 5)")
    e.add_argument("--json", action="store_true", help=_JSON_HELP)
    e.set_defaults(run=cmd_equilibria)

    b = sub.add_parser("basins", help="basin map of a method (grid of starts)")
    _game_args(b)
    _learning_args(b, lam=True, method_required=True)
    b.add_argument("--grid", type=_positive_int, default=21, help="grid points per axis")
    b.add_argument("--steps", type=_positive_int, default=140, help="updates per start")
    b.add_argument("--schedule", choices=("paper", "flow"), default="paper",
                   help="paper: the paper's clipped step schedule (docs/replay.md); "
                        "flow: integrate the continuous projected flow")
    b.add_argument("--backend", choices=("numba", "numpy"), default=None,
                   help="stepping kernel: compiled numba (default when installed) or the "
                        "numpy reference")
    b.add_argument("--samples", type=_positive_int, default=None, metavar="N",
                   help="Monte-Carlo basin volumes from N random starts (Wilson intervals) "
                        "instead of a grid")
    b.add_argument("--seed", type=int, default=0, help="seed of --samples (default 0)")
    b.add_argument("--json", action="store_true", help=_JSON_HELP)
    b.add_argument("--plot", metavar="FILE", help="write the basin map as a PNG")
    b.set_defaults(run=cmd_basins)

    c = sub.add_parser("continue", help="follow fixed points in lambda (pseudo-arclength)")
    _game_args(c)
    _learning_args(c, lam=False, method_required=True)
    c.add_argument("--lam", type=_range, required=True, metavar="A:B",
                   help="range of the shaping coefficient, e.g. 0:3")
    c.add_argument("--json", action="store_true", help=_JSON_HELP)
    c.add_argument("--plot", metavar="FILE", help="write the bifurcation diagram as a PNG")
    c.set_defaults(run=cmd_continue)

    r = sub.add_parser("replay", help="replay the paper's experiments")
    r.add_argument("experiments", nargs="*", metavar="EXPERIMENT",
                   help="basin-map, peer-sweep, ablation, restarts, restart-selection, "
                        "annealing, estimator (default: all)")
    mode = r.add_mutually_exclusive_group()
    mode.add_argument("--exact", dest="mode", action="store_const", const="exact",
                      help="exact gradients: the infinite-batch limit of the paper's "
                           "estimators (the default mode)")
    mode.add_argument("--sampled", dest="mode", action="store_const", const="sampled",
                      help="the paper's likelihood-ratio estimators at its batch sizes, seeded")
    r.add_argument("--seed", type=int, default=0,
                   help="seed of the sampled experiments' random streams")
    r.add_argument("--json", action="store_true", help=_JSON_HELP)
    r.add_argument("--out", metavar="DIR",
                   help="write replay.json, replay.tex and PNG figures (None: nothing written)")
    r.set_defaults(run=cmd_replay, mode="exact")

    rp = sub.add_parser("report", help="the main job: everything for one game, as LaTeX, PNG, JSON")
    _game_args(rp)
    rp.add_argument("--out", metavar="DIR", default=None,
                    help="output folder (default: report-GAME)")
    rp.add_argument("--method", default=None, metavar="M1,M2,...",
                    help="methods to compare, comma-separated (default: pg,peer-only,meta-mapg)")
    rp.add_argument("--lam", type=number, default=None,
                    help=f"shaping coefficient lambda (default {PAPER_DEFAULTS.lam})")
    rp.add_argument("--eta", type=number, default=None,
                    help=f"inner learning rate (default {PAPER_DEFAULTS.eta})")
    rp.add_argument("--own", type=number, default=None,
                    help=f"own-learning coefficient (default {PAPER_DEFAULTS.own})")
    rp.add_argument("--lam-range", type=_range, default=None, metavar="A:B",
                    help="continuation window in lambda (default 0:3)")
    rp.add_argument("--grid", type=_positive_int, default=None,
                    help="basin-map grid points per axis (default 21)")
    rp.add_argument("--steps", type=_positive_int, default=None,
                    help=f"basin-map updates per start (default {PAPER_DEFAULTS.steps})")
    rp.add_argument("--tikz", action="store_true",
                    help="also write pgfplots .tex beside the bifurcation and phase figures")
    rp.set_defaults(run=cmd_report)

    add_sweep_parser(sub, _game_args, number)
    cv = sub.add_parser("convert", help="convert a game between .toml, .json and Gambit .nfg")
    cv.add_argument("input", metavar="IN", help="built-in name or a .toml / .json / .nfg file")
    cv.add_argument("output", metavar="OUT", help="file to write; its suffix picks the format")
    cv.set_defaults(run=cmd_convert)
    _add_version(parser, sub)
    return parser


_JSON_HELP = "print one JSON document on stdout (schema in docs/cli.md)"


def _add_version(parser, sub) -> None:
    """``--version`` on the top-level parser and on every subcommand."""
    version = f"eqselect {package_version()}"
    for p in (parser, *sub.choices.values()):
        p.add_argument("--version", action="version", version=version,
                       help="print the package version and exit")


def cmd_convert(args) -> int:
    """Read a game and write it in the format of OUT's suffix (docs/cli.md).

    Payoff symbols are replaced by their defaults when OUT is an .nfg file.
    Nothing is written when IN cannot be read or OUT cannot hold the game.
    """
    from eqselect.theory.games.builtins import BUILTINS
    from eqselect.theory.io.resolve import load_game
    from eqselect.theory.io.write import write_game

    # direct reads every shape; a parameterisation the file states is kept
    param = None if args.input in BUILTINS else "direct"
    game = load_game(args.input, param)
    out = write_game(game, args.output, default_parameterization=game.parameterization
                     if param is None else param)
    if game.payoff_symbols and out.suffix.lower() == ".nfg":
        names = ", ".join(s.name for s in game.free_symbols)
        print(f"note: symbols {names} replaced by their defaults (.nfg holds numbers)",
              file=sys.stderr)
    print(f"wrote {out}")
    return 0


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
