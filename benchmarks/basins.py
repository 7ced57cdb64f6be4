"""Basin-map speed: the compiled vectorised kernel against a per-point loop.

Run: python benchmarks/basins.py

The paper's 21 x 21 grid, 140 steps of its schedule, Meta-MAPG on logit
Stag Hunt. The baseline, measured in the same run, steps every start on its
own through the same exact field turned into a plain Python function
(sympy.lambdify with the math module), as a straightforward script would.
"""

import math
import time

import numpy as np
import sympy as sp

from eqselect.numerics.dynamics.basins import basin_map
from eqselect.theory import Decomposition, builtin
from eqselect.numerics.dynamics.starts import GridStarts
from eqselect.theory.rules import Rule


def baseline(dec, grid=21, steps=140):
    F = dec.field("meta-mapg", sp.Rational(3, 2), sp.Rational(7, 20))
    f = sp.lambdify(dec.game.parameters, list(F), modules="math")
    p = np.linspace(0.05, 0.95, grid)
    ok = 0
    for p1 in p:
        for p2 in p:
            x = [math.log(p1 / (1 - p1)), math.log(p2 / (1 - p2))]
            for k in range(steps):
                lr = 0.9 / (k + 10) ** 0.24
                u = f(*x)
                x = [min(8.0, max(-8.0, xi + lr * ui)) for xi, ui in zip(x, u)]
            ok += all(1 / (1 + math.exp(-xi)) >= 0.82 for xi in x)
    return ok / grid ** 2


def main():
    dec = Decomposition(builtin("stag-hunt", "logit"), eta=sp.Rational(11, 20))
    basin_map(dec, Rule("meta-mapg", 1.5, 0.35), GridStarts(3), 2)  # compile once
    t0 = time.perf_counter()
    fast = basin_map(dec, Rule("meta-mapg", 1.5, 0.35), GridStarts(21), 140).fraction
    t1 = time.perf_counter()
    slow = baseline(dec)
    t2 = time.perf_counter()
    print(f"compiled vectorised: {1e3 * (t1 - t0):.1f} ms   fraction {fast:.4f}")
    print(f"per-point baseline : {1e3 * (t2 - t1):.1f} ms   fraction {slow:.4f}")
    print(f"speed-up: {(t2 - t1) / (t1 - t0):.0f}x")


if __name__ == "__main__":
    main()
