"""Derive and compile the discounted IPD's decomposition; compare with plain sympy.

Run: python -m benchmarks.derive_ipd

Prints the time to derive every component (cur, own, peer, look-ahead,
self look-ahead) for both agents and compile them into one vectorised
function, and, as the baseline measured in the same run, plain sympy
differentiation of the same closed form for ONE gradient entry and ONE
Hessian entry, scaled to the 10 gradient and 100 Hessian entries the
decomposition needs (a lower bound for plain sympy: it leaves out the
component products and code generation). Then what a fresh process pays to
load the basin kernel from the disk cache (`benchmarks.targets.ipd_kernel_load`).
"""

import time

import sympy as sp

from benchmarks.targets import ipd_kernel_load
from eqselect.numerics.compiled import compile_components
from eqselect.theory import Decomposition, ipd


def main():
    game = ipd("logit")
    t0 = time.perf_counter()
    dec = Decomposition(game, eta=sp.Rational(11, 20))
    t1 = time.perf_counter()
    compile_components(dec)
    t2 = time.perf_counter()
    print(f"eqselect: derive {t1 - t0:.2f} s, compile {t2 - t1:.2f} s, total {t2 - t0:.2f} s")

    theta = game.parameters
    b0 = time.perf_counter()
    g = sp.diff(game.values[0], theta[0])
    b1 = time.perf_counter()
    sp.diff(g, theta[5]).count_ops()
    b2 = time.perf_counter()
    one_grad, one_hess = b1 - b0, b2 - b1
    print(f"plain sympy baseline: one gradient entry {one_grad:.2f} s, "
          f"one Hessian entry {one_hess:.2f} s")
    estimate = 10 * one_grad + 100 * one_hess
    print(f"ratio (sympy estimate for the gradients and Hessians alone / eqselect total): "
          f"{estimate / (t2 - t0):.1f}x")
    print("a fresh process loading the basin kernel from the disk cache, after its imports "
          "and the derivation:")
    load = ipd_kernel_load()
    print(f"  (loop: {load['route']}, numba imported: {load['numba imported']})")
    for phase, seconds in [*load["seconds"].items(), ("total", load["total"])]:
        print(f"  {phase:<70} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
