"""Degenerate games against pygambit: ``python -m benchmarks.degenerate [--repeats R]``.

Runs `benchmarks.solvers.degenerate_fixed_points` alone (the same figures
``python -m benchmarks`` records under ``degenerate_games``) and prints them
with the machine's load average before and after.
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.degenerate",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3, help="runs per game, best kept")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = ap.parse_args(argv)
    load0 = os.getloadavg()
    res = degenerate_fixed_points(repeats=args.repeats)
    print_degenerate(res)
    print(f"load average at start {load0}, at end {os.getloadavg()}")
    if args.json:
        print(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
