"""Degenerate games against pygambit: ``python -m benchmarks.degenerate [--repeats R] [--size N:COUNT:SEED ...]``.

Runs `benchmarks.solvers.degenerate_fixed_points` alone (the same figures
``python -m benchmarks`` records under ``degenerate_games``) and prints them
with the machine's load average before and after. ``--size`` replaces the
sets of `benchmarks.solvers.DEGENERATE_SETS` by its own (``5:10:55``: ten
random 5 x 5 games from numpy seed 55), for sizes beyond the recorded ones.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from benchmarks.solvers import degenerate_fixed_points


def print_degenerate(res: dict) -> None:
    """One line per size and way of counting: medians in ms and the ratio."""
    for size, r in res.items():
        print(f"Degenerate {size} games ({r['games']}, seed {r['seed']}, best of "
              f"{r['repeats']}), agree with pygambit's extreme equilibria: "
              f"{r['agree_with_gambit']}/{r['games']}")
        for way in ("with_construction", "solve_only", "with_construction_cpu",
                    "solve_only_cpu"):
            w = r[way]
            print(f"  {way:<22} eqselect {w['eqselect_ms']:7.2f} ms  pygambit "
                  f"{w['pygambit_ms']:6.2f} ms  ratio {w['ratio']:5.2f}x "
                  f"(per game: median {w['median_per_game_ratio']:5.2f}x, largest "
                  f"{w['max_per_game_ratio']:5.2f}x)")


def _size(text: str) -> tuple[int, tuple[int, int]]:
    """``N:COUNT:SEED`` as (n, (count, seed)); argparse reports a malformed one."""
    try:
        n, count, seed = (int(x) for x in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected N:COUNT:SEED, got {text!r}") from None
    if n < 2 or count < 1 or seed < 0:
        raise argparse.ArgumentTypeError(f"need N >= 2, COUNT >= 1, SEED >= 0, got {text!r}")
    return n, (count, seed)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.degenerate",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3, help="runs per game, best kept")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    ap.add_argument("--size", action="append", type=_size, metavar="N:COUNT:SEED",
                    help="an n x n set of COUNT games from numpy SEED, instead of the "
                         "default sets (repeatable; default: those of benchmarks.solvers)")
    args = ap.parse_args(argv)
    load0 = os.getloadavg()
    sets = dict(args.size) if args.size else None
    res = degenerate_fixed_points(sets=sets, repeats=args.repeats)
    print_degenerate(res)
    print(f"load average at start {load0}, at end {os.getloadavg()}")
    if args.json:
        print(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
