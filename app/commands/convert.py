"""``eqselect convert``: a game written as .toml, .json or Gambit .nfg."""

from __future__ import annotations

import sys


def run(args) -> int:
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
