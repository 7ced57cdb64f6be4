"""Replay timing: the whole exact replay (target < 2 min on 2 cores) and,
with --sampled, the sampled replay at the paper's batch sizes (target < 15 min).

Run: python benchmarks/replay.py [--sampled] [--authors]

``--authors`` times the authors' protocol (one seeded stream per run, their
batch sizes and step totals) instead of eqselect's. The baseline, measured
in the same run, is one experiment (the 21 x 21 basin map) so that the ratio
shows what the other experiments cost on top of it.
"""

import sys
import time

from eqselect.studies.replay.experiments import replay


def main():
    modes = ["exact"] + (["sampled"] if "--sampled" in sys.argv else [])
    protocol = "authors" if "--authors" in sys.argv else "eqselect"
    for mode in modes:
        t0 = time.perf_counter()
        replay(["basin-map"], mode=mode, protocol=protocol)
        t1 = time.perf_counter()
        replay(mode=mode, protocol=protocol)
        t2 = time.perf_counter()
        print(f"{mode} ({protocol}'s protocol): basin map {t1 - t0:.1f} s, all experiments "
              f"{t2 - t1:.1f} s (ratio {(t2 - t1) / (t1 - t0):.0f}x)")


if __name__ == "__main__":
    main()
