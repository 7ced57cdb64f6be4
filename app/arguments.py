"""The arguments of every ``eqselect`` subcommand (contract: docs/cli.md).

`eqselect.cli` builds the top-level parser and imports this module only
when a subcommand is named, with the exact defaults (sympy numbers) and the
method registry it reads: ``eqselect --version`` and ``eqselect --help``
import neither. `ARGUMENTS` maps a subcommand to the function that adds its
arguments to its parser.
"""

from __future__ import annotations

import argparse

from eqselect.options import (
    BASIN_GRID, MAX_GRID, MAX_SEED, MAX_STEPS, assignment, axes, int_in, lam_range, number, positive_int,
    seconds)
from eqselect.theory.rules import PAPER as PAPER_DEFAULTS
from eqselect.theory.rules import method_names

_JSON_HELP = "print one JSON document on stdout (schema in docs/cli.md)"


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


def derive(d: argparse.ArgumentParser) -> None:
    """The ``derive`` subcommand's arguments."""
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


def equilibria(e: argparse.ArgumentParser) -> None:
    """The ``equilibria`` subcommand's arguments."""
    _game_args(e)
    _learning_args(e, lam=True)
    e.add_argument("--seeds", type=positive_int, default=None, metavar="N",
                   help="Newton seeds (default grows with the number of parameters)")
    e.add_argument("--seed", type=int_in(0, MAX_SEED), default=0, metavar="S",
                   help="numpy seed of the Newton seeds")
    e.add_argument("--budget", type=seconds, default=5.0, metavar="SECONDS",
                   help="time budget of each exact route")
    e.add_argument("--json", action="store_true", help=_JSON_HELP)


def basins(b: argparse.ArgumentParser) -> None:
    """The ``basins`` subcommand's arguments."""
    _game_args(b)
    _learning_args(b, lam=True, method_required=True, method_nargs="+")
    b.add_argument("--compare", action="store_true",
                   help="with two --method values: both maps from the same starts, the "
                        "share each reaches, and (--plot) their overlay and difference map")
    b.add_argument("--grid", type=int_in(1, MAX_GRID), default=None,
                   help=f"grid points per axis (default {BASIN_GRID}, at most {MAX_GRID}); "
                        "not with --samples")
    b.add_argument("--steps", type=int_in(1, MAX_STEPS), default=None,
                   help=f"updates per start (paper schedule, default {PAPER_DEFAULTS.steps}), or "
                        "the time limit in RK4 steps of 0.05 (flow, default 2000; the flow stops "
                        f"as soon as every start has settled); at most {MAX_STEPS}")
    b.add_argument("--schedule", choices=("paper", "flow"), default="paper",
                   help="paper: the paper's clipped step schedule (docs/replay.md); "
                        "flow: integrate the continuous projected flow until it settles")
    b.add_argument("--backend", choices=("auto", "numba", "numpy"), default=None,
                   help="stepping kernel: compiled numba, the numpy reference, or auto "
                        "(None: auto, numba where the work pays for loading it, numpy for "
                        "small maps of small games; the JSON's \"kernel\" names the one that ran)")
    b.add_argument("--precision", choices=("float64", "float32"), default="float64",
                   help="floating-point type of the compiled kernel (float32: twice the "
                        "starts per vector; the notes count the sampled starts whose outcome "
                        "differs from float64)")
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


def continue_(c: argparse.ArgumentParser) -> None:
    """The ``continue`` subcommand's arguments."""
    _game_args(c)
    _learning_args(c, lam=False, method_required=True)
    c.add_argument("--lam", type=lam_range, required=True, metavar="A:B",
                   help="range of the shaping coefficient, e.g. 0:3")
    c.add_argument("--json", action="store_true", help=_JSON_HELP)
    c.add_argument("--plot", metavar="FILE", help="write the bifurcation diagram as a PNG")


def check(ck: argparse.ArgumentParser) -> None:
    """The ``check`` subcommand's arguments."""
    _game_args(ck)
    _learning_args(ck, lam=True)
    ck.set_defaults(method="meta-mapg")
    ck.add_argument("--preferred", default="payoff-dominant",
                    help="payoff-dominant (default), welfare, a pure profile such as C,C or "
                         "0,1, or an index into the fixed-point list of v")
    ck.add_argument("--samples", type=int, default=None, metavar="N",
                    help="paired starts of the outcome route: statistical A3, A5 for "
                         "outcomes, the selection effect (default 4000 for games of up to "
                         "four parameters, 2000 above)")
    ck_out = ck.add_mutually_exclusive_group()
    ck_out.add_argument("--json", action="store_true", help=_JSON_HELP)
    ck_out.add_argument("--latex", action="store_true",
                        help="print the verdicts in LaTeX: statement, values, meaning, what "
                             "would decide them (a fragment needing amsmath and amssymb)")
    ck.add_argument("--standalone", action="store_true",
                    help="with --latex: a complete document that pdflatex compiles as it is "
                         "(default: a fragment)")


def replay(r: argparse.ArgumentParser) -> None:
    """The ``replay`` subcommand's arguments."""
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
    r.add_argument("--protocol", choices=("eqselect", "authors"), default="eqselect",
                   help="eqselect: one random stream per experiment; authors: the paper "
                        "authors' seeds, batch sizes, counting and step totals, one stream "
                        "per run (docs/replay.md; default eqselect)")
    r.add_argument("--count-from", type=int, choices=(0, 1), default=None,
                   help="number of the state after the first update in the peer sweep's "
                        "first hit (default: the protocol's, eqselect 1, authors 0)")
    r.add_argument("--start-hit", choices=("counts", "skipped"), default=None,
                   help="a start already in the success region: a first hit at 0, or not "
                        "tested (default: the protocol's, eqselect counts, authors skipped)")
    r.add_argument("--sensitivity", action="store_true",
                   help="also measure the share of IPD runs whose outcome flips when the "
                        "start moves by 1e-12 (ablation and restarts)")
    r.add_argument("--json", action="store_true", help=_JSON_HELP)
    r.add_argument("--out", metavar="DIR",
                   help="write replay.json, replay.tex and PNG figures (None: nothing written)")
    r.set_defaults(mode="exact")


def report(rp: argparse.ArgumentParser) -> None:
    """The ``report`` subcommand's arguments."""
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
    rp.add_argument("--samples", type=positive_int, default=None, metavar="N",
                    help="a game on a graph: random starts of each basin map (default 2000; "
                         "docs/networks.md)")
    rp.add_argument("--json", action="store_true",
                    help="print report.json on stdout instead of the summary (the folder "
                         "is written as well)")


def select(sl: argparse.ArgumentParser) -> None:
    """The ``select`` subcommand's arguments."""
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


def sweep(s: argparse.ArgumentParser) -> None:
    """The ``sweep`` subcommand's arguments."""
    _game_args(s)
    s.add_argument("--over", action="append", default=[], metavar="SYMBOL=A:B:N",
                   help="a payoff symbol (or graph argument) and N values from A to B "
                        "(once or twice, with --graphs at most once)")
    s.add_argument("--graphs", default=None, metavar="SPEC;SPEC;...",
                   help="graph specs swept as the axis 'graph' of a game on a graph, e.g. "
                        "'ring:100;grid:10x10' (replaces the file's graph; docs/networks.md)")
    s.add_argument("--lam", required=True, metavar="A:B:N",
                   help="N values of the shaping coefficient lambda from A to B")
    s.add_argument("--method", action="extend", nargs="+", default=None, metavar="M",
                   help="one or more of pg, meta-pg, peer-only, meta-mapg, lookahead, lola "
                        "(default: pg)")
    s.add_argument("--eta", type=number, default=PAPER_DEFAULTS.eta,
                   help=f"inner learning rate (default {float(PAPER_DEFAULTS.eta):g})")
    s.add_argument("--own", type=number, default=PAPER_DEFAULTS.own,
                   help=f"own-learning coefficient (default {float(PAPER_DEFAULTS.own):g})")
    s.add_argument("--grid", type=int_in(1, MAX_GRID), default=21,
                   help="basin starts per axis (default 21)")
    s.add_argument("--steps", type=int_in(1, MAX_STEPS), default=PAPER_DEFAULTS.steps,
                   help=f"updates per start (default {PAPER_DEFAULTS.steps})")
    s.add_argument("--schedule", choices=("paper", "flow"), default="paper",
                   help="the paper's discrete schedule (default) or the projected flow")
    s.add_argument("--chunk", type=int_in(1, 100_000), default=16,
                   help="cells per stored chunk (default 16); tasks group chunks by measured work")
    s.add_argument("--workers", type=int_in(0, 4096), default=None,
                   help="LocalCluster worker processes, at most one per core "
                        "(default: one per core; 0: serial)")
    s.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="address of an existing dask scheduler (instead of a LocalCluster)")
    s.add_argument("--local-cluster", action="store_true",
                   help="run on a dask LocalCluster (what the sweep does without --scheduler "
                        "or --workers 0; refused with either)")
    s.add_argument("--connect-timeout", type=seconds, default=None, metavar="SECONDS",
                   help="seconds to reach the scheduler and to see a worker (default 10)")
    s.add_argument("--max-cells", type=int_in(1, 10**7), default=None, metavar="N",
                   help="refuse sweeps of more cells, counted before any value is built "
                        "(default 1000000; docs/sweep.md)")
    s.add_argument("--out", metavar="DIR", default=None,
                   help="output folder, resumable (default: sweep-GAME)")
    s.add_argument("--preferred", default="payoff-dominant",
                   metavar="payoff-dominant|welfare|PROFILE|N",
                   help="the preferred equilibrium P of the alignment verdicts, as in "
                        "eqselect check (default payoff-dominant)")
    s.add_argument("--no-verdicts", dest="verdicts", action="store_false",
                   help="skip the alignment verdicts A1-A3 (docs/sweep.md)")
    s.add_argument("--verdict-seconds", type=seconds, default=None, metavar="S",
                   help="wall-clock budget of one cell's verdicts; past it they are null "
                        "with the reason (default 30)")
    s.add_argument("--json", action="store_true", help="print a JSON summary, no progress")


def convert(cv: argparse.ArgumentParser) -> None:
    """The ``convert`` subcommand's arguments."""
    cv.add_argument("input", metavar="IN", help="built-in name or a .toml / .json / .nfg file")
    cv.add_argument("output", metavar="OUT", help="file to write; its suffix picks the format")
    cv.add_argument("--allow-lossy", action="store_true",
                    help="write even when OUT's format cannot hold the whole game (a repeated "
                         "game, payoff symbols or tau in .nfg); a note names what is lost")


#: The function adding each subcommand's arguments.
ARGUMENTS = {"derive": derive, "equilibria": equilibria, "basins": basins,
             "continue": continue_, "check": check, "replay": replay, "report": report,
             "select": select, "sweep": sweep, "convert": convert}
