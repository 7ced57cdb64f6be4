"""Continuation checked against independent computations on games no other test names.

The oracle is built here from the payoff tensors and the paper's formulas
(docs/theory.md section 2): J_i the expected payoff, cur_i = grad_i J_i,
peer_i = eta sum_{j != i} D_ij^T grad_j J_i with D_ij = d(grad_j J_j)/d phi_i,
F = cur + lambda peer, in sympy with exact payoffs (sqrt(2) kept as a
surd) and evaluated at 30 digits. A vertex of the simplex product is a fixed
point of the projected dynamics iff F . (v_j - v_s) <= 0 for every other
vertex v_j of each agent's simplex (the tangent cone at v_s is spanned by
those edges), strictly for a stable one.
"""

from __future__ import annotations

import itertools

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from eqselect.numerics.continuation.corners import corner_fixed_points
from eqselect.numerics.continuation.system import extended_field
from eqselect.numerics.fixed_points.exact_faces.enumeration import region_blocks
from eqselect.theory import Decomposition, Rule, normal_form_game

ETA = sp.Rational(11, 20)
LAM = sp.Symbol("lam")
#: A symmetric 3x3 coordination game with an irrational payoff: the pure
#: profile (0, 0) is a strict Nash equilibrium (sqrt(2) > 1 > 0).
SQRT2_3X3 = [[[sp.sqrt(2), 0, 1], [0, 2, 0], [1, 0, 1]]] * 2


def _oracle_field(payoffs, eta=ETA):
    """(F as sympy expressions in (probabilities, lambda), the symbols per agent):
    the peer-only field of the direct parameterisation (first m_i - 1 probabilities)."""
    payoffs = [np.array(p, dtype=object) for p in payoffs]
    shape = payoffs[0].shape
    syms = [[sp.Symbol(f"q{i}_{k}") for k in range(m - 1)] for i, m in enumerate(shape)]
    probs = [s + [1 - sum(s)] for s in syms]
    J = [sum(p[prof] * sp.prod([probs[i][a] for i, a in enumerate(prof)])
             for prof in itertools.product(*map(range, shape))) for p in payoffs]
    grad = [[sp.diff(J[i], s) for s in syms[i]] for i in range(len(shape))]
    F = []
    for i, si in enumerate(syms):
        for k, s in enumerate(si):
            peer = sum(sp.diff(grad[j][r], s) * sp.diff(J[i], syms[j][r])
                       for j in range(len(shape)) if j != i for r in range(len(syms[j])))
            F.append(sp.expand(grad[i][k] + LAM * eta * peer))
    return F, syms


def _vertex_fixed(F, syms, profile, lam):
    """(fixed, strictly) for the pure ``profile`` at ``lam``, from the tangent cone."""
    point = {}
    for s, a in zip(syms, profile):
        point.update({x: int(k == a) for k, x in enumerate(s)})
    vals = [sp.N(f.subs(point).subs(LAM, lam), 30) for f in F]
    dots, off = [], 0
    for i, s in enumerate(syms):
        v = lambda k: [int(k == j) for j in range(len(s))]  # noqa: E731
        here = v(profile[i])
        for k in range(len(s) + 1):
            if k != profile[i]:
                dots.append(sum(vals[off + j] * (v(k)[j] - here[j]) for j in range(len(s))))
        off += len(s)
    return all(x <= 0 for x in dots), all(x < 0 for x in dots)


def test_vertices_with_an_irrational_payoff_are_tracked_exactly():
    game = normal_form_game(SQRT2_3X3, "direct")
    system = extended_field(Decomposition(game, eta=ETA), Rule("peer-only"))
    branches, events, notes = corner_fixed_points(system, (0, 2), blocks=region_blocks(game))
    assert not [n for n in notes if "skipped" in n]
    F, syms = _oracle_field(SQRT2_3X3)
    lams = [sp.Rational(k, 8) for k in range(17)]
    for profile in itertools.product(range(3), repeat=2):
        label = "pure " + str(profile)
        covered = [br for br in branches if br.face == label]
        for lam in lams:
            fixed, strict = _vertex_fixed(F, syms, profile, lam)
            on = [br for br in covered if br.points[0, 0] - 1e-12 <= lam <= br.points[-1, 0]
                  + 1e-12]
            if strict:
                assert on and on[0].stability[0].value == "stable", (profile, lam)
            elif not fixed:
                assert not on, (profile, lam)
