"""Replay timing: the whole exact replay (target < 2 min on 2 cores) and,
with --sampled, the sampled replay at the paper's batch sizes (target < 15 min).

Run: python benchmarks/replay.py [--sampled]

The baseline, measured in the same run, is one experiment (the 21 x 21 basin
map) so that the ratio shows what the other experiments cost on top of it.
"""

import sys
import time

from eqselect.studies.replay.experiments import replay


def main():
    modes = ["exact"] + (["sampled"] if "--sampled" in sys.argv else [])
    for mode in modes:
        t0 = time.perf_counter()
        replay(["basin-map"], mode=mode)
        t1 = time.perf_counter()
        replay(mode=mode)
        t2 = time.perf_counter()
        print(f"{mode}: basin map {t1 - t0:.1f} s, all experiments {t2 - t1:.1f} s "
              f"(ratio {(t2 - t1) / (t1 - t0):.0f}x)")


if __name__ == "__main__":
    main()
