"""The ``eqselect`` command line (contract: docs/cli.md).

Exit status: 0 success; 2 bad input, with one line on stderr; 130 on Ctrl-C
and 143 on SIGTERM, with one line and the previous output left intact;
1 internal failure.
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
import threading
from fractions import Fraction

from eqselect.signals import (
    MESSAGE, STATUS, Terminated, raise_terminated, redeliver_swallowed, start_import_guard,
    stop_import_guard)

_SAVED = start_import_guard()  # the imports below take about a second

import sympy as sp  # noqa: E402

from eqselect.commands import (  # noqa: E402
    cmd_basins, cmd_continue, cmd_derive, cmd_equilibria, cmd_replay, cmd_report)
from eqselect.check import cmd_check  # noqa: E402
from eqselect.sweep import add_sweep_parser  # noqa: E402
from eqselect.theory import limits  # noqa: E402
from eqselect.theory.errors import EqselectError, OptionsError  # noqa: E402
from eqselect.theory.exact import to_exact  # noqa: E402
from eqselect.theory.rules import PAPER as PAPER_DEFAULTS  # noqa: E402
from eqselect.theory.rules import method_names  # noqa: E402
from eqselect.theory.serialize import package_version  # noqa: E402

stop_import_guard(_SAVED)

#: A number on the command line: decimal or fraction, at most this many characters.
_NUMBER = re.compile(r"\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:/\d+)?\s*")
_NUMBER_CHARS = 40
#: Upper limits of the integer options (the work they ask for is estimated too).
MAX_GRID, MAX_STEPS, MAX_SEED = 1001, 100_000, 2**32 - 1


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

    At most 40 characters, no exponent notation (so no literal can denote a
    huge number), parsed with ``fractions.Fraction``: nothing else is accepted.
    """
    if len(text) > _NUMBER_CHARS or not _NUMBER.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"not a number: {text[:_NUMBER_CHARS]!r} (a decimal or a fraction such as 2/3, "
            f"at most {_NUMBER_CHARS} characters)")
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    try:
        return to_exact(value)
    except EqselectError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _range(text: str) -> tuple:
    parts = text.split(":")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"expected A:B, got {text!r}")
    a, b = (number(p) for p in parts)
    if a == b:
        raise argparse.ArgumentTypeError(f"empty range {text!r}")
    return a, b


def _int_in(low: int, high: int):
    def parse(text: str) -> int:
        if len(text) > 20 or not re.fullmatch(r"\s*[-+]?\d+\s*", text):
            raise argparse.ArgumentTypeError(f"not an integer: {text[:20]!r}")
        value = int(text)
        if value < low:
            raise argparse.ArgumentTypeError(f"must be >= {low}, got {value}")
        if value > high:
            raise argparse.ArgumentTypeError(f"must be <= {high}, got {value}")
        return value
    return parse


_positive_int = _int_in(1, 10**9)


def _seconds(text: str) -> float:
    value = number(text)
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError(f"must be in (0, 86400] seconds, got {text!r}")
    return float(value)


def _game_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("game", help="built-in name or a .toml / .json / .nfg file")
    p.add_argument("--param", default=None,
                   help="parameterisation: direct, logit or softmax (None: logit, or the "
                        "game file's own)")
    p.add_argument("--tau", type=number, default=None,
                   help="entropy temperature (None: no regularisation)")
    p.add_argument("--max-params", type=_positive_int, default=None, metavar="D",
                   help="refuse games with more policy parameters (default per command: "
                        "derive/report 16, equilibria/continue 10; docs/limits.md)")
    p.add_argument("--max-entries", type=_positive_int, default=None, metavar="E",
                   help="refuse normal-form games with more payoff entries (default 2048)")
    p.add_argument("--time-limit", type=_seconds, default=None, metavar="SECONDS",
                   help="wall-clock budget of the symbolic derivation and of the "
                        "estimated basin work (default 300 s; report 600 s); basins: "
                        "also of its fixed-point search (default 5 s)")


def _learning_args(p: argparse.ArgumentParser, lam: bool = True, method_required=False) -> None:
    p.add_argument("--method", default=None if method_required else "pg",
                   required=method_required,
                   help="one of: " + ", ".join(method_names()) + " (docs/rules.md)")
    if lam:
        p.add_argument("--lam", type=number, default=PAPER_DEFAULTS.lam,
                       help="shaping coefficient lambda")
    p.add_argument("--eta", type=number, default=PAPER_DEFAULTS.eta,
                   help="inner learning rate eta")
    p.add_argument("--own", type=number, default=PAPER_DEFAULTS.own,
                   help="own-learning coefficient c")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="eqselect", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, required=True)
    _add_derive(sub)
    _add_equilibria(sub)
    _add_basins(sub)
    _add_continue(sub)
    _add_check(sub)
    _add_replay(sub)
    _add_report(sub)
    add_sweep_parser(sub, _game_args, number)
    _add_convert(sub)
    _add_version(parser, sub)
    return parser


def _add_derive(sub) -> None:
    """The ``derive`` subcommand."""
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


def _add_equilibria(sub) -> None:
    """The ``equilibria`` subcommand."""
    e = sub.add_parser("equilibria", help="every fixed point of a method's field")
    _game_args(e)
    _learning_args(e, lam=True)
    e.add_argument("--seeds", type=_positive_int, default=None, metavar="N",
                   help="Newton seeds (default grows with the number of parameters)")
    e.add_argument("--seed", type=_int_in(0, MAX_SEED), default=0, metavar="S",
                   help="numpy seed of the Newton seeds")
    e.add_argument("--budget", type=_seconds, default=5.0, metavar="SECONDS",
                   help="time budget of each exact route")
    e.add_argument("--json", action="store_true", help=_JSON_HELP)
    e.set_defaults(run=cmd_equilibria)


def _assignment(text: str) -> tuple:
    """NAME=VALUE of --fix: a coordinate name and an exact number."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or len(name) > 60:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text[:60]!r}")
    return name.strip(), float(number(value))


def _axes(text: str) -> tuple:
    parts = tuple(p.strip() for p in text.split(","))
    if len(parts) != 2 or not all(parts) or len(text) > 120:
        raise argparse.ArgumentTypeError(f"expected two axes A,B, got {text[:60]!r}")
    return parts


def _add_basins(sub) -> None:
    """The ``basins`` subcommand."""
    b = sub.add_parser("basins", help="basin map of a method: the attractor each start reaches")
    _game_args(b)
    _learning_args(b, lam=True, method_required=True)
    b.add_argument("--grid", type=_int_in(1, MAX_GRID), default=21,
                   help=f"grid points per axis (at most {MAX_GRID})")
    b.add_argument("--steps", type=_int_in(1, MAX_STEPS), default=None,
                   help=f"updates per start (paper schedule, default {PAPER_DEFAULTS.steps}), or "
                        "the time limit in RK4 steps of 0.05 (flow, default 2000; the flow stops "
                        f"as soon as every start has settled); at most {MAX_STEPS}")
    b.add_argument("--schedule", choices=("paper", "flow"), default="paper",
                   help="paper: the paper's clipped step schedule (docs/replay.md); "
                        "flow: integrate the continuous projected flow until it settles")
    b.add_argument("--backend", choices=("numba", "numpy"), default=None,
                   help="stepping kernel: compiled numba (default when installed) or the "
                        "numpy reference")
    b.add_argument("--samples", type=_positive_int, default=None, metavar="N",
                   help="Monte-Carlo basin volumes from N random starts (Wilson intervals) "
                        "instead of a grid")
    b.add_argument("--seed", type=_int_in(0, MAX_SEED), default=0,
                   help=f"seed of --samples (0 to {MAX_SEED})")
    b.add_argument("--axes", type=_axes, default=None, metavar="A,B",
                   help="the two coordinates of a grid slice: parameter names (p1_0, theta2) "
                        "or PLAYER:ACTION probabilities (1:C); None: the game's two "
                        "parameters, or 1:FIRST,2:FIRST for larger games (docs/cli.md)")
    b.add_argument("--fix", type=_assignment, action="append", default=None,
                   metavar="NAME=VALUE",
                   help="hold a coordinate off the axes (repeatable): PLAYER:ACTION=P or a "
                        "parameter; the rest start from the uniform strategy")
    b.add_argument("--preferred", default=None,
                   help="the outcome the fraction counts: payoff-dominant, welfare, a pure "
                        "profile such as C,C, or an index into the attractor list (None: the "
                        "paper's success predicate for the paper schedule when everyone's "
                        "first action is an attractor, else payoff-dominant)")
    b.add_argument("--per-start", action="store_true",
                   help="with --json: every start, its end point and its attractor index")
    b.add_argument("--json", action="store_true", help=_JSON_HELP)
    b.add_argument("--plot", metavar="FILE", help="write the basin map as a PNG")
    b.set_defaults(run=cmd_basins)


def _add_continue(sub) -> None:
    """The ``continue`` subcommand."""
    c = sub.add_parser("continue", help="follow fixed points in lambda (pseudo-arclength)")
    _game_args(c)
    _learning_args(c, lam=False, method_required=True)
    c.add_argument("--lam", type=_range, required=True, metavar="A:B",
                   help="range of the shaping coefficient, e.g. 0:3")
    c.add_argument("--json", action="store_true", help=_JSON_HELP)
    c.add_argument("--plot", metavar="FILE", help="write the bifurcation diagram as a PNG")
    c.set_defaults(run=cmd_continue)


def _add_check(sub) -> None:
    """The ``check`` subcommand."""
    ck = sub.add_parser("check", help="alignment conditions A0-A5 and the paper's statements "
                                      "(docs/alignment.md)")
    _game_args(ck)
    _learning_args(ck, lam=True)
    ck.set_defaults(method="meta-mapg")
    ck.add_argument("--preferred", default="payoff-dominant",
                    help="payoff-dominant (default), welfare, a pure profile such as C,C or "
                         "0,1, or an index into the fixed-point list of v")
    ck_out = ck.add_mutually_exclusive_group()
    ck_out.add_argument("--json", action="store_true", help=_JSON_HELP)
    ck_out.add_argument("--latex", action="store_true",
                        help="print the verdicts in LaTeX: statement, values, meaning, what "
                             "would decide them (a fragment needing amsmath and amssymb)")
    ck.add_argument("--standalone", action="store_true",
                    help="with --latex: a complete document that pdflatex compiles as it is "
                         "(default: a fragment)")
    ck.set_defaults(run=cmd_check)


def _add_replay(sub) -> None:
    """The ``replay`` subcommand."""
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
    r.add_argument("--seed", type=_int_in(0, MAX_SEED), default=0,
                   help=f"seed of the sampled experiments' random streams (0 to {MAX_SEED})")
    r.add_argument("--json", action="store_true", help=_JSON_HELP)
    r.add_argument("--out", metavar="DIR",
                   help="write replay.json, replay.tex and PNG figures (None: nothing written)")
    r.set_defaults(run=cmd_replay, mode="exact")


def _add_report(sub) -> None:
    """The ``report`` subcommand."""
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
    rp.add_argument("--grid", type=_int_in(1, MAX_GRID), default=None,
                    help="basin-map grid points per axis (default 21)")
    rp.add_argument("--steps", type=_int_in(1, MAX_STEPS), default=None,
                    help=f"basin-map updates per start (default {PAPER_DEFAULTS.steps})")
    rp.add_argument("--tikz", action="store_true",
                    help="also write pgfplots .tex beside the bifurcation and phase figures")
    rp.set_defaults(run=cmd_report)


def _add_convert(sub) -> None:
    """The ``convert`` subcommand."""
    cv = sub.add_parser("convert", help="convert a game between .toml, .json and Gambit .nfg")
    cv.add_argument("input", metavar="IN", help="built-in name or a .toml / .json / .nfg file")
    cv.add_argument("output", metavar="OUT", help="file to write; its suffix picks the format")
    cv.set_defaults(run=cmd_convert)


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
    fallback = None if args.input in BUILTINS else "direct"
    game = load_game(args.input, None, fallback=fallback or "logit")
    out = write_game(game, args.output, default_parameterization=fallback or game.parameterization)
    if game.payoff_symbols and out.suffix.lower() == ".nfg":
        names = ", ".join(s.name for s in game.free_symbols)
        print(f"note: symbols {names} replaced by their defaults (.nfg holds numbers)",
              file=sys.stderr)
    print(f"wrote {out}")
    return 0


def _limits_for(args) -> dict:
    """The limits a command runs under: its defaults, then the options."""
    command = args.command
    out = {"command": command,
           "max_params": limits.COMMAND_MAX_PARAMS.get(command, limits.Limits.max_params),
           "time_limit": limits.COMMAND_TIME_LIMIT.get(command)}
    for key in ("max_params", "max_entries", "time_limit"):
        if getattr(args, key, None) is not None:
            out[key] = getattr(args, key)
    return out


def main(argv=None) -> int:
    """Run one command; every failure is one line on stderr (see the module docstring)."""
    previous = signal.signal(signal.SIGTERM, raise_terminated) if _main_thread() else None
    hook = sys.unraisablehook
    if previous is not None:
        sys.unraisablehook = redeliver_swallowed(hook)
    try:
        args, extra = build_parser().parse_known_args(argv)
        if extra:  # named by the subcommand, which is what did not take them
            raise OptionsError(f"eqselect {args.command}: unrecognized arguments: "
                               f"{' '.join(extra)[:200]} (see eqselect {args.command} --help)")
        with limits.using(**_limits_for(args)):
            return args.run(args)
    except EqselectError as exc:
        print(f"eqselect: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(MESSAGE[signal.SIGINT], file=sys.stderr)
        return STATUS[signal.SIGINT]
    except Terminated:
        print(MESSAGE[signal.SIGTERM], file=sys.stderr)
        return STATUS[signal.SIGTERM]
    except BrokenPipeError:
        return 0
    finally:
        sys.unraisablehook = hook
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _one_line(exc) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 600 else text[:597] + "..."


if __name__ == "__main__":
    sys.exit(main())
