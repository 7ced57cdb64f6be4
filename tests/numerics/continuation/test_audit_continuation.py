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


def _oracle_field(payoffs, eta=ETA, logit=False):
    """(F as sympy expressions in (parameters, lambda), the symbols per agent): the
    peer-only field of the direct parameterisation (first m_i - 1 probabilities), or
    with ``logit`` of p_i = 1 / (1 + exp(-theta_i)) (two actions each)."""
    payoffs = [np.array(p, dtype=object) for p in payoffs]
    shape = payoffs[0].shape
    syms = [[sp.Symbol(f"q{i}_{k}") for k in range(m - 1)] for i, m in enumerate(shape)]
    probs = [s + [1 - sum(s)] for s in syms]
    if logit:
        probs = [[1 / (1 + sp.exp(-s[0])), 1 - 1 / (1 + sp.exp(-s[0]))] for s in syms]
    J = [sum(p[prof] * sp.prod([probs[i][a] for i, a in enumerate(prof)])
             for prof in itertools.product(*map(range, shape))) for p in payoffs]
    grad = [[sp.diff(J[i], s) for s in syms[i]] for i in range(len(shape))]
    F = []
    for i, si in enumerate(syms):
        for k, s in enumerate(si):
            peer = sum(sp.diff(grad[j][r], s) * sp.diff(J[i], syms[j][r])
                       for j in range(len(shape)) if j != i for r in range(len(syms[j])))
            F.append(grad[i][k] + LAM * eta * peer)
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
    lams = [sp.Rational(k, 4) for k in range(9)]
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


#: A symmetric three-player coordination game (each player's payoff depends on
#: how many others match it): along the symmetric branch phi = (1/2, 1/2, 1/2)
#: a double eigenvalue of D_phi F crosses 0 (at lambda = 10/11 for eta = 11/20).
THREE_PLAYER = [[[[3, 0], [0, 1]], [[0, 1], [1, 2]]]] * 3


def _oracle_jacobian(payoffs, logit=False):
    F, syms = _oracle_field(payoffs, logit=logit)
    flat = [s for block in syms for s in block]
    return sp.lambdify([LAM, *flat], sp.Matrix(F).jacobian(flat), "mpmath"), \
        sp.lambdify([LAM, *flat], F, "mpmath")


def _unstable(J) -> int:
    """Eigenvalues with positive real part, from mpmath at 30 digits."""
    with mp.workdps(30):
        return sum(1 for z in mp.eig(mp.matrix(J))[0] if mp.re(z) > mp.mpf(10) ** -20)


def test_every_stability_change_on_a_branch_is_a_located_event():
    from eqselect.numerics.continuation.pseudo_arclength import (ContinuationOptions,
                                                                 ContinuationProblem,
                                                                 continuation)

    dec = Decomposition(normal_form_game(THREE_PLAYER, "direct"), eta=ETA)
    br = continuation(ContinuationProblem(dec, Rule("peer-only"), (0.5, 0.5, 0.5), 0.0),
                      options=ContinuationOptions(ds=0.02, p_min=0, p_max=2))
    jac, field = _oracle_jacobian(THREE_PLAYER)
    counts = [_unstable(jac(*row)) for row in br.points]
    spectral = [e for e in br.events if e.type.value in ("fold", "branch", "hopf")]
    changes = [k for k in range(1, len(counts)) if counts[k] != counts[k - 1]]
    assert changes  # the symmetric branch turns from saddle to unstable
    for k in changes:
        lo, hi = br.points[k - 1, 0], br.points[k, 0]
        assert any(min(lo, hi) - 1e-9 <= e.value <= max(lo, hi) + 1e-9 for e in spectral)
    for e in spectral:
        with mp.workdps(30):
            z = sorted(abs(x) for x in mp.eig(mp.matrix(jac(e.value, *e.point)))[0])
            assert max(abs(v) for v in field(e.value, *e.point)) < 1e-9
        assert z[0] < 1e-8 and z[1] < 1e-8  # a double zero eigenvalue: a degenerate branch point
    assert abs(spectral[0].value - 10 / 11) < 1e-9
    # no note speaks of an event that was dropped
    kinds = {e.type.value for e in br.events}
    assert all(n.split(":")[0] in kinds for n in br.notes if "event location" in n)


#: Chicken (row payoff [[0, -1], [1, -10]], index 0 = swerve): under logit the
#: interior branch of peer-only folds twice for lambda in (0, 3).
CHICKEN = [[[0, -1], [1, -10]], [[0, 1], [-1, -10]]]


def test_folds_are_singular_turning_points_and_every_point_is_a_zero():
    from eqselect.numerics.continuation.branches import continue_in_lambda

    dec = Decomposition(normal_form_game(CHICKEN, "logit"), eta=ETA)
    res = continue_in_lambda(dec, Rule("peer-only"), (0, 3))
    jac, field = _oracle_jacobian(CHICKEN, logit=True)
    with mp.workdps(30):
        for br in res.branches:
            for row in br.points:
                assert max(abs(v) for v in field(*row)) < 1e-9
        folds = [(br, e) for br in res.branches for e in br.events if e.type.value == "fold"]
        assert len(folds) == 2
        for br, e in folds:
            assert abs(mp.det(mp.matrix(jac(e.value, *e.point)))) < 1e-8
            lams = br.points[:, 0]
            k = e.index
            before, after = lams[max(k - 3, 0):k], lams[k + 1:k + 4]
            # a turning point: the branch reaches lambda there from one side and goes back
            side = np.sign(lams[k] - before[-1])
            assert np.all(side * (lams[k] - before) > 0) and np.all(side * (lams[k] - after) > 0)


#: Each player gets 1 unless both play their second action: at lambda = 1 / eta
#: the peer-only field is F = (p1 - p2, p2 - p1), fixed on the whole diagonal,
#: whose branch point with the branch phi = (1, 1) lies on the box's corner.
CORNER_BRANCH_POINT = [[[1, 1], [1, 0]], [[1, 1], [1, 0]]]


def test_a_branch_point_on_the_boundary_is_switched_into_the_region():
    from eqselect.numerics.continuation.branches import continue_in_lambda

    dec = Decomposition(normal_form_game(CORNER_BRANCH_POINT, "direct"), eta=ETA)
    res = continue_in_lambda(dec, Rule("peer-only"), (0, 2))
    _, field = _oracle_jacobian(CORNER_BRANCH_POINT)
    at = float(1 / ETA)
    vertical = [br for br in res.branches if br.kind == "interior" and
                np.ptp(br.points[:, 0]) < 1e-9 and abs(br.points[0, 0] - at) < 1e-9]
    assert vertical, [(b.kind, b.points[[0, -1]].tolist()) for b in res.branches]
    pts = np.vstack([br.points for br in vertical])
    with mp.workdps(30):
        assert max(abs(v) for row in pts for v in field(*row)) < 1e-9
    assert np.allclose(pts[:, 1], pts[:, 2], atol=1e-9)  # the diagonal
    assert pts[:, 1].min() < 1e-6 and pts[:, 1].max() > 1 - 1e-6  # from (0, 0) to (1, 1)
    assert not [n for n in res.notes if "could not be started" in n]


def test_a_branch_continued_in_a_payoff_saturates_where_the_vertex_gradient_vanishes():
    # Stag Hunt with stag worth a, logit, peer-only at lambda = 3/2: near the pure
    # profile (C, C) every component is s_i (g_i + O(s)) with g_1 = cur_1 at p = (1, 1)
    # = (a - 0 - 3 + 2) + (0 - 2) = a - 3 (docs/theory.md section 2), so the mixed
    # branch runs off to that vertex as a decreases to 3.
    from eqselect.numerics.continuation.branches import continue_in_parameter

    a = sp.Symbol("a")
    payoffs = [[[a, 0], [3, 2]], [[a, 3], [0, 2]]]
    dec = Decomposition(normal_form_game(payoffs, "logit", payoff_symbols={a: 4}), eta=ETA)
    F, syms = _oracle_field(payoffs, logit=True)
    field = sp.lambdify([a, *(s for b in syms for s in b)],
                        [f.subs(LAM, sp.Rational(3, 2)) for f in F], "mpmath")
    for window in ((6, 2),):
        res = continue_in_parameter(dec, Rule("peer-only", lam=sp.Rational(3, 2)), "a", window)
        ends = [e for e in res.events if e.type.value == "saturation"]
        assert len(ends) == 1 and abs(ends[0].value - 3) < 1e-6, res.events
        assert not [n for n in res.notes if "ds_min" in n]
        with mp.workdps(30):
            rows = [r for br in res.branches for r in (*br.points[::4], br.points[-1])]
            assert max(abs(v) for row in rows for v in field(*row)) < 1e-9


def test_the_diagram_of_a_window_without_branches_shows_the_window_and_says_so():
    # the zero game under logit: every point is fixed, no regular seed, no branch
    from eqselect.numerics.continuation.branches import continue_in_lambda
    from eqselect.numerics.plots.bifurcation import bifurcation_diagram

    dec = Decomposition(normal_form_game([[[0, 0], [0, 0]]] * 2, "logit"), eta=ETA)
    res = continue_in_lambda(dec, Rule("pg"), (1, 4))
    assert not res.branches
    fig = bifurcation_diagram(res)
    lo, hi = fig.axes[0].get_xlim()
    assert lo <= 1 and hi >= 4 and hi - lo < 3.5
    assert any("no branch" in t.get_text() for t in fig.axes[0].texts)


def test_quantal_response_branches_followed_in_a_symbolic_temperature():
    # Stag Hunt under logit with tau H(pi_i) added to J_i: dJ_1/dtheta_1 =
    # sigma'(theta_1) (3 p_2 - 2 - tau theta_1) (dH/dp = log((1 - p)/p) = -theta), so a
    # fixed point of PG solves tau theta_1 = 3 sigma(theta_2) - 2 and its mirror; on the
    # diagonal D F is singular where tau = 3 sigma (1 - sigma), the fold of the QRE
    # correspondence where the two branches near (C, C) and the mixed point are born.
    from eqselect.numerics.continuation.branches import continue_in_parameter
    from eqselect.theory import builtin, entropy_regularized

    tau = sp.Symbol("tau", positive=True)
    dec = Decomposition(entropy_regularized(builtin("stag-hunt", "logit"), tau), eta=ETA)
    res = continue_in_parameter(dec, Rule("pg"), "tau", (2, 0.1))
    sig = lambda t: 1 / (1 + mp.exp(-t))  # noqa: E731
    with mp.workdps(30):
        for br in res.branches:
            for t, x1, x2 in br.points:
                assert abs(t * x1 - (3 * sig(x2) - 2)) < 1e-9
                assert abs(t * x2 - (3 * sig(x1) - 2)) < 1e-9
        theta = mp.findroot(lambda th: th * 3 * sig(th) * (1 - sig(th)) - (3 * sig(th) - 2), 2)
        fold_tau = 3 * sig(theta) * (1 - sig(theta))
    folds = [e for e in res.events if e.type.value == "fold"]
    assert len(folds) == 1
    assert abs(folds[0].value - float(fold_tau)) < 1e-8
    assert np.allclose(folds[0].point, [float(theta)] * 2, atol=1e-6)
    assert all(e.parameter == "tau" for e in res.events)


def test_a_window_reaching_1e300_raises_no_overflow(direct_sh):
    import warnings

    from eqselect.numerics.continuation.branches import continue_in_lambda

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = continue_in_lambda(direct_sh, Rule("peer-only"), (0, 1e300))
    # the same events as on [0, 3]: every one of Stag Hunt's lies below lambda = 40/33
    assert [round(e.value, 9) for e in res.events] == [0.606060606] * 3 + [1.212121212]


@pytest.mark.parametrize("lam", [0.7, 2.2])
def test_branch_ends_are_the_fixed_points_the_exact_search_finds(lam):
    # the resultant route of find_equilibria (certified real-root isolation) is an
    # independent solver: at the window's end the branches hold exactly its finite
    # fixed points (Chicken, logit: one below the first fold, three between the folds)
    from eqselect.numerics.continuation.branches import continue_in_lambda
    from eqselect.numerics.fixed_points.find import find_equilibria

    dec = Decomposition(normal_form_game(CHICKEN, "logit"), eta=ETA)
    res = continue_in_lambda(dec, Rule("peer-only"), (0, lam))
    ends = {tuple(np.round(br.points[i, 1:], 6)) for br in res.branches for i in (0, -1)
            if abs(br.points[i, 0] - lam) < 1e-12}
    found = find_equilibria(dec, Rule("peer-only", lam=sp.nsimplify(lam)))
    assert found.complete
    exact = {tuple(np.round([float(v) for v in e.point], 6)) for e in found.equilibria}
    assert ends == exact and len(exact) == (1 if lam < 1.88 else 3)


def test_corners_of_a_payoff_with_a_square_root_of_the_parameter():
    # row payoff [[a, 0], [sqrt(a), 2]]: F at a corner is a polynomial in sqrt(a), not in a
    a = sp.Symbol("a")
    payoffs = [[[a, 0], [sp.sqrt(a), 2]], [[a, sp.sqrt(a)], [0, 2]]]
    game = normal_form_game(payoffs, "direct", payoff_symbols={a: 4})
    rule = Rule("peer-only", lam=sp.Rational(3, 2))
    system = extended_field(Decomposition(game, eta=ETA), rule, "a")
    branches, events, notes = corner_fixed_points(system, (1, 9))
    assert not [n for n in notes if "skipped" in n]
    F, syms = _oracle_field(payoffs)
    F = [f.subs(LAM, sp.Rational(3, 2)) for f in F]
    for corner in itertools.product((0, 1), repeat=2):
        label = f"p1 = {corner[0]}; p2 = {corner[1]}"
        for value in [sp.Rational(9, 8) + k for k in range(8)]:
            profile = tuple(1 - c for c in corner)  # p_i = 1: agent i plays its action 0
            fixed, strict = _vertex_fixed([f.subs(a, value) for f in F], syms, profile, 0)
            on = [br for br in branches if br.face == label and
                  br.points[0, 0] - 1e-12 <= value <= br.points[-1, 0] + 1e-12]
            assert bool(on) == fixed, (corner, value)
            if strict:
                assert on[0].stability[0].value == "stable"


def test_a_window_ending_on_a_fold_keeps_every_branch_inside_it():
    # Chicken under logit: the branch has a minimum of lambda (a fold) near 1.8845,
    # both halves above it; a window [0, fold] seeds at the fold from its far end
    from eqselect.numerics.continuation.branches import continue_in_lambda

    dec = Decomposition(normal_form_game(CHICKEN, "logit"), eta=ETA)
    whole = continue_in_lambda(dec, Rule("peer-only"), (0, 3))
    fold = min(e.value for e in whole.events if e.type.value == "fold")
    for window in ((0, fold), (fold, 0)):
        res = continue_in_lambda(dec, Rule("peer-only"), window)
        rows = np.vstack([br.points for br in res.branches])
        assert rows[:, 0].min() >= -1e-12 and rows[:, 0].max() <= fold + 1e-9
        assert len(res.branches) == 1


#: Rock-paper-scissors: at the centre (1/3, 1/3) of both simplices D_phi F has two
#: equal complex pairs (the game's cyclic symmetry), both crossing the imaginary
#: axis as lambda passes 0 (plain PG: a centre).
RPS = [[[0, -1, 1], [1, 0, -1], [-1, 1, 0]], [[0, 1, -1], [-1, 0, 1], [1, -1, 0]]]


def test_a_double_hopf_point_of_a_symmetric_game_is_located():
    from eqselect.numerics.continuation.pseudo_arclength import (ContinuationOptions,
                                                                 ContinuationProblem,
                                                                 continuation)

    dec = Decomposition(normal_form_game(RPS, "direct"), eta=ETA)
    third = 1 / 3
    br = continuation(ContinuationProblem(dec, Rule("peer-only"), (third,) * 4, -1.0),
                      options=ContinuationOptions(ds=0.02, p_min=-1, p_max=2))
    jac, _ = _oracle_jacobian(RPS)
    counts = [_unstable(jac(*row)) for row in br.points]
    changes = [k for k in range(1, len(counts)) if counts[k] != counts[k - 1]]
    hopf = [e for e in br.events if e.type.value == "hopf"]
    assert changes and len(hopf) == 1
    for k in changes:
        assert min(br.points[k - 1, 0], br.points[k, 0]) - 1e-9 <= hopf[0].value <= \
            max(br.points[k - 1, 0], br.points[k, 0]) + 1e-9
    with mp.workdps(30):
        z = mp.eig(mp.matrix(jac(hopf[0].value, *hopf[0].point)))[0]
    assert all(abs(mp.re(x)) < 1e-8 and abs(mp.im(x)) > 1 for x in z)  # two pairs on iR
    assert abs(hopf[0].value) < 1e-9
