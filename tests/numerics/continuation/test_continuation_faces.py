"""Edge and face fixed points followed in lambda (direct parameterisation, box and simplex).

The oracle is an independent exact computation in this file: the peer-only
field built with sympy from the payoff tensors and the paper's formulas
(cur_i = grad_i J_i, peer_i = eta sum_j D_ij^T grad_j J_i), restricted to a
face by hand (the support probabilities of the unused actions at 0, the
tangential equations G_k = G_s0 solved in closed form), with the KKT
multipliers G_s0 - G_j and the boundary events as exact roots in lambda.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp

from eqselect.numerics.continuation.branches import continue_in_lambda
from eqselect.numerics.continuation.face_branches import FaceTracker, support_of
from eqselect.numerics.continuation.faces import FaceField, face_of
from eqselect.numerics.continuation.pseudo_arclength import ContinuationOptions
from eqselect.numerics.continuation.results import EventType
from eqselect.numerics.continuation.system import extended_field
from eqselect.numerics.fixed_points.exact_faces.enumeration import region_blocks
from eqselect.numerics.fixed_points.exact_faces.projected import projected_fixed_points
from eqselect.numerics.fixed_points.core.record import Stability
from eqselect.theory import Decomposition, Rule, normal_form_game

ETA = sp.Rational(11, 20)
LAM = sp.Symbol("lam")
#: An edge branch p2 = 0 leaves its edge into the interior as the multiplier
#: -F_2 vanishes (lambda ~ 0.1469); the interior branch then reaches p1 = 1.
EDGE_2X2 = [[[-5, 3], [-5, -2]], [[0, 0], [-4, 5]]]
#: A face branch on the edge p1 = 1 reaches the corner (1, 1) as p2 -> 1.
EDGE_2X2_B = [[[2, -4], [-2, 5]], [[-1, 0], [-2, -4]]]
#: Faces of the simplex product: supports (0, 1) x (0, 2) -> (1,) x (0, 2) -> pure (1, 2).
SIMPLEX_3X3 = [[[4, -3, -4], [-2, -1, 3], [-1, -4, -2]], [[1, 3, 3], [5, -3, 4], [-5, 1, -2]]]
SIMPLEX_3X3_B = [[[-1, -1, -5], [-3, -2, -2], [1, 0, 2]], [[4, 4, 3], [5, -2, 4], [5, -3, 0]]]


# -- the independent exact oracle -------------------------------------------------------
def _oracle(payoffs):
    """(blocks of sympy parameters, peer-only field F(lam)) of a normal-form game, direct."""
    shape = np.array(payoffs).shape[1:]
    blocks = [sp.symbols(f"x{i}_0:{m - 1}") for i, m in enumerate(shape)]
    probs = [[*b, 1 - sum(b)] for b in blocks]
    arr = np.array(payoffs)
    J = [sum(sp.Integer(int(arr[(i, *a)])) * sp.Mul(*(probs[k][a[k]] for k in range(len(shape))))
             for a in itertools.product(*(range(m) for m in shape)))
         for i in range(len(shape))]
    grad = [[[sp.diff(J[i], v) for v in blocks[j]] for j in range(len(shape))]
            for i in range(len(shape))]
    F = []
    for i, bi in enumerate(blocks):
        for c, v in enumerate(bi):
            peer = sum(sp.diff(grad[j][j][a], v) * grad[i][j][a]
                       for j in range(len(shape)) if j != i for a in range(len(blocks[j])))
            F.append(sp.expand(grad[i][i][c] + LAM * ETA * peer))
    return blocks, F


def _face_solution(blocks, F, supports):
    """On the face with these supports: (point as functions of lam, multipliers, probabilities)."""
    flat = [v for b in blocks for v in b]
    G, pinned, eqs, unknowns = {}, {}, [], []
    k = 0
    for b, S in zip(blocks, supports):
        m = len(b) + 1
        G[b] = [*F[k:k + m - 1], sp.Integer(0)]
        k += m - 1
        for j in range(m - 1):
            if j not in S:
                pinned[b[j]] = sp.Integer(0)
        if m - 1 not in S:  # the last action unused: sum of the block = 1
            s0 = min(S)
            pinned[b[s0]] = 1 - sum(b[j] for j in range(m - 1) if j != s0)
    pinned = {v: sp.sympify(e).xreplace(pinned) for v, e in pinned.items()}
    for b, S in zip(blocks, supports):
        s0 = max(S)
        eqs += [G[b][kk] - G[b][s0] for kk in S if kk != s0]
    unknowns = [v for v in flat if v not in pinned]
    eqs = [sp.together(e.xreplace(pinned)) for e in eqs]
    sol = sp.solve(eqs, unknowns, dict=True) if unknowns else [{}]
    assert len(sol) == 1, "the oracle expects an isolated face branch"
    full = {**{v: e.xreplace(sol[0]) for v, e in pinned.items()}, **sol[0]}
    point = [sp.simplify(full.get(v, v)) for v in flat]
    mults, probs = [], []
    for b, S in zip(blocks, supports):
        s0 = max(S)
        mults += [sp.simplify(G[b][s0].xreplace(dict(zip(flat, point))) -
                              G[b][j].xreplace(dict(zip(flat, point))))
                  for j in range(len(b) + 1) if j not in S]
        pb = [*(point[flat.index(v)] for v in b), 1 - sum(point[flat.index(v)] for v in b)]
        probs += [sp.simplify(pb[j]) for j in S]
    return point, mults, probs


def _roots(exprs, lo=0, hi=3):
    out = set()
    for e in exprs:
        num = sp.numer(sp.together(e))
        if num.free_symbols:
            out |= {r for r in sp.Poly(num, LAM).real_roots() if lo < r < hi}
    return sorted(out, key=float)


def _supports_of(branch, blocks):
    mid = branch.points[len(branch.points) // 2, 1:]
    return support_of(blocks, mid)


def _check_face_branches(payoffs, n_faces_min):
    """Every face branch against the oracle: points, KKT signs, events at exact roots."""
    game = normal_form_game(payoffs, "direct")
    res = continue_in_lambda(Decomposition(game, eta=float(ETA)), Rule("peer-only"), (0, 3))
    blocks, F = _oracle(payoffs)
    lib_blocks = region_blocks(game)
    face_branches = [b for b in res.branches if b.kind == "face"]
    assert len(face_branches) >= n_faces_min
    n_events = 0
    for br in face_branches:
        supports = _supports_of(br, lib_blocks)
        point, mults, probs = _face_solution(blocks, F, supports)
        for row in br.points:
            lam = sp.Rational(row[0])
            exact = [float(e.xreplace({LAM: lam})) for e in point]
            assert np.max(np.abs(np.array(exact) - row[1:])) < 1e-8
            assert all(float(m.xreplace({LAM: lam})) >= -1e-9 for m in mults)
            assert all(float(p.xreplace({LAM: lam})) >= -1e-9 for p in probs)
        roots = _roots(mults + probs)
        for ev in br.events:
            if ev.type is EventType.BOUNDARY:
                n_events += 1
                assert min(abs(float(r) - ev.value) for r in roots) < 1e-9
    return res, n_events


# -- box edges ---------------------------------------------------------------------------
def test_edge_branch_leaves_its_edge_at_the_exact_multiplier_root():
    res, n_events = _check_face_branches(EDGE_2X2, 2)
    assert n_events >= 1
    # the edge p2 = 0: F_1(p1, 0) = 0 and -F_2 >= 0 until -F_2 = 0 at an exact root
    blocks, F = _oracle(EDGE_2X2)
    (x1,), (x2,) = blocks
    p1 = sp.solve(F[0].xreplace({x2: 0}), x1)[0]
    mult = sp.together(-F[1].xreplace({x2: 0, x1: p1}))
    roots = _roots([mult])
    edge = [b for b in res.branches if b.face == "p2 = 0"]
    assert len(edge) == 1
    ev = edge[0].events[-1]
    assert ev.type is EventType.BOUNDARY and "p2 leaves 0" in ev.note
    assert any(abs(float(r) - ev.value) < 1e-10 for r in roots)
    # the branch carries on into the interior from that point, then reaches p1 = 1
    interior = [b for b in res.branches if b.kind == "interior"
                and np.max(np.abs(b.points[0, 1:] - ev.point)) < 1e-9]
    assert len(interior) == 1 and interior[0].events[-1].type is EventType.BOUNDARY
    assert [b.face for b in res.branches if b.kind == "face"].count("p1 = 1") == 1


def test_edge_branch_reaches_a_corner_where_the_corner_starts_being_fixed():
    res, _ = _check_face_branches(EDGE_2X2_B, 1)
    edge = next(b for b in res.branches if b.face == "p1 = 1")
    end = edge.events[-1]
    corner = next(e for e in res.events if e.exact_value is not None
                  and e.point == (1.0, 1.0))
    assert "p2 reaches 1" in end.note
    assert abs(end.value - float(corner.exact_value)) < 1e-10


def test_face_branches_start_at_the_exact_projected_fixed_points():
    """At lambda = 3 every isolated projected fixed point on an edge starts a face branch,
    with the stability of the exact face-by-face search."""
    dec = Decomposition(normal_form_game(EDGE_2X2, "direct"), eta=float(ETA))
    res = continue_in_lambda(dec, Rule("peer-only"), (3, 0))
    exact = [e for e in projected_fixed_points(dec, Rule("peer-only", lam=3))
             if sum(0 < float(v) < 1 for v in e.exact) == 1]
    assert exact
    for e in exact:
        rows = [(b, i) for b in res.branches for i, r in enumerate(b.points)
                if r[0] == 3 and np.max(np.abs(r[1:] - np.array(e.point, float))) < 1e-9]
        assert len(rows) == 1
        br, i = rows[0]
        assert br.kind == "face" and br.stability[i] is e.stability


# -- simplex faces ------------------------------------------------------------------------
@pytest.mark.parametrize("payoffs", [SIMPLEX_3X3, SIMPLEX_3X3_B])
def test_simplex_face_branches_match_the_exact_oracle(payoffs):
    res, n_events = _check_face_branches(payoffs, 2)
    assert n_events >= 2
    assert any(b.kind == "corner" and b.face.startswith("pure") for b in res.branches)


def test_simplex_face_hands_over_to_the_pure_profile():
    res = continue_in_lambda(Decomposition(normal_form_game(SIMPLEX_3X3, "direct"),
                                           eta=float(ETA)), Rule("peer-only"), (0, 3))
    vertex = next(b for b in res.branches if b.face == "pure (1, 2)")
    blocks, F = _oracle(SIMPLEX_3X3)
    (a0, a1), (b0, b1) = blocks
    at = {a0: 0, a1: 1, b0: 0, b1: 0}
    # pure (1, 2): multipliers G_1 - G_0 and G_1 - G_2 (agent 1), G_2 - G_0, G_2 - G_1 (agent 2)
    mults = [F[1] - F[0], F[1], -F[2], -F[3]]
    start = min(_roots([m.xreplace(at) for m in mults]), key=lambda r: abs(float(r) - 1.8))
    assert vertex.points[0, 0] == pytest.approx(float(start), abs=1e-12)
    face = next(b for b in res.branches if b.face == "p1 support (1,); p2 support (0, 2)")
    assert abs(face.events[-1].value - float(start)) < 1e-9


# -- the restricted field itself -----------------------------------------------------------
def test_restricted_field_is_the_projected_dynamics_on_the_face():
    """G = W F(P y + q) with W P = I: its Jacobian is the face part of D_phi F."""
    dec = Decomposition(normal_form_game(SIMPLEX_3X3, "direct"), eta=float(ETA))
    base = extended_field(dec, Rule("peer-only"))
    blocks = region_blocks(dec.game)
    fs = FaceField(base, face_of(blocks, ((0, 1), (0, 2)), 4), blocks,
                   tuple(s.name for s in base.phi))
    assert fs.dim == 2 and np.allclose(fs.W @ fs.P, np.eye(2))
    y, lam, h = np.array([0.3, 0.6]), 0.7, 1e-6
    J = fs.jacobian(y, lam)
    fd = np.column_stack([(fs.field(y + h * e, lam) - fs.field(y - h * e, lam)) / (2 * h)
                          for e in np.eye(2)])
    assert np.allclose(J[:, :2], fd, atol=1e-6)
    assert fs.label == "p1 support (0, 1); p2 support (0, 2)"
    assert set(fs.transitions.values()) == {((1,), (0, 2)), ((0,), (0, 2)),
                                            ((0, 1), (0,)), ((0, 1), (2,)),
                                            ((0, 1, 2), (0, 2)), ((0, 1), (0, 1, 2))}


# -- three players (box, d = 3) --------------------------------------------------------------
def test_three_player_box_gets_its_face_branches():
    payoffs = [[[[3, -5], [-4, -3]], [[-4, 3], [4, 1]]],
               [[[-5, -4], [-2, -1]], [[1, 0], [-3, -4]]],
               [[[2, 3], [-5, -4]], [[-1, -1], [4, 0]]]]
    dec = Decomposition(normal_form_game(payoffs, "direct"), eta=float(ETA))
    res = continue_in_lambda(dec, Rule("peer-only"), (0, 3))
    faces = [b for b in res.branches if b.kind == "face"]
    assert {b.face for b in faces} >= {"p1 = 0", "p3 = 1", "p1 = 0; p3 = 0"}
    base = extended_field(dec, Rule("peer-only"))
    for br in faces:
        pinned = dict(part.split(" = ") for part in br.face.split("; "))
        free = [k for k, s in enumerate(base.phi) if s.name not in pinned]
        for row, stab in zip(br.points, br.stability):
            F = base.field(row[1:], row[0])
            assert np.max(np.abs(F[free])) < 1e-9  # the restricted field vanishes
            for name, v in pinned.items():  # the pinned field points out of the box
                k = [s.name for s in base.phi].index(name)
                assert row[1 + k] == float(v)
                assert (F[k] if v == "1" else -F[k]) >= -1e-9
                if stab is Stability.STABLE:
                    assert (F[k] if v == "1" else -F[k]) > 1e-9
    assert any(e.type is EventType.BOUNDARY and e.exact_value is None for e in res.events)


def test_face_tracking_stops_at_its_time_budget_and_says_so():
    dec = Decomposition(normal_form_game(SIMPLEX_3X3, "direct"), eta=float(ETA))
    base = extended_field(dec, Rule("peer-only"))
    problem = dict(dec=dec, method=Rule("peer-only"), parameter="lam",
                   region=dec.game.region)
    opts = ContinuationOptions(ds=0.02, p_min=0.0, p_max=3.0)
    spent = FaceTracker(problem, base, region_blocks(dec.game), opts, budget=0.0)
    spent.seed(0.0, 1.0)
    assert not spent.branches
    assert len(spent.notes) == 1 and "time budget of 0 s" in spent.notes[0]
    full = FaceTracker(problem, base, region_blocks(dec.game), opts)
    full.seed(0.0, 1.0)
    assert full.branches and not full.notes


def test_stag_hunt_edge_branches_in_closed_form():
    """Stag Hunt (direct, peer-only): on the edge p2 = 0, F_1 = -2 + 3 lam eta (3 p1 + 1) = 0
    gives p1 = (2 / (3 lam eta) - 1) / 3, from the corner at 40/33 to the interior at 20/33,
    where -F_2 = -(z - 1)(z - 2) / z (z = 3 lam eta) vanishes."""
    from eqselect.theory import builtin

    res = continue_in_lambda(Decomposition(builtin("stag-hunt", "direct"), eta=0.55),
                             Rule("peer-only"), (0, 3))
    for face, free in (("p2 = 0", 0), ("p1 = 0", 1)):
        br = next(b for b in res.branches if b.face == face)
        lam = br.points[:, 0]
        assert np.max(np.abs(br.points[:, 1 + free] - (2 / (1.65 * lam) - 1) / 3)) < 1e-9
        assert np.all(br.points[:, 2 - free] == 0.0)
        # handed over at 20/33 from the line of fixed points switched to there
        ends = sorted([br.points[0, 0], br.points[-1, 0]])
        assert ends == pytest.approx([20 / 33, 40 / 33], abs=1e-10)
        assert br.events[-1].value == pytest.approx(40 / 33, abs=1e-10)
        assert set(br.stability[1:-1]) == {Stability.SADDLE}
