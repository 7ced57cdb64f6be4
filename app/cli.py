"""The eqselect command line (contract: docs/cli.md).

Exit status: 0 success; 2 bad input, with one line on stderr; 130 on Ctrl-C
and 143 on SIGTERM, with one line and the previous output left intact;
1 internal failure, a file system that refused a write (full, read-only), or
numerical trouble (one line naming where).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import re
import signal
import sys

from eqselect.signals import (
    RUNNING, Terminated, after_command, command_handlers, redeliver_swallowed, say)

# Nothing heavier than argparse is imported here: ``eqselect --version`` and
# ``eqselect --help`` build no subcommand's options, and a subcommand's options
# (their exact defaults, the method names) are built, with the modules they
# need, only when that subcommand is named (`build_parser`).


#: A help text's own statement of its default: "(default 2048)", "(default: pg)".
_OWN_DEFAULT = re.compile(r"\(default:? (?=\S)")


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows every optional argument's default, exact numbers as decimals (0.55);
    once where the help states it already; an on/off flag's as "off" (``--json``,
    ``--no-verdicts``: the flag is the value, not its destination's); lines never
    broken inside a hyphenated name."""

    def _split_lines(self, text, width):
        # a method or option name is never broken at its hyphen ("peer-only", "sga-fixed")
        import textwrap

        return textwrap.wrap(self._whitespace_matcher.sub(" ", text).strip(), width,
                             break_on_hyphens=False)

    def _get_help_string(self, action):
        text = action.help or ""
        if action.required or action.default is argparse.SUPPRESS or not action.option_strings:
            return text
        if _OWN_DEFAULT.search(text):
            # the text states the default in its own words ("default 5 s", "one per
            # core"): argparse's value (often None, resolved later) would contradict it
            return _OWN_DEFAULT.sub("(default: ", text)
        if "default" in text.lower():  # in other words still ("the default mode")
            return text
        if action.nargs == 0 and isinstance(action.const, bool):
            return f"{text} (default: off)"  # an on/off flag: the flag is the value
        value = action.default
        if getattr(value, "is_Rational", False) and not value.is_Integer:
            import sympy as sp  # an exact default: its module is loaded already

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
        from eqselect.theory.errors import OptionsError

        raise OptionsError(f"{self.prog}: {message}")


def _bind(p: argparse.ArgumentParser, module: str) -> None:
    """Run ``eqselect.commands.<module>.run`` for the subcommand ``p``; the module
    is imported only when its subcommand runs (``--version`` and ``--help`` stay
    light)."""
    p.set_defaults(run=functools.partial(_run, module))


def _run(module: str, args) -> int:
    return importlib.import_module(f"eqselect.commands.{module}").run(args)


#: Every subcommand: the module of `eqselect.commands` that runs it, and its one-line help.
SUBCOMMANDS = {
    "derive": ("derive", "closed-form cur / own / peer / look-ahead terms"),
    "equilibria": ("equilibria", "every fixed point of a method's field"),
    "basins": ("basins", "basin map of a method: the attractor each start reaches"),
    "continue": ("continuation", "follow fixed points in lambda (pseudo-arclength)"),
    "check": ("check", "alignment conditions A0-A5 and the paper's statements "
                       "(docs/alignment.md)"),
    "replay": ("replay", "replay the paper's experiments"),
    "report": ("report", "the main job: everything for one game, as LaTeX, PNG, JSON"),
    "select": ("select", "the outcome each method reaches from one start"),
    "sweep": ("sweep", "selection atlas: basins and fixed points over a grid of payoff "
                       "values and lambda (on dask)"),
    "convert": ("convert", "convert a game between .toml, .json and Gambit .nfg"),
}


def build_parser(commands=None) -> argparse.ArgumentParser:
    """The parser; only the subcommands in ``commands`` get their arguments (None: all).

    The top level (``--help``, ``--version`` and the list of subcommands) needs
    nothing but argparse; the arguments of a subcommand come from
    `eqselect.arguments`, imported when one is built.
    """
    parser = _Parser(prog="eqselect", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, required=True)
    built = []
    for name, (module, text) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=text)
        if commands is None or name in commands:
            from eqselect.arguments import ARGUMENTS

            ARGUMENTS[name](p)
            _bind(p, module)
            built.append(p)
    _add_version(parser, built)
    return parser


#: An option's value that argparse would take for an option: a negative fraction or
#: range or list ("-1/2", "-1:2", "-0.5,0.5"); argparse itself takes only "-1" and "-0.5".
_NEGATIVE_VALUE = re.compile(r"-\d[\d./:,]*\Z")


def negative_values_attached(argv: list) -> list:
    """``--lam -1:2`` as ``--lam=-1:2``: a long option followed by a negative number,
    fraction or range gets it as its value (argparse would read ``-1:2`` as an
    unknown option and say the option expected an argument).

    Examples
    --------
    >>> negative_values_attached(["continue", "g", "--lam", "-1:2", "--eta", "1/2"])
    ['continue', 'g', '--lam=-1:2', '--eta', '1/2']
    """
    out, k = [], 0
    while k < len(argv):
        token = argv[k]
        if (token.startswith("--") and "=" not in token and k + 1 < len(argv)
                and _NEGATIVE_VALUE.match(argv[k + 1])):
            out.append(f"{token}={argv[k + 1]}")
            k += 2
            continue
        out.append(token)
        k += 1
    return out


def _named_command(argv) -> str | None:
    """The subcommand argv names: its first word that is not an option (the top
    level takes no option with a value)."""
    return next((a for a in argv if not a.startswith("-")), None)


def _add_version(parser, subparsers) -> None:
    """``--version`` on the top-level parser and on every subcommand built."""
    import eqselect

    version = f"eqselect {eqselect.__version__}"
    for p in (parser, *subparsers):
        p.add_argument("--version", action="version", version=version,
                       help="print the package version and exit")


def _limits_for(args, limits) -> dict:
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
    hook, saved = sys.unraisablehook, {}
    try:
        saved = command_handlers()  # before the command's modules are imported
        if saved:
            sys.unraisablehook = redeliver_swallowed(hook)
        return _command(sys.argv[1:] if argv is None else list(argv))
    except KeyboardInterrupt:  # also one raised while an error line was printed
        return say(signal.SIGINT)
    except Terminated:
        return say(signal.SIGTERM)
    finally:
        RUNNING[0] = False  # a plain store, before any call: a later signal ends the process
        sys.unraisablehook = hook
        after_command(saved)


def _command(argv) -> int:
    """Parse and run; bad input and file system errors as one line and a status."""
    try:
        argv = negative_values_attached(argv)
        args, extra = build_parser([_named_command(argv)]).parse_known_args(argv)
        from eqselect.theory import limits
        from eqselect.theory.errors import OptionsError

        if extra:  # named by the subcommand, which is what did not take them
            raise OptionsError(f"eqselect {args.command}: unrecognized arguments: "
                               f"{' '.join(extra)[:200]} (see eqselect {args.command} --help)")
        from eqselect.float_warnings import summarised_float_warnings

        with limits.using(**_limits_for(args, limits)), summarised_float_warnings():
            code = args.run(args)
            sys.stdout.flush()  # a full disk under stdout is one line too
            return code
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file system error no writer turned into an OutputError
        from eqselect.output import os_error_line, os_error_status

        print(f"eqselect: error: {_one_line(os_error_line(exc))}", file=sys.stderr)
        return os_error_status(exc)
    except Exception as exc:
        if _numerical(exc):
            print(f"eqselect: error: {_one_line(_numerical_trouble(exc))}", file=sys.stderr)
            return 1
        if not _bad_input(exc):
            raise
        print(f"eqselect: error: {_one_line(exc)}", file=sys.stderr)
        return exc.status


def _bad_input(exc) -> bool:
    """Whether exc is an `EqselectError` (bad input: status 2). Its module is
    looked up, not imported: an instance exists only once the module has been."""
    errors = sys.modules.get("eqselect.theory.errors")
    return errors is not None and isinstance(exc, errors.EqselectError)


def _numerical(exc) -> bool:
    """Whether exc is numerical trouble: a float overflow, a floating-point
    error numpy was told to raise, or linear algebra on a matrix that is
    singular or holds infinities (numpy's module is looked up, not imported)."""
    if isinstance(exc, (OverflowError, FloatingPointError)):
        return True
    linalg = sys.modules.get("numpy.linalg")
    return linalg is not None and isinstance(exc, linalg.LinAlgError)


def _numerical_trouble(exc: Exception) -> str:
    """The line for numerical trouble, with the eqselect function where it
    arose. Its usual cause: payoffs near the 10^300 limit whose products in a
    Jacobian or a shaped field pass the largest double, 1.8e308."""
    where, tb = None, exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_globals.get("__name__", "")
        if name.startswith("eqselect"):
            where = f"{name}.{tb.tb_frame.f_code.co_qualname.split('.<locals>')[0]}"
        tb = tb.tb_next
    return (f"numerical trouble{f' in {where}' if where else ''}: {type(exc).__name__}: "
            f"{exc}; a number of this computation left double precision (past about "
            "1.8e308, or not finite): rescale the payoffs or the options (if they are of "
            "ordinary size, please report this with the command line)")


def _one_line(exc) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 600 else text[:597] + "..."


if __name__ == "__main__":
    sys.exit(main())
