"""Compiled fields and Jacobians of a `Decomposition`.

A `CompiledField` evaluates one rule's update direction F(phi) and its
Jacobian DF(phi) at many points at once, generated from the exact field.
SOS, whose shaping weight p is chosen pointwise, compiles its exact pieces
(v, cur + la, peer) and applies :func:`eqselect.theory.adaptive.sos_weight`
to every point; its Jacobian is that of the active piece (docs/rules.md).
SGA, whose lambda takes the alignment sign s pointwise, compiles v, A v, H
and the Jacobians of v and A v, and applies
:func:`eqselect.theory.adaptive.sga_sign`; its Jacobian is that of v + s lambda
A v at the point's s. CGD and LSS past the exact inverse's dimension
(``EXACT_INVERSE_MAX_DIM``) compile v and H and solve the linear system at
every point; their Jacobian is then by central differences.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Callable

import numpy as np

from eqselect.theory import Decomposition, engine
from eqselect.theory.exact import to_exact
from eqselect.theory.composite import EXACT_INVERSE_MAX_DIM, LSS_DAMPING
from eqselect.theory.adaptive import SGA_EPSILON, sga_sign, sos_weight
from eqselect.theory.rules import Method, Rule
from eqselect.numerics.rule_argument import require_rule
from eqselect.numerics.codegen import compile_exprs
from eqselect.numerics.differences import central_jacobian, differences_needed


@dataclass(frozen=True)
class CompiledField:
    """F and DF of one rule at fixed coefficients, vectorised.

    Attributes
    ----------
    method : Method
    lam, own_coef : float
    field : callable
        ``field(x)``: x shape (n, d) -> F shape (n, d).
    jacobian : callable
        ``jacobian(x)``: x shape (n, d) -> DF shape (n, d, d).
    rule : Rule
        The rule with its exact coefficients.
    jacobian_kind : {"exact", "central differences"}
        How DF is evaluated: compiled from the exact Jacobian, or, for a
        field past `eqselect.numerics.differences.SYMBOLIC_JACOBIAN_OPS`,
        by central differences of F (about 10 correct digits).
    """

    method: Method
    lam: float
    own_coef: float
    dim: int
    field: Callable[[np.ndarray], np.ndarray]
    jacobian: Callable[[np.ndarray], np.ndarray]
    rule: Rule | None = None
    jacobian_kind: str = "exact"


def compile_field(dec: Decomposition, rule: Rule = Rule(),
                  backend: str = "llvm") -> CompiledField:
    """Compile a rule's field and Jacobian at numeric coefficients.

    Parameters
    ----------
    dec : Decomposition
        Its eta and every payoff symbol must have values: build
        ``Decomposition(game.substitute(), eta=PAPER.eta)`` first.
    rule : Rule
        Method and exact coefficients (`eqselect.theory.rules.resolve` makes
        one from a name).
    backend : str
        See :mod:`eqselect.numerics.codegen`.

    Raises
    ------
    ValueError
        When a symbol other than the parameters is left free.
    OptionsError
        When ``rule`` is not a `Rule`.
    """
    r = require_rule(rule, "compile_field")
    kind = "exact"
    if r.spec.aligned:
        field, jacobian = _sga_functions(dec, r, backend)
    elif r.spec.adaptive:
        field, jacobian = _sos_functions(dec, r, backend)
    elif pointwise_inverse(dec, r):
        field = _solve_function(dec, r, backend)
        jacobian, kind = partial(central_jacobian, field), "central differences"
    elif differences_needed(dec.field_engine(r)):
        field = compile_exprs(dec.field_engine(r), dec.game.parameters, backend=backend)
        jacobian, kind = partial(central_jacobian, field), "central differences"
    else:
        field, jacobian = _linear_functions(dec, r, backend)
    return CompiledField(r.method, float(r.lam), float(r.own_coef), len(dec.parameters),
                         field, jacobian, r, kind)


def _linear_functions(dec: Decomposition, r: Rule, backend: str):
    exprs = dec.field_engine(r)
    d = len(exprs)
    f = compile_exprs(exprs, dec.game.parameters, backend=backend)
    cache = {}

    def jacobian(x):
        # compiled on first use: for large games (the IPD) the Jacobian of a
        # shaped field holds third derivatives of J and costs far more than F
        if "J" not in cache:
            jac = [e for row in dec.jacobian_engine(r) for e in row]
            cache["J"] = compile_exprs(jac, dec.game.parameters, backend=backend)
        out = cache["J"](x)
        return out.reshape(out.shape[:-1] + (d, d))

    return f, jacobian


def pointwise_inverse(dec: Decomposition, r: Rule) -> bool:
    """Whether CGD's or LSS's inverse is taken point by point (d past the exact limit)."""
    return (r.method in (Method.CGD, Method.LSS)
            and len(dec.parameters) > EXACT_INVERSE_MAX_DIM)


def _solve_function(dec: Decomposition, r: Rule, backend: str):
    """CGD's (I - eta H_o)^{-1} v or LSS's (v + H^T H^{-1} v)/2, solved at every point.

    LSS uses the damped inverse (H^T H + delta I)^{-1} H^T at points where H
    is singular (Letcher et al.'s reference code).
    """
    d = len(dec.parameters)
    exprs = dec.term_engine("cur") + [e for row in engine.jacobian(
        dec.term_engine("cur"), dec.parameters_engine()) for e in row]
    f = compile_exprs(exprs, dec.game.parameters, backend=backend)
    eta = float(dec.eta)
    owner = np.array([i for i, s in enumerate(dec.game.slices) for _ in range(s.start, s.stop)])
    off = owner[:, None] != owner[None, :]

    def field(x):
        out = f(x)
        v, H = out[..., :d], out[..., d:].reshape(out.shape[:-1] + (d, d))
        if r.method is Method.CGD:
            return np.linalg.solve(np.eye(d) - eta * H * off, v[..., None])[..., 0]
        w = np.empty_like(v)
        for k in range(v.shape[0]):
            Hk = H[k]
            if np.linalg.matrix_rank(Hk) < d:
                w[k] = np.linalg.solve(Hk.T @ Hk + float(LSS_DAMPING) * np.eye(d), Hk.T @ v[k])
            else:
                w[k] = np.linalg.solve(Hk, v[k])
        return (v + np.einsum("...rc,...r->...c", H, w)) / 2

    return field


def _sga_pieces(dec: Decomposition) -> list:
    """[v, A v, H (row-major)] stacked, as symengine expressions."""
    H = engine.jacobian(dec.term_engine("cur"), dec.parameters_engine())
    return dec.term_engine("cur") + dec.term_engine("symplectic") + [e for row in H for e in row]


def _sga_functions(dec: Decomposition, r: Rule, backend: str):
    d = len(dec.parameters)
    pieces = _sga_pieces(dec)
    f = compile_exprs(pieces, dec.game.parameters, backend=backend)
    lam = float(r.lam)
    cache = {}

    def split(x):
        out = f(x)
        return (out[..., :d], out[..., d:2 * d],
                out[..., 2 * d:].reshape(out.shape[:-1] + (d, d)))

    def sign(v, av, H):
        g = np.einsum("...rc,...r->...c", H, v)  # H^T v
        return sga_sign(np.sum(v * g, -1), np.sum(av * g, -1), d, float(SGA_EPSILON), np.sign)

    def field(x):
        v, av, H = split(x)
        return v + (lam * sign(v, av, H))[..., None] * av

    def jacobian(x):
        if "J" not in cache:
            both = dec.term_engine("cur") + dec.term_engine("symplectic")
            jac = [e for row in engine.jacobian(both, dec.parameters_engine()) for e in row]
            cache["J"] = compile_exprs(jac, dec.game.parameters, backend=backend)
        out = cache["J"](x)
        D = out.reshape(out.shape[:-1] + (2 * d, d))
        v, av, H = split(x)
        return D[..., :d, :] + (lam * sign(v, av, H))[..., None, None] * D[..., d:, :]

    return field, jacobian


class _NumpyOps:
    """`sos_weight`'s branching, vectorised over points."""

    where = staticmethod(np.where)
    minimum = staticmethod(np.minimum)


def _sos_pieces(dec: Decomposition) -> list:
    """[v, u = cur + la, s = peer] stacked, as symengine expressions."""
    v, la, s = (dec.term_engine(k) for k in ("cur", "lookahead", "peer"))
    return v + [a + b for a, b in zip(v, la)] + s


def _sos_functions(dec: Decomposition, r: Rule, backend: str):
    d = len(dec.parameters)
    pieces = _sos_pieces(dec)
    f = compile_exprs(pieces, dec.game.parameters, backend=backend)
    a, b = float(r.sos_a), float(r.sos_b)
    cache = {}

    def split(x):
        out = f(x)
        return out[..., :d], out[..., d:2 * d], out[..., 2 * d:]

    def weight(v, u, s):
        return sos_weight(np.sum(v * v, -1), np.sum(u * u, -1), np.sum(s * u, -1),
                          a, b, _NumpyOps)

    def field(x):
        v, u, s = split(x)
        return u + weight(v, u, s)[..., None] * s

    def jacobian(x):
        if "J" not in cache:
            jac = [e for row in engine.jacobian(pieces, dec.parameters_engine()) for e in row]
            cache["J"] = compile_exprs(jac, dec.game.parameters, backend=backend)
        out = cache["J"](x)
        D = out.reshape(out.shape[:-1] + (3 * d, d))
        Dv, Du, Ds = D[..., :d, :], D[..., d:2 * d, :], D[..., 2 * d:, :]
        v, u, s = split(x)
        p = weight(v, u, s)
        grad_p = _sos_weight_gradient(v, u, s, Dv, Du, Ds, p, a, b)
        return Du + p[..., None, None] * Ds + s[..., :, None] * grad_p[..., None, :]

    return field, jacobian


def _sos_weight_gradient(v, u, s, Dv, Du, Ds, p, a, b):
    """grad p of the active branch of `sos_weight` (0 where p = 1).

    p = ||v||^2 gives 2 Dv^T v; p = -a ||u||^2 / <s, u> gives
    -a (2 Du^T u <s, u> - ||u||^2 (Ds^T u + Du^T s)) / <s, u>^2. At a switch
    of branch p is not differentiable and the branch chosen first is used.
    """
    v_sq, u_sq, dot = np.sum(v * v, -1), np.sum(u * u, -1), np.sum(s * u, -1)
    tu = lambda M, w: np.einsum("...rc,...r->...c", M, w)  # noqa: E731  M^T w
    on_p2 = (v_sq < b * b) & (p == v_sq)
    safe = np.where(dot < 0, dot, -1.0)
    on_p1 = ~on_p2 & (dot < 0) & (p < 1)
    g2 = 2 * tu(Dv, v)
    g1 = -a * (2 * tu(Du, u) * safe[..., None]
               - u_sq[..., None] * (tu(Ds, u) + tu(Du, s))) / (safe ** 2)[..., None]
    return np.where(on_p2[..., None], g2, np.where(on_p1[..., None], g1, 0.0))


@dataclass(frozen=True)
class ParametricField:
    """A rule's field compiled once, its symbols valued at run time.

    Derived from a decomposition whose eta (and payoffs) may be symbols and a
    rule whose lambda and c may be symbols, the field is compiled once (and
    kept in the disk cache, `eqselect.numerics.codegen.cached_llvm`): a new
    eta, lambda, c or payoff is then an evaluation, not a derivation and a
    compilation.

    Attributes
    ----------
    rule : Rule
        With its coefficients as given (numbers or symbols).
    parameters : tuple of Symbol
        The point coordinates, in the order of x's columns.
    symbols : tuple of Symbol
        The run-time symbols, in the order of ``values``.
    evaluate : callable
        ``evaluate(x, values)``: x shape (n, d), values one number per symbol.
    """

    rule: Rule
    parameters: tuple
    symbols: tuple
    evaluate: Callable

    def at(self, values) -> Callable[[np.ndarray], np.ndarray]:
        """``field(x)`` at the values of `symbols` (a mapping by symbol or name, or a sequence)."""
        if hasattr(values, "items"):
            named = {str(k): float(v) for k, v in values.items()}
            missing = [str(s) for s in self.symbols if str(s) not in named]
            if missing:
                raise ValueError(f"no value for {', '.join(missing)}; the field's run-time "
                                 f"symbols are {', '.join(map(str, self.symbols))}")
            values = [named[str(s)] for s in self.symbols]
        q = np.asarray(values, dtype=float).reshape(-1)
        return partial(self.evaluate, p=q)


def compile_parametric(dec: Decomposition, rule: Rule = Rule(),
                       backend: str = "llvm") -> ParametricField:
    """A rule's field with eta, its coefficients and the payoff symbols left free.

    Parameters
    ----------
    dec : Decomposition
        Built with ``eta=None`` (the symbol eta) or a number, on a game whose
        payoffs may keep their symbols.
    rule : Rule
        Its lambda and c may be symbols (``Rule("meta-mapg", lam=sp.Symbol("lam"))``).
    backend : str

    Returns
    -------
    ParametricField
        Its ``symbols`` are every free symbol of the field besides the
        parameters, sorted by name.

    Examples
    --------
    >>> import sympy as sp
    >>> from eqselect.theory import builtin
    >>> f = compile_parametric(Decomposition(builtin("stag-hunt", "direct")), Rule("peer-only",
    ...                        lam=sp.Symbol("lam")))
    >>> [str(s) for s in f.symbols], f.at({"eta": 0.55, "lam": 1.5})([[0.0, 0.0]]).round(12)
    (['eta', 'lam'], array([[0.475, 0.475]]))
    """
    r = require_rule(rule, "compile_parametric")
    exprs = dec.field_engine(r)
    coords = {engine.to_engine(s) for s in dec.game.parameters}
    free = set().union(*(e.free_symbols for e in exprs)) - coords
    symbols = tuple(sorted(free, key=str))
    f = compile_exprs(exprs, dec.game.parameters, params=symbols, backend=backend)
    return ParametricField(r, tuple(dec.game.parameters),
                           tuple(engine.to_sympy(s) for s in symbols), f)


def compile_components(dec: Decomposition, backend: str = "llvm") -> Callable:
    """All five components at once: ``f(x)`` -> shape (n, 5, d) in COMPONENTS order."""
    from eqselect.theory import COMPONENTS

    exprs = [e for name in COMPONENTS for e in dec.term_engine(name)]
    d = len(dec.game.parameters)
    f = compile_exprs(exprs, dec.game.parameters, backend=backend)

    def components(x):
        out = f(x)
        return out.reshape(out.shape[:-1] + (len(COMPONENTS), d))

    return components


def field_at_precision(dec: Decomposition, rule: Rule = Rule(), x=(), dps: int = 50) -> list:
    """F(x) in mpmath at ``dps`` digits (x as strings or exact numbers keeps it exact).

    ``rule`` is a `Rule`; SOS applies its weight p to the mpmath values of
    its pieces.

    Examples
    --------
    >>> import sympy as sp
    >>> from eqselect.theory import builtin
    >>> dec = Decomposition(builtin("stag-hunt", "logit"))
    >>> [abs(v) < 1e-45 for v in field_at_precision(dec, Rule("pg"), x=[sp.log(2), sp.log(2)])]
    [True, True]
    """
    import mpmath
    import sympy as sp

    from eqselect.numerics.codegen import compile_mpmath

    r = require_rule(rule, "field_at_precision")
    d = len(dec.parameters)
    if r.spec.aligned:
        out = compile_mpmath(_sga_pieces(dec), dec.game.parameters, dps=dps)(list(x))
        v, av, H = out[:d], out[d:2 * d], out[2 * d:]
        g = [sum(H[c * d + k] * v[c] for c in range(d)) for k in range(d)]
        s = sga_sign(sum(a * b for a, b in zip(v, g)), sum(a * b for a, b in zip(av, g)), d,
                     SGA_EPSILON, lambda t: (t > 0) - (t < 0))
        lam = mpmath.mpf(int(sp.numer(r.lam))) / int(sp.denom(r.lam))
        return [a + s * lam * b for a, b in zip(v, av)]
    if not r.spec.adaptive:
        return compile_mpmath(dec.field_engine(r), dec.game.parameters, dps=dps)(list(x))
    out = compile_mpmath(_sos_pieces(dec), dec.game.parameters, dps=dps)(list(x))
    v, u, s = out[:d], out[d:2 * d], out[2 * d:]
    p = sos_weight(sum(t * t for t in v), sum(t * t for t in u),
                   sum(t * w for t, w in zip(s, u)), r.sos_a, r.sos_b)
    return [t + p * w for t, w in zip(u, s)]


def field_exact(dec: Decomposition, rule: Rule = Rule(), point=()) -> list:
    """F at an exact point, exactly (sympy numbers; SOS with p applied exactly).

    Examples
    --------
    >>> import sympy as sp
    >>> from eqselect.theory import builtin
    >>> dec = Decomposition(builtin("stag-hunt", "direct"), eta=sp.Rational(11, 20))
    >>> field_exact(dec, Rule("peer-only", 1.5), point=[0, 0])
    [19/40, 19/40]
    """
    from eqselect.numerics.codegen import evaluate_exact

    r = require_rule(rule, "field_exact")
    if r.spec.adaptive:
        return dec.field_at(r, point)
    if pointwise_inverse(dec, r):
        return _solved_exact(dec, r, [to_exact(v) for v in point])
    exprs = dec.field_engine(r)
    return evaluate_exact(exprs, dec.game.parameters, [to_exact(v) for v in point])



def _solved_exact(dec: Decomposition, r: Rule, point: list) -> list:
    """CGD's or LSS's field at an exact point: v and H exact, the system solved exactly."""
    import sympy as sp

    from eqselect.numerics.codegen import evaluate_exact

    d = len(point)
    v_exprs = dec.term_engine("cur")
    H_exprs = [e for row in engine.jacobian(v_exprs, dec.parameters_engine()) for e in row]
    out = evaluate_exact(v_exprs + H_exprs, dec.game.parameters, point)
    v, H = sp.Matrix(out[:d]), sp.Matrix(d, d, out[d:])
    if r.method is Method.CGD:
        owner = [i for i, s in enumerate(dec.game.slices) for _ in range(s.start, s.stop)]
        M = sp.Matrix(d, d, lambda i, j: (i == j) - (dec.eta * H[i, j]
                                                      if owner[i] != owner[j] else 0))
        return list(M.LUsolve(v))
    w = (H.T * H + LSS_DAMPING * sp.eye(d)).LUsolve(H.T * v) if H.det() == 0 else H.LUsolve(v)
    return list((v + H.T * w) / 2)
