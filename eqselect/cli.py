"""The ``eqselect`` command line (contract: DESIGN.md, "Command-line contract").

Exit status: 0 success; 2 bad input, with one line on stderr; 1 internal failure.
"""

from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction

import symengine as se
import sympy as sp

from .theory import engine
from .theory import Decomposition, GameError, entropy_regularized
from .theory.engine import tidy
from .theory.exact import to_exact
from .games import load_game


class UsageError(Exception):
    """Bad command-line input (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one clear line, status 2
        raise UsageError(f"{self.prog}: {message}")


def number(text: str) -> sp.Expr:
    """An exact number from a decimal or fraction literal ("0.55", "2/3").

    Parsed with ``fractions.Fraction``: nothing else is accepted.
    """
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    return to_exact(value)


def _game_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("game", help="built-in name or a .toml / .json / .nfg file")
    p.add_argument("--param", default=None, help="direct, logit (default) or softmax")
    p.add_argument("--tau", type=number, default=None, help="entropy temperature")


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
    return parser


def prepare_game(args, symbolic: bool = False):
    """The game named on the command line, with --param and --tau applied."""
    game = load_game(args.game, args.param, symbolic=symbolic)
    if args.tau is not None:
        game = entropy_regularized(game, args.tau)
    return game


def cmd_derive(args) -> int:
    if args.standalone and not args.latex:
        raise UsageError("eqselect derive: --standalone needs --latex")
    game = prepare_game(args, symbolic=args.symbolic)
    dec = Decomposition(game, eta=args.eta)
    if args.latex:
        sys.stdout.write(dec.latex(standalone=args.standalone))
        return 0
    doc = derive_json(dec)
    if args.json:
        print(json.dumps(doc))
        return 0
    print(f"{game.name} ({game.parameterization}); parameters {', '.join(doc['parameters'])}")
    for i, value in enumerate(doc["values"]):
        print(f"J{i + 1} = {value}")
    for name, exprs in doc["components"].items():
        for sym, e in zip(doc["parameters"], exprs):
            print(f"{name}[{sym}] = {e}")
    return 0


#: Above this many operations (all components together) expressions are
#: written with shared subexpressions: the discounted IPD's components are
#: ~300 MB as flat strings and ~70 kB after common-subexpression elimination.
FLAT_JSON_MAX_OPS = 20000


def derive_json(dec: Decomposition) -> dict:
    """The contract's ``derive --json`` object.

    Large games get an extra key ``"subexpressions"``: a list of
    ``[name, expression]`` pairs, each expression in the parameters and the
    names before it, that the values and components refer to.
    """
    game = dec.game
    names = ("cur", "own", "peer", "lookahead")
    exprs = [engine.to_engine(v) for v in game.values] + [
        e for name in names for e in dec._parts[name]]
    extra = {}
    if sum(se.count_ops(e) for e in exprs) > FLAT_JSON_MAX_OPS:
        reps, reduced = se.cse(exprs)
        extra["subexpressions"] = [[str(k), str(v)] for k, v in reps]
        strings = [str(e) for e in reduced]
    else:
        strings = [str(tidy(engine.to_sympy(e))) for e in exprs]
    n, d = game.n_agents, len(game.parameters)
    comps = {name: strings[n + k * d:n + (k + 1) * d] for k, name in enumerate(names)}
    return {
        "game": game.name,
        "parameterization": game.parameterization,
        "parameters": [s.name for s in game.parameters],
        "agents": [[s.name for s in block] for block in game.agents],
        "values": strings[:n],
        "components": comps,
        **extra,
        "eta": str(dec.eta),
        "payoff_symbols": {s.name: str(v) for s, v in game.payoff_symbols.items()},
        "certified": "exact",
    }


def main(argv=None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return args.run(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except GameError as exc:
        print(f"eqselect: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
