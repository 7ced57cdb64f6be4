"""Corners of the box (and pure profiles of a simplex product) as fixed points, exactly in p.

Under the direct parameterisation with two actions per agent (BOX region)
every corner c in {0, 1}^d is a fixed point of the projected dynamics while
F(c, p) points outward in every coordinate (F_k <= 0 where c_k = 0,
F_k >= 0 where c_k = 1). With more actions (SIMPLEX region) a pure profile
is one while every KKT multiplier G_{s0} - G_j is >= 0
(`eqselect.numerics.continuation.faces`). F(c, p) is a polynomial in p (affine in lambda for
the shaped methods; in a payoff parameter a polynomial in a rational power of
it, as with a payoff sqrt(a)), so the values of p where it stops (or starts)
being one are its real roots, isolated exactly (sympy, `real_roots`), and
reported as "boundary" events.

In Stag Hunt (direct, peer-only, eta = 11/20) the risk-dominant corner
(0, 0) stops being a fixed point at lambda = 2 / (3 eta) = 40/33.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import symengine as se
import sympy as sp

from eqselect.theory.engine import to_engine, to_sympy
from eqselect.theory.exact import to_exact

from eqselect.numerics.continuation.results import Branch, BranchStatus, Event, EventType
from eqselect.numerics.continuation.system import ExtendedField
from eqselect.numerics.fixed_points.exact_faces.enumeration import faces
from eqselect.numerics.fixed_points.core.record import Stability

#: Corners are tracked exactly up to this many parameters (2^d corners).
MAX_CORNER_DIM = 8
#: Simplex vertices (pure profiles) are tracked exactly up to this many.
MAX_VERTICES = 256


def corner_fixed_points(system: ExtendedField, window, corners=None, blocks=None):
    """Exact windows of p where box corners are fixed points of the projected dynamics.

    A corner c is a fixed point while s_k F_k(c, p) >= 0 for every k, with
    s_k = -1 where c_k = 0 and +1 where c_k = 1 (the field points out of the
    box). Each F_k(c, p) is a polynomial in p: its real roots are isolated
    exactly (sympy), and the status is decided exactly between them. With
    simplex ``blocks`` the vertices are the pure profiles (one action per
    block) and the signs are the KKT multipliers G_{s0} - G_j
    (`eqselect.numerics.continuation.faces`).

    Parameters
    ----------
    system : ExtendedField
    window : (float, float)
        p_min < p_max.
    corners : iterable of tuples in {0, 1}^d, optional
        Defaults to all 2^d corners (box only).
    blocks : tuple of tuple of int, optional
        The region's simplex blocks (`region_blocks`); then every vertex of
        the product of simplices is tried and ``corners`` is ignored.

    Returns
    -------
    branches : list of Branch
        One per maximal window of p where a corner is fixed (kind "corner",
        stable when every component points strictly outward).
    events : list of Event
        "boundary" events (exact value in ``exact_value``) where a corner
        stops or starts being a fixed point inside the window.
    notes : list of str

    Examples
    --------
    >>> from eqselect.theory import Decomposition, Rule, builtin
    >>> from eqselect.numerics.continuation.system import extended_field
    >>> dec = Decomposition(builtin("stag-hunt", "direct"), eta=0.55)
    >>> _, ev, _ = corner_fixed_points(extended_field(dec, Rule("peer-only")), (0, 3), [(0, 0)])
    >>> ev[0].exact_value, ev[0].point
    (40/33, (0.0, 0.0))
    """
    d = system.dim
    sym = sp.Symbol(system.symbol.name)
    lo, hi = (to_exact(window[0], "p_min"), to_exact(window[1], "p_max"))
    branches, events, notes = [], [], []
    for c, mults, supports in _vertices(d, corners, blocks):
        try:
            roots, cuts, status = _corner_status(system, c, mults, sym, lo, hi)
        except (sp.PolynomialError, sp.GeneratorsNeeded, NotImplementedError,
                TypeError) as err:
            notes.append(f"corner {tuple(c)}: the sign of F in {sym} could not be decided "
                         f"exactly ({type(err).__name__}: {err}); skipped")
            continue
        point = tuple(float(v) for v in c)
        label = _label(system, c, supports)
        for i, r in enumerate(roots):
            if status[i][0] != status[i + 1][0]:
                events.append(Event(EventType.BOUNDARY, float(r), point, exact_value=r,
                                    note=f"corner {tuple(int(v) for v in c)} "
                                         f"{'stops' if status[i][0] else 'starts'} being "
                                         f"a fixed point as {sym} increases",
                                    parameter=system.parameter))
        branches += [replace(_corner_branch(system, point, cuts[a], cuts[b + 1], strict, lo, hi),
                             face=label) for a, b, strict in _runs(status)]
    return branches, events, notes


def _vertices(d: int, corners, blocks) -> list:
    """(point, multipliers (s0, j), supports or None) of every vertex tried."""
    if blocks is not None:
        return [(f.q, [m[:2] for m in f.multipliers], f.supports) for f in faces(blocks, d)
                if all(len(S) == 1 for S in f.supports)]
    corners = itertools.product((0, 1), repeat=d) if corners is None else corners
    return [(tuple(int(v) for v in c), [(k, None) if c[k] else (None, k) for k in range(d)],
             None) for c in corners]


def _label(system, c, supports) -> str:
    names = [s.name for s in system.phi]
    if supports is None:
        return "; ".join(f"{n} = {int(v)}" for n, v in zip(names, c))
    return "pure " + str(tuple(S[0] for S in supports))


def _corner_status(system, c, mults, sym, lo, hi):
    """(roots in (lo, hi), cuts, [(fixed, strictly) per interval]) of one corner, exactly.

    ``mults`` lists (s0, j) per bound direction: the multiplier G_{s0} - G_j,
    an index None standing for G = 0.
    """
    d = system.dim
    phi = [to_engine(s) for s in system.phi]
    subs = {phi[k]: se.Integer(int(c[k])) for k in range(d)}
    comps = [sp.expand(to_sympy(e.subs(subs)).xreplace({system.symbol: sym}))
             for e in system.exprs]
    G = lambda i: sp.Integer(0) if i is None else comps[i]  # noqa: E731
    signed = [sp.expand(G(ref) - G(j)) for ref, j in mults]
    roots = sorted({r for s in signed if s.free_symbols
                    for r in real_roots(s, sym) if lo < r < hi}, key=lambda r: float(r))
    cuts = [lo, *roots, hi]
    status = []
    for a, b in zip(cuts[:-1], cuts[1:]):
        mid = sp.Rational(a + b, 2) if (a.is_Rational and b.is_Rational) else \
            to_exact(float((a + b) / 2))
        vals = [s.xreplace({sym: mid}) for s in signed]
        status.append((all(bool(v >= 0) for v in vals), all(bool(v > 0) for v in vals)))
    return roots, cuts, status


def real_roots(expr, sym) -> list:
    """The real roots of ``expr`` in ``sym``, exact and isolated.

    1. A polynomial in ``sym`` whose coefficients may be algebraic (a payoff
       sqrt(2)) or hold a constant such as E is read over the field they
       generate (``extension=True``); sympy isolates its real roots through
       the norm, a rational polynomial (Loos 1983): each root is a `CRootOf`
       or a surd.
    2. A payoff with rational powers of the parameter (sqrt(a), a^(3/2)) is a
       polynomial in u = a^(1/k), k the least common denominator of the
       exponents, on a >= 0: its roots u >= 0 give a = u^k.
    3. Otherwise sympy's ``solveset`` over the reals, when it returns a
       finite set of real numbers.

    Raises
    ------
    NotImplementedError
        When none of the three gives the roots exactly.

    Examples
    --------
    >>> lam, a = sp.Symbol("lam"), sp.Symbol("a")
    >>> real_roots(sp.sqrt(2) * lam - 1, lam), real_roots(sp.sqrt(a) - 2, a)
    ([sqrt(2)/2], [4])
    """
    try:
        return sp.Poly(expr, sym, extension=True).real_roots()
    except sp.PolynomialError:
        pass
    k = math.lcm(1, *(int(e.exp.q) for e in expr.atoms(sp.Pow)
                      if e.base == sym and e.exp.is_Rational))
    if k > 1:
        u = sp.Dummy("u", nonnegative=True)
        try:
            poly = sp.Poly(sp.expand(sp.powsimp(expr.xreplace({sym: u ** k}), force=True)), u,
                           extension=True)
            return sorted({r ** k for r in poly.real_roots() if r >= 0}, key=float)
        except sp.PolynomialError:
            pass
    found = sp.solveset(expr, sym, sp.S.Reals)
    if isinstance(found, sp.FiniteSet) and all(r.is_real for r in found):
        return sorted(found, key=float)
    raise NotImplementedError(f"no exact real roots of {str(expr)[:80]} in {sym}")


def _runs(status):
    """Maximal runs (first, last, strict) of intervals where the corner is fixed."""
    out, run = [], None
    for i, (fixed, strict) in enumerate(status):
        if fixed and run is None:
            run = [i, strict]
        elif fixed:
            run[1] = run[1] and strict
        if run is not None and (not fixed or i == len(status) - 1):
            out.append((run[0], i if fixed else i - 1, run[1]))
            run = None
    return out


def _corner_branch(system, point, a, b, strict, lo, hi) -> Branch:
    d = system.dim
    rows = np.array([[float(a), *point], [float(b), *point]])
    stab = Stability.STABLE if strict else Stability.DEGENERATE
    events = []
    for idx, v in ((0, a), (1, b)):
        if v != lo and v != hi:
            events.append(Event(EventType.BOUNDARY, float(v), point, index=idx, exact_value=v,
                                note="corner fixed point ends", parameter=system.parameter))
    notes = () if strict else ("a component of F vanishes at the corner over the window",)
    eig = np.full(0, 0j) if d else np.zeros(0)
    return Branch(system.parameter, rows, (stab, stab), (eig, eig), tuple(events),
                  BranchStatus.FIXED, notes, kind="corner")


__all__ = ["MAX_CORNER_DIM", "MAX_VERTICES", "corner_fixed_points", "real_roots"]
