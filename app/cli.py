"""The ``eqselect`` command line (contract: docs/cli.md).

Exit status: 0 success; 2 bad input, with one line on stderr; 130 on Ctrl-C
and 143 on SIGTERM, with one line and the previous output left intact;
1 internal failure.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import signal
import sys
import threading

from eqselect.signals import (
    MESSAGE, STATUS, Terminated, raise_terminated, redeliver_swallowed, start_import_guard,
    stop_import_guard)

_SAVED = start_import_guard()  # the imports below take about a second

import sympy as sp  # noqa: E402

from eqselect.options import (  # noqa: E402
    MAX_GRID, MAX_SEED, MAX_STEPS, assignment, axes, int_in, lam_range, number, positive_int,
    seconds)
from eqselect.theory import limits  # noqa: E402
from eqselect.theory.errors import EqselectError, OptionsError  # noqa: E402
from eqselect.theory.rules import PAPER as PAPER_DEFAULTS  # noqa: E402
from eqselect.theory.rules import method_names  # noqa: E402
from eqselect.theory.serialize import package_version  # noqa: E402

stop_import_guard(_SAVED)

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


def _bind(p: argparse.ArgumentParser, module: str) -> None:
    """Run ``eqselect.commands.<module>.run`` for the subcommand ``p``; the module
    is imported only when its subcommand runs (``--version`` and ``--help`` stay
    light)."""
    p.set_defaults(run=functools.partial(_run, module))


def _run(module: str, args) -> int:
    return importlib.import_module(f"eqselect.commands.{module}").run(args)


def _game_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("game", help="built-in name or a .toml / .json / .nfg file")
    p.add_argument("--param", default=None,
                   help="parameterisation: direct, logit or softmax (None: logit, or the "
                        "game file's own)")
    p.add_argument("--tau", type=number, default=None,
                   help="entropy temperature (None: no regularisation)")
    p.add_argument("--max-params", type=positive_int, default=None, metavar="D",
                   help="refuse games with more policy parameters (default per command: "
                        "derive/report 16, equilibria/continue 10; docs/limits.md)")
    p.add_argument("--max-entries", type=positive_int, default=None, metavar="E",
                   help="refuse normal-form games with more payoff entries (default 2048)")
    p.add_argument("--time-limit", type=seconds, default=None, metavar="SECONDS",
                   help="wall-clock budget of the symbolic derivation and of the "
                        "estimated basin work (default 300 s; report 600 s); basins: "
                        "also of its fixed-point search (default 5 s)")


def _learning_args(p: argparse.ArgumentParser, lam: bool = True, method_required=False,
                   method_nargs=None) -> None:
    p.add_argument("--method", default=None if method_required else "pg",
                   required=method_required, nargs=method_nargs,
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
    _add_select(sub)
    _add_sweep(sub)
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
    _bind(d, "derive")


def _add_equilibria(sub) -> None:
    """The ``equilibria`` subcommand."""
    e = sub.add_parser("equilibria", help="every fixed point of a method's field")
    _game_args(e)
    _learning_args(e, lam=True)
    e.add_argument("--seeds", type=positive_int, default=None, metavar="N",
                   help="Newton seeds (default grows with the number of parameters)")
    e.add_argument("--seed", type=int_in(0, MAX_SEED), default=0, metavar="S",
                   help="numpy seed of the Newton seeds")
    e.add_argument("--budget", type=seconds, default=5.0, metavar="SECONDS",
                   help="time budget of each exact route")
    e.add_argument("--json", action="store_true", help=_JSON_HELP)
    _bind(e, "equilibria")


def _add_basins(sub) -> None:
    """The ``basins`` subcommand."""
    b = sub.add_parser("basins", help="basin map of a method: the attractor each start reaches")
    _game_args(b)
    _learning_args(b, lam=True, method_required=True, method_nargs="+")
    b.add_argument("--compare", action="store_true",
                   help="with two --method values: both maps from the same starts, the "
                        "share each reaches, and (--plot) their overlay and difference map")
    b.add_argument("--grid", type=int_in(1, MAX_GRID), default=21,
                   help=f"grid points per axis (at most {MAX_GRID})")
    b.add_argument("--steps", type=int_in(1, MAX_STEPS), default=None,
                   help=f"updates per start (paper schedule, default {PAPER_DEFAULTS.steps}), or "
                        "the time limit in RK4 steps of 0.05 (flow, default 2000; the flow stops "
                        f"as soon as every start has settled); at most {MAX_STEPS}")
    b.add_argument("--schedule", choices=("paper", "flow"), default="paper",
                   help="paper: the paper's clipped step schedule (docs/replay.md); "
                        "flow: integrate the continuous projected flow until it settles")
    b.add_argument("--backend", choices=("numba", "numpy"), default=None,
                   help="stepping kernel: compiled numba (default when installed) or the "
                        "numpy reference")
    b.add_argument("--samples", type=positive_int, default=None, metavar="N",
                   help="Monte-Carlo basin volumes from N random starts (Wilson intervals) "
                        "instead of a grid")
    b.add_argument("--seed", type=int_in(0, MAX_SEED), default=0,
                   help=f"seed of --samples (0 to {MAX_SEED})")
    b.add_argument("--axes", type=axes, default=None, metavar="A,B",
                   help="the two coordinates of a grid slice: parameter names (p1_0, theta2) "
                        "or PLAYER:ACTION probabilities (1:C); None: the game's two "
                        "parameters, or 1:FIRST,2:FIRST for larger games (docs/cli.md)")
    b.add_argument("--fix", type=assignment, action="append", default=None,
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
    _bind(b, "basins")


def _add_continue(sub) -> None:
    """The ``continue`` subcommand."""
    c = sub.add_parser("continue", help="follow fixed points in lambda (pseudo-arclength)")
    _game_args(c)
    _learning_args(c, lam=False, method_required=True)
    c.add_argument("--lam", type=lam_range, required=True, metavar="A:B",
                   help="range of the shaping coefficient, e.g. 0:3")
    c.add_argument("--json", action="store_true", help=_JSON_HELP)
    c.add_argument("--plot", metavar="FILE", help="write the bifurcation diagram as a PNG")
    _bind(c, "continuation")


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
    _bind(ck, "check")


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
    r.add_argument("--seed", type=int_in(0, MAX_SEED), default=0,
                   help=f"seed of the sampled experiments' random streams (0 to {MAX_SEED})")
    r.add_argument("--json", action="store_true", help=_JSON_HELP)
    r.add_argument("--out", metavar="DIR",
                   help="write replay.json, replay.tex and PNG figures (None: nothing written)")
    r.set_defaults(mode="exact")
    _bind(r, "replay")


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
    rp.add_argument("--lam-range", type=lam_range, default=None, metavar="A:B",
                    help="continuation window in lambda (default 0:3)")
    rp.add_argument("--grid", type=int_in(1, MAX_GRID), default=None,
                    help="basin-map grid points per axis (default 21)")
    rp.add_argument("--steps", type=int_in(1, MAX_STEPS), default=None,
                    help=f"basin-map updates per start (default {PAPER_DEFAULTS.steps})")
    rp.add_argument("--tikz", action="store_true",
                    help="also write pgfplots .tex beside the bifurcation and phase figures")
    rp.add_argument("--full-terms", action="store_true",
                    help="print every value and term in full (LaTeX up to 5000 operations "
                         "each, all of them in terms.txt) instead of summarising large ones")
    rp.add_argument("--axes", type=axes, default=None, metavar="A,B",
                    help="the basin slice's two coordinates for games with more than two "
                         "parameters, as in eqselect basins (None: 1:FIRST,2:FIRST)")
    rp.add_argument("--fix", type=assignment, action="append", default=None,
                    metavar="NAME=VALUE",
                    help="hold a coordinate off the slice's axes (repeatable), as in "
                         "eqselect basins; the rest start from the uniform strategy")
    rp.add_argument("--json", action="store_true",
                    help="print report.json on stdout instead of the summary (the folder "
                         "is written as well)")
    _bind(rp, "report")


def _add_select(sub) -> None:
    """The ``select`` subcommand."""
    sl = sub.add_parser("select", help="the outcome each method reaches from one start")
    _game_args(sl)
    sl.add_argument("--start", required=True, metavar="P1,P2,...",
                    help="the start: one probability per parameter (as the basin maps use)")
    sl.add_argument("--method", action="extend", nargs="+", default=None, metavar="M",
                    help="one or more of: " + ", ".join(method_names())
                         + " (default: pg peer-only meta-mapg)")
    sl.add_argument("--lam", type=number, default=PAPER_DEFAULTS.lam,
                    help="shaping coefficient lambda")
    sl.add_argument("--eta", type=number, default=PAPER_DEFAULTS.eta,
                    help="inner learning rate eta")
    sl.add_argument("--own", type=number, default=PAPER_DEFAULTS.own,
                    help="own-learning coefficient c")
    sl.add_argument("--steps", type=int_in(1, MAX_STEPS), default=PAPER_DEFAULTS.steps,
                    help="updates of the paper's schedule")
    sl.add_argument("--plot", metavar="FILE", help="write the trajectories as a PNG")
    sl.add_argument("--json", action="store_true", help=_JSON_HELP)
    _bind(sl, "select")


def _add_sweep(sub) -> None:
    """The ``sweep`` subcommand."""
    s = sub.add_parser("sweep", help="selection atlas: basins and fixed points over a grid "
                                     "of payoff values and lambda (on dask)")
    _game_args(s)
    s.add_argument("--over", action="append", required=True, metavar="SYMBOL=A:B:N",
                   help="a payoff symbol and N values from A to B (once or twice)")
    s.add_argument("--lam", required=True, metavar="A:B:N",
                   help="N values of the shaping coefficient lambda from A to B")
    s.add_argument("--method", action="extend", nargs="+", default=None, metavar="M",
                   help="one or more of pg, meta-pg, peer-only, meta-mapg, lookahead, lola "
                        "(default: pg)")
    s.add_argument("--eta", type=number, default=PAPER_DEFAULTS.eta,
                   help=f"inner learning rate (default {float(PAPER_DEFAULTS.eta):g})")
    s.add_argument("--own", type=number, default=PAPER_DEFAULTS.own,
                   help=f"own-learning coefficient (default {float(PAPER_DEFAULTS.own):g})")
    s.add_argument("--grid", type=int, default=21, help="basin starts per axis (default 21)")
    s.add_argument("--steps", type=int, default=PAPER_DEFAULTS.steps,
                   help=f"updates per start (default {PAPER_DEFAULTS.steps})")
    s.add_argument("--schedule", choices=("paper", "flow"), default="paper",
                   help="the paper's discrete schedule (default) or the projected flow")
    s.add_argument("--chunk", type=int, default=16, help="cells per task (default 16)")
    s.add_argument("--workers", type=int, default=None,
                   help="LocalCluster worker processes (default: one per core; 0: serial)")
    s.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="address of an existing dask scheduler (instead of a LocalCluster)")
    s.add_argument("--out", metavar="DIR", default=None,
                   help="output folder, resumable (default: sweep-GAME)")
    s.add_argument("--preferred", default="payoff-dominant",
                   metavar="payoff-dominant|welfare|PROFILE|N",
                   help="the preferred equilibrium P of the alignment verdicts, as in "
                        "eqselect check (default payoff-dominant)")
    s.add_argument("--no-verdicts", dest="verdicts", action="store_false",
                   help="skip the alignment verdicts A1-A3 (docs/sweep.md)")
    s.add_argument("--verdict-seconds", type=float, default=None, metavar="S",
                   help="wall-clock budget of one cell's verdicts; past it they are null "
                        "with the reason (default 30)")
    s.add_argument("--json", action="store_true", help="print a JSON summary, no progress")
    _bind(s, "sweep")


def _add_convert(sub) -> None:
    """The ``convert`` subcommand."""
    cv = sub.add_parser("convert", help="convert a game between .toml, .json and Gambit .nfg")
    cv.add_argument("input", metavar="IN", help="built-in name or a .toml / .json / .nfg file")
    cv.add_argument("output", metavar="OUT", help="file to write; its suffix picks the format")
    cv.add_argument("--allow-lossy", action="store_true",
                    help="write even when OUT's format cannot hold the whole game (a repeated "
                         "game, payoff symbols or tau in .nfg); a note names what is lost")
    _bind(cv, "convert")


_JSON_HELP = "print one JSON document on stdout (schema in docs/cli.md)"


def _add_version(parser, sub) -> None:
    """``--version`` on the top-level parser and on every subcommand."""
    version = f"eqselect {package_version()}"
    for p in (parser, *sub.choices.values()):
        p.add_argument("--version", action="version", version=version,
                       help="print the package version and exit")


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
