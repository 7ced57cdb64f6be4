"""The fused basin kernel of a network game with two actions per agent (numba).

For m = 2 every agent has one parameter and pi_1 = 1 - pi_0, so the jet is
three numbers per agent, p = pi_0, p' and p'' (generated from the exact jet,
common subexpressions eliminated), and on a directed edge e = i -> j with
payoff matrix A_e the templates of `eqselect.numerics.network.field` are

    a_e = p'_i ((A00 - A10) p_j + (A01 - A11)(1 - p_j))      h_e = a_e p''_i / p'_i
    b_e = p'_j ((A00 - A01) p_i + (A10 - A11)(1 - p_i))      c_e = p'_i p'_j s_e,

s_e = A00 - A01 - A10 + A11 (h_e is computed as p''_i times the bracket, so
p'_i = 0 is harmless). One start advances through every step in compiled code:
the jet per agent, one pass over the edges for g, H and peer, a second for
the look-ahead when the rule uses it, then

    u_i = g_i + c eta H_i g_i + lambda_k eta peer_i + l eta la_i,
    phi_i <- proj(phi_i + lr_k u_i),

proj the clip to [-clip, clip] (logits) or to [0, 1] (direct). The learning
rates lr_k and lambda_k (annealing) are tabulated before the run, so any
schedule of `eqselect.numerics.dynamics.schedules` runs unchanged. The
kernel is called by the basin engine (`run_basins`, through the gradient
source's ``compiled``) on chunks of starts in threads; it releases the GIL.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy.printing.pycode import pycode

from eqselect.theory import GameError
from eqselect.theory.engine import to_engine
from eqselect.theory.network import policy_jet
from eqselect.numerics.codegen import refuse_unknown
from eqselect.numerics.dynamics.kernels.run import stopping

#: Edge-steps (starts x steps x directed edges) of one call of the compiled loop:
#: some tens of milliseconds, so that a stopping run (Ctrl-C) ends that soon.
SLICE_WORK = 1 << 24


def jet_source(parameterization: str) -> str:
    """Python source of ``jet(t) -> (p, p', p'')`` for one two-action agent.

    Examples
    --------
    >>> print(jet_source("direct"))
    def jet(t):
        return (t, 1, 0)
    """
    jet = policy_jet(parameterization, 2)
    exprs = [jet.pi[0], jet.d1[0][0], jet.d2[0][0][0]]
    refuse_unknown([to_engine(e) for e in exprs], [to_engine(jet.t[0])])
    t = sp.Symbol("t")
    exprs = [e.xreplace({jet.t[0]: t}) for e in exprs]
    reps, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("w"))
    lines = ["def jet(t):"]
    lines += [f"    {s} = {pycode(v, fully_qualified_modules=True)}" for s, v in reps]
    lines.append("    return (" + ", ".join(pycode(e, fully_qualified_modules=True)
                                             for e in reduced) + ")")
    return "\n".join(lines)


_LOOP = """
@numba.njit(cache=True, nogil=True)
def network_run(x0, lr, lam, coef, src, dst, rev, A, box, clip, final):
    n_nodes, n_edges = x0.shape[1], src.shape[0]
    own_c, la_c, eta = coef[0], coef[1], coef[2]
    p = np.empty(n_nodes)
    d1 = np.empty(n_nodes)
    d2 = np.empty(n_nodes)
    g = np.empty(n_nodes)
    H = np.empty(n_nodes)
    peer = np.empty(n_nodes)
    la = np.empty(n_nodes)
    s_e = A[:, 0] - A[:, 1] - A[:, 2] + A[:, 3]
    # per edge: bracket = base_a + slope_a q, b / p'_j = base_b + slope_b r, s of the reverse
    base_a, slope_a = A[:, 1] - A[:, 3], s_e
    base_b, slope_b = A[:, 2] - A[:, 3], s_e
    s_rev = s_e[rev]
    for s in range(x0.shape[0]):
        x = x0[s].copy()
        for k in range(lr.shape[0]):
            for i in range(n_nodes):
                p[i], d1[i], d2[i] = jet(x[i])
                g[i] = 0.0
                H[i] = 0.0
                peer[i] = 0.0
                la[i] = 0.0
            for e in range(n_edges):
                i, j = src[e], dst[e]
                bracket = base_a[e] + slope_a[e] * p[j]
                g[i] += d1[i] * bracket
                H[i] += d2[i] * bracket
                b = d1[j] * (base_b[e] + slope_b[e] * p[i])
                peer[i] += d1[i] * d1[j] * s_rev[e] * b
            if la_c != 0.0:
                for e in range(n_edges):
                    i, j = src[e], dst[e]
                    la[i] += d1[i] * d1[j] * s_e[e] * g[j]
            for i in range(n_nodes):
                u = g[i] + eta * (own_c * H[i] * g[i] + lam[k] * peer[i] + la_c * la[i])
                y = x[i] + lr[k] * u
                if box:
                    y = min(1.0, max(0.0, y))
                elif clip > 0.0:
                    y = min(clip, max(-clip, y))
                x[i] = y
        final[s] = x
"""


def kernel_text(parameterization: str) -> str:
    """The module text of the stepping loop of one parameterisation: the jet
    (`jet_source`) inlined into the loop of the module docstring."""
    head = "import math\nimport numba\nimport numpy as np\n\n\n"
    jet = "@numba.njit(cache=True, inline='always')\n" + jet_source(parameterization)
    return head + jet + "\n\n" + _LOOP


def _kernel(parameterization: str):
    """The compiled stepping loop (numba's disk cache keeps the machine code)."""
    from eqselect.numerics.dynamics.kernels.cache import load_kernel

    return load_kernel(kernel_text(parameterization)).network_run


class NetworkKernel:
    """A kernel module for `eqselect.numerics.dynamics.kernels.fused.run_compiled`:
    ``run(x0, steps, q, final, first_hit, start=0)`` (first hits are not recorded: -1)."""

    def __init__(self, field, schedule, rule):
        self.field, self.schedule, self.rule = field, schedule, rule
        self.function = _kernel(field.net.parameterization)
        coef = rule.coefficients
        self.coef = np.array([float(coef["own"]), float(coef["lookahead"]), field.eta])
        self.A = np.ascontiguousarray(field.payoffs.reshape(-1, 4))
        self.box = field.net.parameterization == "direct"
        clip = getattr(schedule, "clip", None)
        self.clip = float(clip) if clip is not None else 0.0

    def _lambdas(self, ks) -> np.ndarray:
        ann = self.rule.annealing
        if ann is None:
            return np.full(len(ks), float(self.rule.coefficients["peer"]))
        return np.array([float(ann.lam(k)) for k in ks])

    def run(self, x0, steps, q, final, first_hit, start=0):
        """Advance the starts x0 (n, N) ``steps`` steps (the schedule's start ..
        start + steps - 1) into ``final``.

        The steps go in slices of about `SLICE_WORK` edge-steps a call, each
        slice starting from where the last ended (the same numbers as one
        call: a step reads only x, lr_k and lambda_k); between slices the
        run stops early when its `run_compiled` call is stopping (`stopping`).
        """
        ks = np.arange(int(start), int(start) + int(steps))
        lr = np.asarray(self.schedule.lr(ks), dtype=float).reshape(-1)
        lam, f = self._lambdas(ks), self.field
        x = np.ascontiguousarray(x0)
        final[:] = x
        per_call = max(1, SLICE_WORK // max(1, len(x) * len(f.src)))
        for a in range(0, len(ks), per_call):
            if stopping():
                break
            b = min(len(ks), a + per_call)
            # final is read row by row before the row is written: it may be x0
            self.function(final, lr[a:b], lam[a:b], self.coef, f.src, f.dst, f.reverse,
                          self.A, self.box, self.clip, final)
        first_hit[:] = -1


def network_kernel(field, schedule, rule):
    """(NetworkKernel, ()) for a two-action network field; `GameError` otherwise."""
    if field.m != 2:
        raise GameError(f"the compiled network kernel takes two actions per agent; "
                        f"{field.net.name!r} has {field.m}: use kernel='numpy'")
    if rule.spec.adaptive:
        raise GameError(f"{rule.method.value}'s weight is chosen pointwise; use kernel='numpy'")
    extra = {k for k, v in rule.coefficients.items()
             if k not in ("cur", "own", "peer", "lookahead") and v != 0}
    if extra:
        raise GameError(f"the network kernel forms cur, own, peer and look-ahead; "
                        f"{rule.method.value} also needs {', '.join(sorted(extra))}")
    return NetworkKernel(field, schedule, rule), ()
