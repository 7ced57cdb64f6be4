"""The own / peer / look-ahead decomposition of opponent-aware updates.

Every agent j takes one inner step phi_j' = phi_j + eta g_j with
g_j = grad_{phi_j} J_j. With D_ij = d g_j / d phi_i (a d_j x d_i matrix):

    cur_i  = grad_{phi_i} J_i
    own_i  = eta (Hess_{phi_i phi_i} J_i)^T grad_{phi_i} J_i
    peer_i = eta sum_{j != i} D_ij^T grad_{phi_j} J_i
    la_i   = eta sum_{j != i} (d g_i / d phi_j) g_j
    sla_i  = eta Hess_{phi_i phi_i} J_i g_i            (self look-ahead)

and d J_i(phi') / d phi_i = cur_i + own_i + peer_i + la_i + sla_i + O(eta^2).
"""

from __future__ import annotations

from functools import cached_property

import symengine as se
import sympy as sp

from eqselect.theory import engine
from eqselect.theory.exact import to_exact
from eqselect.theory.game import Game, GameError
from eqselect.theory.rules import LAMBDA, OWN_COEF, coefficients

ETA = sp.Symbol("eta")
COMPONENTS = ("cur", "own", "peer", "lookahead", "self_lookahead")


class Decomposition:
    """Exact components of the one-step opponent-aware update of a game.

    Parameters
    ----------
    game : Game
    eta : number, sympy.Expr or None
        Inner learning rate; None keeps the symbol ``eta``.

    Notes
    -----
    Construction differentiates once (in symengine); the components are
    read-only properties converted to sympy on first access. Each is a
    column ``sympy.Matrix`` aligned with ``game.parameters``.

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> dec = Decomposition(builtin("stag-hunt", "direct"))
    >>> dec.peer[0]
    3*eta*(3*p1 + 1)
    """

    def __init__(self, game: Game, eta=None):
        if not isinstance(game, Game):
            raise GameError(f"Decomposition takes a Game, got {type(game).__name__}")
        self.game = game
        self.eta = ETA if eta is None else to_exact(eta, "inner learning rate eta")
        self._phi = [engine.to_engine(s) for s in game.parameters]
        self._values = [engine.to_engine(v) for v in game.values]
        self._derive()

    def _derive(self) -> None:
        phi, sl, eta = self._phi, self.game.slices, engine.to_engine(self.eta)
        # grads[i] = grad_phi J_i over all parameters; v = (g_1, ..., g_N)
        grads = [engine.gradient(J, phi) for J in self._values]
        v = [grads[i][k] for i, s in enumerate(sl) for k in range(s.start, s.stop)]
        Dv = engine.jacobian(v, phi)  # Dv[r][c] = d v_r / d phi_c
        self._grads, self._v, self._Dv = grads, v, Dv
        parts = {name: [] for name in COMPONENTS}
        for i, si in enumerate(sl):
            for r in range(si.start, si.stop):
                own = sum((Dv[k][r] * v[k] for k in range(si.start, si.stop)), se.Integer(0))
                sla = sum((Dv[r][k] * v[k] for k in range(si.start, si.stop)), se.Integer(0))
                peer = se.Integer(0)
                la = se.Integer(0)
                for j, sj in enumerate(sl):
                    if j == i:
                        continue
                    for k in range(sj.start, sj.stop):
                        peer += Dv[k][r] * grads[i][k]
                        la += Dv[r][k] * v[k]
                parts["cur"].append(v[r])
                parts["own"].append(eta * own)
                parts["peer"].append(eta * peer)
                parts["lookahead"].append(eta * la)
                parts["self_lookahead"].append(eta * sla)
        self._parts = parts

    # -- the named components -------------------------------------------------
    @cached_property
    def cur(self) -> sp.Matrix:
        """cur_i = grad_{phi_i} J_i, the plain policy-gradient field v."""
        return self._sympy("cur")

    @cached_property
    def own(self) -> sp.Matrix:
        """own_i = eta (Hess_{phi_i phi_i} J_i)^T grad_{phi_i} J_i."""
        return self._sympy("own")

    @cached_property
    def peer(self) -> sp.Matrix:
        """peer_i = eta sum_{j != i} D_ij^T grad_{phi_j} J_i, D_ij = d g_j / d phi_i."""
        return self._sympy("peer")

    @cached_property
    def lookahead(self) -> sp.Matrix:
        """la_i = eta sum_{j != i} (d grad_{phi_i} J_i / d phi_j) grad_{phi_j} J_j."""
        return self._sympy("lookahead")

    @cached_property
    def self_lookahead(self) -> sp.Matrix:
        """sla_i = eta Hess_{phi_i phi_i} J_i grad_{phi_i} J_i."""
        return self._sympy("self_lookahead")

    @property
    def shaping(self) -> sp.Matrix:
        """M = own + peer, the population shaping field (F_lambda = v + lambda M)."""
        return self.own + self.peer

    def component(self, name: str) -> sp.Matrix:
        """A component by name (one of ``COMPONENTS``)."""
        if name not in COMPONENTS:
            raise KeyError(f"unknown component {name!r}; valid: {', '.join(COMPONENTS)}")
        return getattr(self, name)

    def _sympy(self, name: str) -> sp.Matrix:
        return sp.Matrix([engine.to_sympy(e) for e in self._parts[name]])

    # -- fields and Jacobians -------------------------------------------------
    def field_engine(self, method, lam=LAMBDA, own_coef=OWN_COEF) -> list:
        """A method's field as symengine expressions (for code generation)."""
        coef = {k: engine.to_engine(to_exact(v) if not isinstance(v, sp.Basic) else v)
                for k, v in coefficients(method, lam, own_coef).items()}
        d = len(self._phi)
        return [sum((coef[k] * self._parts[k][r] for k in coef if coef[k] != 0),
                    se.Integer(0)) for r in range(d)]

    def field(self, method, lam=LAMBDA, own_coef=OWN_COEF) -> sp.Matrix:
        """The update direction of ``method`` (see :mod:`eqselect.theory.rules`).

        Parameters
        ----------
        method : str or Method
        lam : number or sympy.Expr
            Shaping coefficient lambda (symbol ``lambda`` by default).
        own_coef : number or sympy.Expr
            Own-learning coefficient c (symbol ``c`` by default).
        """
        return sp.Matrix([engine.to_sympy(e) for e in self.field_engine(method, lam, own_coef)])

    def jacobian_engine(self, method, lam=LAMBDA, own_coef=OWN_COEF) -> list[list]:
        """d field / d phi as nested lists of symengine expressions."""
        return engine.jacobian(self.field_engine(method, lam, own_coef), self._phi)

    def jacobian(self, method="pg", lam=LAMBDA, own_coef=OWN_COEF) -> sp.Matrix:
        """The Jacobian d F / d phi of a method's field, exact (d x d)."""
        rows = self.jacobian_engine(method, lam, own_coef)
        return sp.Matrix([[engine.to_sympy(e) for e in row] for row in rows])

    def component_jacobian(self, name: str) -> sp.Matrix:
        """The Jacobian of one component (for example J_M of own + peer)."""
        if name not in COMPONENTS:
            raise KeyError(f"unknown component {name!r}; valid: {', '.join(COMPONENTS)}")
        rows = engine.jacobian(self._parts[name], self._phi)
        return sp.Matrix([[engine.to_sympy(e) for e in row] for row in rows])

    # -- delegations ----------------------------------------------------------
    def latex(self, standalone: bool = False) -> str:
        """Paper-ready LaTeX of the game, its values and every component."""
        from eqselect.theory.latex import decomposition_latex

        return decomposition_latex(self, standalone=standalone)

    def series_check(self) -> dict:
        """Check d J_i(phi')/d phi_i = cur + own + peer + la + sla + O(eta^2) exactly."""
        from eqselect.theory.unrolled import series_check

        return series_check(self)
