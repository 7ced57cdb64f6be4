"""Edge templates: the decomposition of one edge game, derived once.

On a directed edge i -> j agent i receives u(x, y) = pi(x)^T P pi(y), with
x = phi_i, y = phi_j (d = m - 1 parameters each) and P = A_ij. The four
templates (docs/networks.md, "Edge templates") are

    a(x, y) = grad_x u            (d)       i's gradient from the edge
    b(x, y) = grad_y u            (d)       grad_{phi_j} J_i from the edge
    h(x, y) = Hess_xx u           (d x d)   i's Hessian from the edge
    c(x, y) = d^2 u / dx dy       (d x d)   c[k, l] = d^2 u / dx_k dy_l

They are derived symbolically once per parameterisation and number of
actions, with P a matrix of placeholder symbols, and every edge's terms are
the templates with x, y, P replaced. Because u is bilinear in the strategies,
each template is a contraction of P with the *policy jet* pi, pi', pi'' of the
two ends, e.g. a_k = (d pi(x) / dx_k)^T P pi(y); `PolicyJet` holds the jet
for the numeric kernels, which evaluate it once per agent and contract it
over the edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from eqselect.theory.exact import to_exact
from eqselect.theory.parameterizations import Parameterization, policy


@dataclass(frozen=True)
class PolicyJet:
    """One agent's strategy and its first two derivatives, exact.

    Attributes
    ----------
    t : tuple of sympy.Symbol
        The agent's d parameters.
    pi : tuple of sympy.Expr
        pi(t), m entries.
    d1 : tuple of tuple
        ``d1[a][k]`` = d pi_a / dt_k.
    d2 : tuple of tuple of tuple
        ``d2[a][k][l]`` = d^2 pi_a / dt_k dt_l.
    """

    t: tuple
    pi: tuple
    d1: tuple
    d2: tuple


@dataclass(frozen=True)
class EdgeTemplates:
    """The templates a, b, h, c of an edge game (module docstring), exact.

    Attributes
    ----------
    x, y : tuple of sympy.Symbol
        Placeholders for the parameters of the receiving end i and the other end j.
    payoff : sympy.Matrix
        m x m placeholders P[r, s] for A_ij.
    u : sympy.Expr
        pi(x)^T P pi(y).
    a, b : sympy.Matrix, shape (d, 1)
    h, c : sympy.Matrix, shape (d, d)
    jet : PolicyJet
        The policy jet in the placeholder ``x``.
    """

    x: tuple
    y: tuple
    payoff: sp.Matrix
    u: sp.Expr
    a: sp.Matrix
    b: sp.Matrix
    h: sp.Matrix
    c: sp.Matrix
    jet: PolicyJet

    def at(self, xi, yj, matrix) -> dict:
        """The four templates on one directed edge: x -> ``xi``, y -> ``yj``, P -> ``matrix``.

        Returns
        -------
        dict of str to sympy.Matrix
            ``{"a", "b", "h", "c"}``.
        """
        m = self.payoff.shape[0]
        sub = dict(zip(self.x, xi))
        sub.update(zip(self.y, yj))
        sub.update({self.payoff[r, s]: to_exact(matrix[r][s], "edge payoff")
                    for r in range(m) for s in range(m)})
        return {name: getattr(self, name).xreplace(sub) for name in ("a", "b", "h", "c")}


@lru_cache(maxsize=None)
def policy_jet(parameterization: str, m: int) -> PolicyJet:
    """The policy jet of one agent with m actions (placeholder parameters).

    Examples
    --------
    >>> jet = policy_jet("direct", 2)
    >>> jet.pi[0], jet.d1[0][0], jet.d2[0][0][0]
    (_t0, 1, 0)
    """
    kind = Parameterization.parse(parameterization)
    t = tuple(sp.Dummy(f"t{k}") for k in range(m - 1))
    pi = policy(kind, list(t), m)
    d1 = tuple(tuple(sp.diff(p, tk) for tk in t) for p in pi)
    d2 = tuple(tuple(tuple(sp.diff(p, tk, tl) for tl in t) for tk in t) for p in pi)
    return PolicyJet(t, pi, d1, d2)


@lru_cache(maxsize=None)
def edge_templates(parameterization: str, m: int) -> EdgeTemplates:
    """Derive the edge templates once for a parameterisation and m actions.

    Examples
    --------
    >>> tpl = edge_templates("direct", 2)
    >>> sp.factor(tpl.c[0, 0])
    _P00 - _P01 - _P10 + _P11
    """
    kind = Parameterization.parse(parameterization)
    d = m - 1
    x = tuple(sp.Dummy(f"x{k}") for k in range(d))
    y = tuple(sp.Dummy(f"y{k}") for k in range(d))
    payoff = sp.Matrix(m, m, lambda r, s: sp.Dummy(f"P{r}{s}"))
    px, py = policy(kind, list(x), m), policy(kind, list(y), m)
    u = sp.Add(*(px[r] * payoff[r, s] * py[s] for r in range(m) for s in range(m)))
    a = sp.Matrix([sp.diff(u, xk) for xk in x])
    b = sp.Matrix([sp.diff(u, yk) for yk in y])
    h = sp.Matrix(d, d, lambda k, l: sp.diff(u, x[k], x[l]))
    c = sp.Matrix(d, d, lambda k, l: sp.diff(u, x[k], y[l]))
    return EdgeTemplates(x, y, payoff, u, a, b, h, c, policy_jet(kind.value, m))
