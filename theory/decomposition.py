"""The own / peer / look-ahead decomposition of opponent-aware updates.

Every agent j takes one inner step phi_j' = phi_j + eta g_j with
g_j = grad_{phi_j} J_j. With D_ij = d g_j / d phi_i (a d_j x d_i matrix):

    cur_i  = grad_{phi_i} J_i
    own_i  = eta (Hess_{phi_i phi_i} J_i)^T grad_{phi_i} J_i
    peer_i = eta sum_{j != i} D_ij^T grad_{phi_j} J_i
    la_i   = eta sum_{j != i} (d g_i / d phi_j) g_j
    sla_i  = eta Hess_{phi_i phi_i} J_i g_i            (self look-ahead)

and d J_i(phi') / d phi_i = cur_i + own_i + peer_i + la_i + sla_i + O(eta^2).
Beside them, two exact terms that are not linear in the components, with
H = Dv the game Jacobian and A = (H - H^T)/2 its antisymmetric part:

    symplectic = A v                   (SGA, Balduzzi et al. 2018)
    consensus  = -H^T v = -grad ||v||^2 / 2   (Mescheder et al. 2017)

and three that are a whole rule's field minus v (:mod:`eqselect.theory.composite`):
extragradient (EG), competitive (CGD) and surgery (LSS). HOLA's terms
lola_order_k are the eta^k terms of LOLA's series
(:func:`eqselect.theory.unrolled.lola_series_terms`).

Each method of :mod:`eqselect.theory.rules` is a combination of these terms
(SOS and SGA with a weight chosen pointwise); see docs/theory.md and
docs/rules.md.
"""

from __future__ import annotations

from functools import cached_property

import symengine as se
import sympy as sp

from eqselect.theory import engine, limits
from eqselect.theory.errors import OptionsError
from eqselect.theory.exact import to_exact
from eqselect.theory.game import Game, GameError
from eqselect.theory.adaptive import (
    SYMBOLIC_OPS, pointwise_sga_sign, pointwise_sos_weight, sga_sign, sos_weight)
from eqselect.theory.rules import TERMS, resolve, series_order
from eqselect.theory.validate import coefficient

ETA = sp.Symbol("eta")

COMPONENTS = TERMS[:5]
#: The components written by ``to_json`` (the ``derive --json`` contract).
JSON_COMPONENTS = ("cur", "own", "peer", "lookahead")
#: Above this many operations (values and components together) ``to_json``
#: writes shared subexpressions: the discounted IPD's components are ~300 MB
#: as flat strings and ~70 kB after common-subexpression elimination.
FLAT_JSON_MAX_OPS = 20000


class Decomposition:
    """Exact components of the one-step opponent-aware update of a game.

    Parameters
    ----------
    game : Game
    eta : number, sympy.Expr or None
        Inner learning rate; None keeps the symbol ``eta``.

    Notes
    -----
    Construction takes the gradients (in symengine); the second derivatives
    and the components are taken once, on first use, and the components are
    read-only properties converted to sympy on first access. Each is a
    column ``sympy.Matrix`` aligned with ``parameters``. ``components``,
    ``term``, ``game_jacobian`` and ``to_json`` are the public views; the
    ``*_engine`` methods give the symengine forms the numerics compile.

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
        self.eta = ETA if eta is None else coefficient(eta, "inner learning rate eta", game)
        self._phi = [engine.to_engine(s) for s in game.parameters]
        self._values = [engine.to_engine(v) for v in game.values]
        self._derive()
        self._extra: dict = {}

    def _derive(self) -> None:
        # grads[i] = grad_phi J_i over all parameters; v = (g_1, ..., g_N)
        self._grads = [engine.gradient(J, self._phi) for J in self._values]
        self._v = [self._grads[i][k] for i, s in enumerate(self.game.slices)
                   for k in range(s.start, s.stop)]

    @cached_property
    def _Dv(self) -> list:
        """Dv[r][c] = d v_r / d phi_c, the second derivatives, taken on first use."""
        return engine.jacobian(self._v, self._phi)

    @cached_property
    def _parts(self) -> dict:
        """The components of ``COMPONENTS`` (symengine), built on first use."""
        sl, eta, grads, v, Dv = self.game.slices, engine.to_engine(self.eta), self._grads, \
            self._v, self._Dv
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
        return parts

    # -- the named terms ------------------------------------------------------
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

    @cached_property
    def symplectic(self) -> sp.Matrix:
        """A v with A = (H - H^T)/2, H = Dv: SGA's adjustment in ascent form."""
        return self._sympy("symplectic")

    @cached_property
    def consensus(self) -> sp.Matrix:
        """-H^T v = -grad ||v||^2 / 2: consensus optimisation's term."""
        return self._sympy("consensus")

    @cached_property
    def extragradient(self) -> sp.Matrix:
        """v(phi + eta v(phi)) - v: extragradient's field minus v."""
        return self._sympy("extragradient")

    @cached_property
    def competitive(self) -> sp.Matrix:
        """(I - eta H_o)^{-1} v - v: competitive gradient descent's field minus v."""
        return self._sympy("competitive")

    @cached_property
    def surgery(self) -> sp.Matrix:
        """(v + H^T H^{-1} v) / 2 - v: local symplectic surgery's field minus v."""
        return self._sympy("surgery")

    @property
    def shaping(self) -> sp.Matrix:
        """M = own + peer, the population shaping field (F_lambda = v + lambda M)."""
        return self.own + self.peer

    @property
    def parameters(self) -> tuple:
        """The game's parameters phi, in the order of every column."""
        return tuple(self.game.parameters)

    @property
    def components(self) -> dict[str, sp.Matrix]:
        """Every component of the decomposition by name (``COMPONENTS`` order)."""
        return {name: getattr(self, name) for name in COMPONENTS}

    @cached_property
    def game_jacobian(self) -> sp.Matrix:
        """H = Dv, H[r, c] = d v_r / d phi_c (the Jacobian of the plain field)."""
        return sp.Matrix([[engine.to_sympy(e) for e in row] for row in self._Dv])

    @cached_property
    def jacobian_singular_everywhere(self) -> bool:
        """Whether det H vanishes identically (then LSS takes the damped inverse)."""
        from eqselect.theory.composite import det_vanishes_identically

        return det_vanishes_identically(self._Dv, self._phi)

    @property
    def antisymmetric_part(self) -> sp.Matrix:
        """A = (H - H^T) / 2, the antisymmetric part of the game Jacobian."""
        H = self.game_jacobian
        return (H - H.T) / 2

    def component(self, name: str) -> sp.Matrix:
        """A component by name (one of ``COMPONENTS``)."""
        _check_name(name, COMPONENTS)
        return getattr(self, name)

    def term(self, name: str) -> sp.Matrix:
        """Any term a field is built from (``TERMS``, or HOLA's ``lola_order_k``)."""
        _check_name(name, TERMS)
        return self._sympy(name) if series_order(name) else getattr(self, name)

    def _sympy(self, name: str) -> sp.Matrix:
        return sp.Matrix([engine.to_sympy(e) for e in self._terms(name)])

    def _terms(self, name: str) -> list:
        if name == "cur":
            return self._v  # the plain field: no second derivative needed
        if name in self._parts:
            return self._parts[name]
        if name in ("extragradient", "competitive", "surgery") or series_order(name):
            if name not in self._extra:
                self._extra[name] = self._composite(name)
            return self._extra[name]
        if "symplectic" not in self._extra:
            v, Dv, d = self._v, self._Dv, len(self._phi)
            half = se.Rational(1, 2)
            self._extra["symplectic"] = [
                sum(((Dv[r][c] - Dv[c][r]) * half * v[c] for c in range(d) if c != r),
                    se.Integer(0)) for r in range(d)]
            self._extra["consensus"] = [
                -sum((Dv[c][r] * v[c] for c in range(d)), se.Integer(0)) for r in range(d)]
        return self._extra[name]

    def _composite(self, name: str) -> list:
        """A rule's field minus v, exactly (EG, CGD, LSS, HOLA's series terms)."""
        from eqselect.theory.composite import composite_term

        return composite_term(self, name)

    # -- symengine forms (for code generation in the numerics) ----------------
    def parameters_engine(self) -> list:
        """The parameters as symengine symbols."""
        return list(self._phi)

    def values_engine(self) -> list:
        """The values J_i as symengine expressions."""
        return list(self._values)

    def term_engine(self, name: str) -> list:
        """One term (``TERMS``) as a list of symengine expressions."""
        _check_name(name, TERMS)
        return list(self._terms(name))

    def field_engine(self, rule, lam=None, own_coef=None) -> list:
        """A rule's field as symengine expressions (for code generation).

        ``rule`` is a Rule, Method or name; see `field` for ``lam`` and
        ``own_coef``. SOS is refused: its weight p is chosen pointwise.
        """
        r = resolve(rule, lam, own_coef, symbolic=True)
        if r.spec.adaptive:
            what = "lambda's alignment sign" if r.spec.aligned else "the adaptive weight p"
            raise OptionsError(f"{r.method.value}: the field is piecewise in {what}, so it "
                               "has no closed form to solve or differentiate; it is evaluated "
                               "pointwise (basins, flows; docs/rules.md)")
        coef = {k: engine.to_engine(v) for k, v in r.coefficients.items()}
        terms = {k: self._terms(k) for k in coef if coef[k] != 0}
        return [sum((coef[k] * terms[k][i] for k in terms), se.Integer(0))
                for i in range(len(self._phi))]

    def jacobian_engine(self, rule, lam=None, own_coef=None) -> list[list]:
        """d field / d phi as nested lists of symengine expressions."""
        return engine.jacobian(self.field_engine(rule, lam, own_coef), self._phi)

    # -- fields and Jacobians -------------------------------------------------
    def field(self, rule, lam=None, own_coef=None) -> sp.Matrix:
        """The update direction of a rule (see :mod:`eqselect.theory.rules`).

        Parameters
        ----------
        rule : Rule, Method or str
        lam, own_coef : number or sympy.Expr, optional
            Override the rule's lambda and own coefficient c. A bare method
            name keeps the symbols ``lambda`` and ``c_own`` (the own
            coefficient c, apart from a payoff symbol c) unless given.

        Returns
        -------
        sympy.Matrix
            Exact. For SOS a Piecewise in the adaptive weight p (`sos_weight`
            with ``SYMBOLIC_OPS``), for SGA v + sign(...) lambda A v
            (`sga_sign`): exact, but nonsmooth where p or the sign switches.
        """
        r = resolve(rule, lam, own_coef, symbolic=True)
        if r.spec.aligned:
            v, av = self.cur, self.symplectic
            g = self.game_jacobian.T * v
            return v + sga_sign(v.dot(g), av.dot(g), len(v)) * r.lam * av
        if r.spec.adaptive:
            u, s, v = self.cur + self.lookahead, self.peer, self.cur
            p = sos_weight(v.dot(v), u.dot(u), s.dot(u), r.sos_a, r.sos_b, SYMBOLIC_OPS)
            return u + p * s
        return sp.Matrix([engine.to_sympy(e) for e in self.field_engine(r)])

    def field_at(self, rule, point, lam=None, own_coef=None) -> list:
        """A rule's field at one point, exactly (SOS: p applied pointwise).

        Parameters
        ----------
        rule : Rule, Method or str
        point : sequence of exact numbers, one per parameter
        lam, own_coef : optional overrides (see `field`)

        Returns
        -------
        list of sympy numbers
        """
        r = resolve(rule, lam, own_coef)
        sub = {s: engine.to_engine(to_exact(x, "point")) for s, x in zip(self._phi, point)}
        if len(sub) != len(self._phi):
            raise OptionsError(f"the point needs {len(self._phi)} coordinates, got {len(point)}")

        def at(exprs):
            return [_exact_number(engine.to_sympy(e.subs(sub))) for e in exprs]

        if not r.spec.adaptive:
            return at(self.field_engine(r))
        if r.spec.aligned:
            v, av = at(self._parts["cur"]), at(self._terms("symplectic"))
            s = pointwise_sga_sign(v, av, [at(row) for row in self._Dv])
            return [_exact_number(x + s * r.lam * y) for x, y in zip(v, av)]
        v, la, s = at(self._parts["cur"]), at(self._parts["lookahead"]), at(self._parts["peer"])
        u = [x + y for x, y in zip(v, la)]
        p = pointwise_sos_weight(v, u, s, r.sos_a, r.sos_b)
        return [_exact_number(x + p * y) for x, y in zip(u, s)]

    def jacobian(self, rule="pg", lam=None, own_coef=None) -> sp.Matrix:
        """The Jacobian d F / d phi of a rule's field, exact (d x d)."""
        rows = self.jacobian_engine(rule, lam, own_coef)
        return sp.Matrix([[engine.to_sympy(e) for e in row] for row in rows])

    def component_jacobian(self, name: str) -> sp.Matrix:
        """The Jacobian of one term (for example J_M of own + peer)."""
        _check_name(name, TERMS)
        rows = engine.jacobian(self._terms(name), self._phi)
        return sp.Matrix([[engine.to_sympy(e) for e in row] for row in rows])

    # -- serialisation and delegations ----------------------------------------
    def to_json(self) -> dict:
        """The ``derive --json`` object (docs/cli.md).

        Keys: game, parameterization, parameters, agents, values,
        components {cur, own, peer, lookahead}, eta, payoff_symbols,
        certified. Large games get ``"subexpressions"``: ``[name, expression]``
        pairs, each in the parameters and the names before it, that the
        values and components refer to.
        """
        game = self.game
        exprs = list(self._values) + [e for name in JSON_COMPONENTS for e in self._parts[name]]
        extra = {}
        ops = sum(se.count_ops(e) for e in exprs)
        if ops > FLAT_JSON_MAX_OPS:
            reps, reduced = se.cse(exprs)
            extra["subexpressions"] = [[str(k), str(v)] for k, v in reps]
            strings = [str(e) for e in reduced]
        else:
            strings = _tidied(exprs, ops <= TIDY_MAX_OPS)
        n, d = game.n_agents, len(game.parameters)
        comps = {name: strings[n + k * d:n + (k + 1) * d]
                 for k, name in enumerate(JSON_COMPONENTS)}
        return {
            "game": game.name, "parameterization": game.parameterization,
            "parameters": [s.name for s in game.parameters],
            "agents": [[s.name for s in block] for block in game.agents],
            "values": strings[:n], "components": comps, **extra,
            "eta": str(self.eta),
            "payoff_symbols": {s.name: str(v) for s, v in game.payoff_symbols.items()},
            "certified": "exact",
        }

    def latex(self, standalone: bool = False) -> str:
        """Paper-ready LaTeX of the game, its values and every component."""
        from eqselect.theory.latex import decomposition_latex

        return decomposition_latex(self, standalone=standalone)

    def series_check(self) -> dict:
        """Check d J_i(phi')/d phi_i = cur + own + peer + la + sla + O(eta^2) exactly."""
        from eqselect.theory.unrolled import series_check

        return series_check(self)


#: Seconds allowed for factoring the printed expressions; past it they are
#: printed as derived (sympy's multivariate factoring can take minutes on
#: payoffs such as exp(-71169/4) + 18584).
TIDY_SECONDS = 5.0
#: Above this many operations in all (a 3x3 softmax game has about 6 500; its
#: factoring takes ~17 s) the expressions are printed as derived without trying,
#: so the printed form depends on the game's size, not on the machine's speed.
TIDY_MAX_OPS = 2500


def _tidied(exprs, factor: bool = True) -> list[str]:
    """Each expression factored for reading (``factor``), or all as derived past the budget."""
    plain = [engine.to_sympy(e) for e in exprs]
    if not factor:
        return [str(e) for e in plain]
    try:
        with limits.deadline("factoring the printed expressions", TIDY_SECONDS):
            return [str(engine.tidy(e)) for e in plain]
    except limits.TimeBudgetExceeded:
        return [str(e) for e in plain]


def _check_name(name: str, valid) -> None:
    if name not in valid and not (valid is TERMS and series_order(name)):
        raise KeyError(f"unknown component {name!r}; valid: {', '.join(valid)}")


def _dot(x, y):
    return sum((a * b for a, b in zip(x, y)), sp.Integer(0))


#: Above this many operations a value at a point is left unsimplified.
SIMPLIFY_MAX_OPS = 400


def _exact_number(x):
    """``x`` in a simpler exact form when it is small and algebraic.

    Rationals stay as they are. A value holding exp or log (a logit or
    softmax point, an entropy term) is left as evaluated: it is exact
    already, and simplifying a rational function of several exponentials
    runs sympy's polynomial gcd over one generator per exponential, minutes
    for the 226-operation values of a 3-player logit game.
    """
    if x.is_Rational or sp.count_ops(x) > SIMPLIFY_MAX_OPS or x.has(sp.exp, sp.log):
        return x
    return sp.simplify(x)
