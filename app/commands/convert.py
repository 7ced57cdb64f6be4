"""``eqselect convert``: a game written as .toml, .json or Gambit .nfg."""

from __future__ import annotations

import sys


def run(args) -> int:
    """Read a game and write it in the format of OUT's suffix (docs/cli.md).

    Nothing is written when IN cannot be read or OUT cannot hold the game
    exactly; a game OUT's format cannot hold whole (a repeated game, payoff
    symbols or tau in .nfg) is refused unless ``--allow-lossy``, and then a
    note on stderr names what was lost.
    """
    from pathlib import Path

    from eqselect.theory.games.builtins import BUILTINS
    from eqselect.theory.io.losses import lost_in
    from eqselect.theory.io.resolve import load_game
    from eqselect.theory.io.write import write_game

    # direct reads every shape; a parameterisation the file states is kept
    fallback = None if args.input in BUILTINS else "direct"
    game = load_game(args.input, None, fallback=fallback or "logit")
    allow = getattr(args, "allow_lossy", False)
    out = write_game(game, args.output, default_parameterization=fallback or game.parameterization,
                     allow_lossy=allow)
    lost = lost_in(game, Path(args.output).suffix)
    if lost:
        print(f"note: {out.name} does not hold {'; '.join(lost)}", file=sys.stderr)
    print(f"wrote {out}")
    return 0
