"""Exact unrolled meta-gradients and the series check of the decomposition.

With the inner map T(phi) = phi + eta v(phi) and phi^(L) = T^L(phi), agent i's
L-step meta-gradient is the exact derivative d J_i(phi^(L)) / d phi_i. For
L = 1 its Taylor series in eta is

    d J_i(phi') / d phi_i = cur_i + (own_i + peer_i + la_i + sla_i) + O(eta^2),

where the bracket is linear in eta (Decomposition's components).

LOLA's series. When only the opponents step, agent i's exact meta-gradient
is m_i(eta) = d J_i(phi_i, phi_{-i} + eta v_{-i}(phi)) / d phi_i (Foerster
et al. 2018's objective before its Taylor expansion). Its series

    m_i(eta) = cur_i + (la_i + peer_i) + sum_{k >= 2} eta^k m_i^(k)(0) / k!

has LOLA (cur + la + peer, Letcher et al. 2019) as its first-order
truncation; higher-order LOLA of order n (HOLA) is the truncation at eta^n.
Differentiation in phi and expansion in eta commute, so this is also the
gradient of the n-th order expansion of J_i(phi_i, phi_{-i} + eta v_{-i}).
"""

from __future__ import annotations

import math

import symengine as se
import sympy as sp

from eqselect.theory import engine

_ETA_SERIES = se.Symbol("eta_series")


def unrolled_meta_gradient(dec, steps: int = 1, eta=None) -> sp.Matrix:
    """The exact L-step meta-gradient (d J_i(phi^(L)) / d phi_i)_i.

    Parameters
    ----------
    dec : Decomposition
    steps : int
        L >= 1 inner steps.
    eta : number or sympy.Expr, optional
        Inner learning rate; defaults to the decomposition's.

    Returns
    -------
    sympy.Matrix, shape (d, 1)

    Notes
    -----
    Built by substitution, so expressions grow with L; meant for small games
    and few steps. :func:`eqselect.numerics.unrolled.meta_gradient` evaluates
    any L numerically by the chain rule through the inner steps.
    """
    eta = engine.to_engine(dec.eta if eta is None else eta)
    return sp.Matrix([engine.to_sympy(e) for e in _meta_gradient_engine(dec, steps, eta)])


def _meta_gradient_engine(dec, steps: int, eta) -> list:
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    phi, v, values = dec.parameters_engine(), dec.term_engine("cur"), dec.values_engine()
    current = list(phi)
    for _ in range(steps):
        sub = dict(zip(phi, current))
        current = [c + eta * vk.subs(sub) for c, vk in zip(current, v)]
    sub = dict(zip(phi, current))
    out = []
    for i, s in enumerate(dec.game.slices):
        value = values[i].subs(sub)
        out += [value.diff(phi[r]) for r in range(s.start, s.stop)]
    return out


def series_residuals(dec) -> tuple[list, list]:
    """Zeroth- and first-order residuals of the one-step series, symbolic.

    Returns ``(r0, r1)`` with r0 = m(0) - cur and
    r1 = dm/deta(0) - (own + peer + la + sla) / eta, m(eta) the exact one-step
    meta-gradient; both vanish identically when the decomposition is right.
    """
    eta_value = engine.to_engine(dec.eta)
    m = _meta_gradient_engine(dec, 1, _ETA_SERIES)
    parts = {k: dec.term_engine(k) for k in ("cur", "own", "peer", "lookahead", "self_lookahead")}
    first = [sum((parts[k][r] for k in ("own", "peer", "lookahead", "self_lookahead")),
                 se.Integer(0)) for r in range(len(m))]
    r0, r1 = [], []
    for r, mr in enumerate(m):
        r0.append(mr.subs({_ETA_SERIES: 0}) - parts["cur"][r])
        r1.append(mr.diff(_ETA_SERIES).subs({_ETA_SERIES: 0}) - first[r] / eta_value)
    return r0, r1


def series_check(dec) -> dict:
    """Decide exactly that the one-step series matches the decomposition.

    Returns
    -------
    dict
        ``{"holds": bool, "certified": "exact", "order0": [bool], "order1": [bool]}``
        per parameter.
    """
    r0, r1 = series_residuals(dec)
    z0 = [engine.is_exactly_zero(engine.to_sympy(e)) for e in r0]
    z1 = [engine.is_exactly_zero(engine.to_sympy(e)) for e in r1]
    return {"holds": all(z0) and all(z1), "certified": "exact", "order0": z0, "order1": z1}


def opponent_meta_gradient(dec, eta=None) -> list:
    """m(eta) = (d J_i(phi_i, phi_{-i} + eta v_{-i}(phi)) / d phi_i)_i, symengine.

    Only the opponents of agent i take the inner step (LOLA's objective).
    ``eta`` is a symbol or number (default: the decomposition's).
    """
    phi, v, values = dec.parameters_engine(), dec.term_engine("cur"), dec.values_engine()
    eta = engine.to_engine(dec.eta if eta is None else eta)
    out = []
    for i, s in enumerate(dec.game.slices):
        mine = range(s.start, s.stop)
        sub = {phi[k]: phi[k] + eta * v[k] for k in range(len(phi)) if k not in mine}
        value = values[i].subs(sub)
        out += [value.diff(phi[r]) for r in mine]
    return out


def lola_series_terms(dec, order: int) -> dict:
    """The eta^k terms of LOLA's series, k = 2..order, at the decomposition's eta.

    Returns ``{k: [eta^k m_r^(k)(0) / k! for each parameter r]}`` (symengine);
    order 1 (LOLA) adds none. The terms are cached on ``dec``.
    """
    cache = dec.__dict__.setdefault("_lola_series", {})
    missing = [k for k in range(2, order + 1) if k not in cache]
    if missing:
        m = opponent_meta_gradient(dec, _ETA_SERIES)
        eta = engine.to_engine(dec.eta)
        for k in missing:
            scale = eta ** k / se.Integer(math.factorial(k))
            cache[k] = [scale * mr.diff(_ETA_SERIES, k).subs({_ETA_SERIES: 0}) for mr in m]
    return {k: cache[k] for k in range(2, order + 1)}
