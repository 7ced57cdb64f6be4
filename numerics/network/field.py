"""The field of a network game as sparse, vectorised numpy: a gradient source.

The terms are those of `eqselect.theory.network.decomposition` (docs/networks.md):
with the policy jet pi, pi', pi'' of every agent evaluated once, each directed
edge e = i -> j contributes the contractions

    a_e = pi'(phi_i)^T A_e pi(phi_j)      b_e = pi(phi_i)^T A_e pi'(phi_j)
    h_e = pi''(phi_i)^T A_e pi(phi_j)     c_e = pi'(phi_i)^T A_e pi'(phi_j)

and the agents' terms are sums over their out-edges, one sparse product with
the N x 2|E| scatter matrix S (S[i, e] = 1 when e leaves i):

    g = S a,  H = S h,  cur = g,  own = eta H^T g,
    peer = eta S (c_rev(e)^T b_e),  la = eta S (c_e g_j(e)),

rev(e) the reverse of edge e. Work and memory are linear in the number of
edges; nothing N x N is formed. Every array op is complex-safe, so the
sparse Jacobian comes from complex-step differentiation on a colouring
(`eqselect.numerics.network.jacobian`).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sps
import sympy as sp

from eqselect.theory import GameError
from eqselect.theory.engine import to_engine
from eqselect.theory.exact import to_exact
from eqselect.theory.network import NetworkGame, policy_jet
from eqselect.numerics.codegen import refuse_unknown
from eqselect.numerics.sources.fields import Source, float_coefficients


def _jet_function(parameterization: str, m: int):
    """``jet(t)``, t shape (..., d) -> (pi (..., m), pi' (..., m, d), pi'' (..., m, d, d)),
    compiled from the exact jet with positional argument names; complex-safe."""
    jet = policy_jet(parameterization, m)
    d = m - 1
    flat = list(jet.pi) + [e for row in jet.d1 for e in row] + [
        e for row in jet.d2 for col in row for e in col]
    refuse_unknown([to_engine(e) for e in flat], [to_engine(t) for t in jet.t])
    names = [sp.Symbol(f"_x{k}") for k in range(d)]
    f = sp.lambdify(names, [e.xreplace(dict(zip(jet.t, names))) for e in flat],
                    modules="numpy", cse=True)

    def run(t):
        cols = f(*np.moveaxis(t, -1, 0))
        vals = np.stack([np.broadcast_to(c, t.shape[:-1]) for c in cols], axis=-1)
        return (vals[..., :m], vals[..., m:m + m * d].reshape(t.shape[:-1] + (m, d)),
                vals[..., m + m * d:].reshape(t.shape[:-1] + (m, d, d)))

    return run


def _payoff_array(directed, m: int) -> np.ndarray:
    """The (2|E|, m, m) float payoffs of the directed edges, each distinct matrix
    converted once (shared payoffs: one conversion for every edge)."""
    floats: dict = {}
    rows = []
    for _, _, a in directed:
        if a not in floats:
            floats[a] = [[float(v) for v in row] for row in a]
        rows.append(floats[a])
    return np.array(rows, dtype=float).reshape(-1, m, m)


class NetworkField(Source):
    """cur, own, peer and look-ahead of a network game at many points (a `GradientSource`).

    Parameters
    ----------
    net : NetworkGame
        Every payoff numeric (`NetworkGame.substitute`).
    eta : float or exact number
        Inner learning rate.

    Attributes
    ----------
    dim : int
        N d, the number of parameters (agent by agent).
    src, dst : ndarray of int, shape (2|E|,)
        The directed edges (`NetworkGame.directed` order).
    payoffs : ndarray, shape (2|E|, m, m)
    scatter : scipy.sparse.csr_matrix, shape (N, 2|E|)

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> from eqselect.theory.network import network_game, parse_graph
    >>> net = network_game(parse_graph("ring:4"), builtin("stag-hunt", "direct"), "direct")
    >>> NetworkField(net, 1.0).components(np.full((1, 4), 0.5))["peer"].tolist()
    [[15.0, 15.0, 15.0, 15.0]]
    """

    def __init__(self, net: NetworkGame, eta):
        if not isinstance(net, NetworkGame):
            raise GameError(f"NetworkField takes a NetworkGame, got {type(net).__name__}")
        if net.payoff_symbols:
            raise GameError(f"network game {net.name!r} has free payoff symbols "
                            f"({', '.join(sorted(s.name for s in net.payoff_symbols))}); "
                            "substitute them first")
        self.net, self.eta = net, float(to_exact(eta, "inner learning rate eta"))
        self.n, self.d, self.m = net.n_agents, net.dim, net.actions
        self.dim = self.n * self.d
        directed = net.directed()
        self.src = np.array([i for i, _, _ in directed], dtype=np.int64)
        self.dst = np.array([j for _, j, _ in directed], dtype=np.int64)
        self.payoffs = _payoff_array(directed, self.m)
        half = len(net.graph.edges)
        self.reverse = np.concatenate([np.arange(half, 2 * half), np.arange(half)])
        self.scatter = sps.csr_matrix((np.ones(2 * half), (self.src, np.arange(2 * half))),
                                      shape=(self.n, 2 * half))
        self.jet = _jet_function(net.parameterization, self.m)

    def _sum(self, per_edge: np.ndarray) -> np.ndarray:
        """S @ per_edge over the edge axis (axis 0), any trailing shape."""
        if per_edge.shape[0] == 0:
            return np.zeros((self.n,) + per_edge.shape[1:], dtype=per_edge.dtype)
        flat = per_edge.reshape(per_edge.shape[0], -1)
        return np.asarray(self.scatter @ flat).reshape((self.n,) + per_edge.shape[1:])

    def edge_terms(self, x) -> dict:
        """a, b, h, c on every directed edge at points x (n, N d), edge axis first:
        a, b shape (2|E|, n, d), h, c shape (2|E|, n, d, d)."""
        t = np.asarray(x).reshape(len(x), self.n, self.d).transpose(1, 0, 2)  # (N, n, d)
        p0, p1, p2 = self.jet(t)
        if self.m == 2:
            return self._two_actions(p0[..., 0], p1[..., 0, 0], p2[..., 0, 0, 0])
        A = self.payoffs
        y0, y1 = p0[self.dst], p1[self.dst]
        x0, x1, x2 = p0[self.src], p1[self.src], p2[self.src]
        ay = np.einsum("ers,ens->enr", A, y0)
        xa = np.einsum("enr,ers->ens", x0, A)
        ay1 = np.einsum("ers,ensl->enrl", A, y1)
        return {"a": np.einsum("enrk,enr->enk", x1, ay),
                "b": np.einsum("ens,ensk->enk", xa, y1),
                "h": np.einsum("enrkl,enr->enkl", x2, ay),
                "c": np.einsum("enrk,enrl->enkl", x1, ay1)}

    def _two_actions(self, p, d1, d2) -> dict:
        """The same contractions written out for m = 2 (pi_1 = 1 - pi_0; the
        kernel's formulas, `eqselect.numerics.network.kernel`)."""
        A = self.payoffs.reshape(-1, 4)[:, :, None]
        a00, a01, a10, a11 = A[:, 0], A[:, 1], A[:, 2], A[:, 3]
        q, r = p[self.dst], p[self.src]
        bracket = (a00 - a10) * q + (a01 - a11) * (1 - q)
        ds, dd = d1[self.src], d1[self.dst]
        c = ds * dd * (a00 - a01 - a10 + a11)
        return {"a": (ds * bracket)[..., None], "h": (d2[self.src] * bracket)[..., None, None],
                "b": (dd * ((a00 - a01) * r + (a10 - a11) * (1 - r)))[..., None],
                "c": c[..., None, None]}

    def components(self, x, names=("cur", "own", "peer", "lookahead")) -> dict:
        """The terms ``names`` (default all four) at points x, shape (n, N d) each."""
        x = np.atleast_2d(x)
        e = self.edge_terms(x)
        if self.m == 2:  # one parameter per agent: plain products, no einsum
            e = {k: v.reshape(v.shape[:2]) for k, v in e.items()}
            return self._scalar_components(e, len(x), names)
        g = self._sum(e["a"])
        out = {"cur": g}
        if "own" in names:
            out["own"] = self.eta * np.einsum("inkl,ink->inl", self._sum(e["h"]), g)
        if "peer" in names:
            out["peer"] = self.eta * self._sum(
                np.einsum("enkl,enk->enl", e["c"][self.reverse], e["b"]))
        if "lookahead" in names:
            out["lookahead"] = self.eta * self._sum(
                np.einsum("enkl,enl->enk", e["c"], g[self.dst]))
        # (N, n, d) -> (n, N d)
        return {k: v.transpose(1, 0, 2).reshape(len(x), self.dim) for k, v in out.items()
                if k in names}

    def _scalar_components(self, e, n, names) -> dict:
        g = self._sum(e["a"])
        out = {"cur": g}
        if "own" in names:
            out["own"] = self.eta * self._sum(e["h"]) * g
        if "peer" in names:
            out["peer"] = self.eta * self._sum(e["c"][self.reverse] * e["b"])
        if "lookahead" in names:
            out["lookahead"] = self.eta * self._sum(e["c"] * g[self.dst])
        return {k: v.T.reshape(n, self.dim) for k, v in out.items() if k in names}

    def field(self, x, rule) -> np.ndarray:
        """The rule's update direction u = cur + c own + lambda peer + l la at x (n, N d)."""
        return self.combination(x, float_coefficients(rule))

    def combination(self, x, coef: dict) -> np.ndarray:
        """sum_k coef[k] term_k at x (n, N d), for any coefficients of cur, own,
        peer, lookahead (complex points stay complex: the complex-step Jacobian)."""
        extra = set(coef) - {"cur", "own", "peer", "lookahead"}
        if any(coef[k] for k in extra):
            raise GameError(f"a network field combines cur, own, peer and lookahead; "
                            f"this rule also needs {', '.join(sorted(extra))}")
        used = tuple(k for k in ("cur", "own", "peer", "lookahead") if coef.get(k))
        terms = self.components(x, ("cur",) + used)
        out = np.zeros_like(terms["cur"])
        for k in used:
            out += coef[k] * terms[k]
        return out

    def compiled(self, schedule, rule):
        """The fused basin kernel of a rule and schedule (two actions per agent):
        ``(module, values)`` as `eqselect.numerics.dynamics.basins` expects."""
        from eqselect.numerics.network.kernel import network_kernel

        return network_kernel(self, schedule, rule)
