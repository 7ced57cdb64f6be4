"""What several subcommands share: the game they run on and the inputs they record.

`prepare_game` loads the command line's game (a built-in name or a file) with
``--param`` and ``--tau`` applied and the parameter limit checked;
`numeric_decomposition` is its decomposition at numeric payoffs for the
numeric commands; `command_inputs` is the ``"inputs"`` block of a JSON
document (every option as given); `check_basin_options` and
`check_seeds_option` estimate the work the options ask for
(`eqselect.theory.validate`, limits in `eqselect.theory.budget`) before any.
"""

from __future__ import annotations

from eqselect.options import distinct_fixes
from eqselect.theory import Decomposition, Method, entropy_regularized, limits, validate
from eqselect.theory.games.entropy import without_entropy
from eqselect.theory.io.resolve import load_game


def prepare_game(args, symbolic: bool = False):
    """The game named on the command line, with --param and --tau applied,
    refused if it has more parameters than the command handles."""
    game = load_game(args.game, args.param, symbolic=symbolic)
    limits.check_parameters(len(game.parameters), f"game {game.name[:60]!r}")
    if args.tau is not None:  # --tau wins over a game file's tau
        game = entropy_regularized(without_entropy(game), args.tau)
    return game


def numeric_decomposition(args) -> Decomposition:
    """The decomposition at numeric payoffs and eta, for the numeric commands."""
    game = prepare_game(args).substitute()
    Method.parse(args.method)
    return Decomposition(game, eta=args.eta)


def check_basin_options(args, steps: int, dim: int = 2, methods: int = 1) -> None:
    """Refuse repeated ``--fix`` names and a basin run past the work limits.

    The starts are ``--samples`` or ``--grid`` squared (a grid or a two-axis
    slice); ``dim`` is the game's number of parameters, or 2 (the least)
    before the game is derived, so the estimate made from the options alone
    never refuses what the exact one would accept.
    """
    distinct_fixes(getattr(args, "fix", None))
    samples = getattr(args, "samples", None)
    starts = samples if samples is not None else args.grid ** 2
    option = "--samples or --steps" if samples is not None else "--grid or --steps"
    validate.check_basin_work(starts, steps, dim, methods, option)


def check_seeds_option(args, dim: int = 1) -> None:
    """Refuse ``--seeds`` past the limit or past the time limit (``dim``: the game's
    number of parameters, or 1 before the game is derived)."""
    validate.check_seeds(args.seeds, dim, "--seeds")


def command_inputs(args) -> dict:
    """What a command was asked: every option as given (recorded in its JSON)."""
    return {k: v for k, v in vars(args).items() if k != "run"}


def heading(dec: Decomposition, args) -> str:
    """``GAME (PARAMETERISATION), METHOD``: the first words of a numeric command's text."""
    return f"{dec.game.name} ({dec.game.parameterization}), {args.method}"


def print_notes(notes) -> None:
    """One ``  note: ...`` line per note."""
    for note in notes:
        print(f"  note: {note}")
