"""Verdicts recomputed from the definitions on games the other tests do not name.

Each expected value comes from an independent sympy derivation of PAPER's
quantities (J_i, v, peer, M, the vertex multipliers), written here without
the package's helpers, and is compared with what the checker decides.
"""

import itertools
import json

import numpy as np
import pytest
import sympy as sp

from eqselect.numerics.shaping import ShapingField
from eqselect.proofs_check import adapter, rates
from eqselect.proofs_check.basin_entry import check_a3
from eqselect.proofs_check.check import check_game, point_report
from eqselect.proofs_check.choice import Candidate, choose_candidates, expected_payoffs
from eqselect.proofs_check.persistence import check_a5
from eqselect.proofs_check.verdict import Certified
from eqselect.proofs_check.welfare import check_a4
from eqselect.theory import PAPER, Decomposition, entropy_regularized, normal_form_game
from eqselect.theory.errors import OptionsError
from eqselect.theory.rules import Rule
from eqselect.theory.serialize import jsonable

ETA = sp.Rational(11, 20)
BIG = 10 ** 299  # the largest payoff magnitude a game file may hold is 10^300


def _direct_2x2(A, B):
    """(p, J, v, peer) of the direct 2x2 game, p_i = P(agent i plays action 0) (PAPER 2)."""
    p1, p2 = sp.symbols("q1 q2")
    x, y = sp.Matrix([p1, 1 - p1]), sp.Matrix([p2, 1 - p2])
    J1 = sp.expand((x.T * sp.Matrix(A) * y)[0])
    J2 = sp.expand((x.T * sp.Matrix(B) * y)[0])
    g1, g2 = sp.diff(J1, p1), sp.diff(J2, p2)
    # peer_i = eta D_ij^T grad_j J_i, D_ij = d(grad_j J_j)/d p_i
    peer = (ETA * sp.diff(g2, p1) * sp.diff(J1, p2), ETA * sp.diff(g1, p2) * sp.diff(J2, p1))
    return (p1, p2), (J1, J2), (g1, g2), peer


def _welfare_product(A, B):
    """g = <peer, grad W>, W = J_1 + J_2, and the parameters."""
    p, J, _, peer = _direct_2x2(A, B)
    W = J[0] + J[1]
    return sp.expand(sum(peer[k] * sp.diff(W, p[k]) for k in range(2))), p


def _shaping(A, B, method="peer-only"):
    game = normal_form_game([A, B], "direct", name="audit")
    return ShapingField(Decomposition(game, eta=PAPER.eta), Rule(method))


# One payoff dwarfs the others: g's negative set near a vertex of [0, 1]^2 is far
# thinner than the subdivision's boxes, whose enclosures the large coefficient of
# p1 p2 swamps; 10^299 also exceeds what sympy factors in reasonable time.
@pytest.mark.parametrize("A, B", [
    ([[10 ** 6, 0], [3, 2]], [[10 ** 6, 3], [0, 2]]),
    ([[BIG, 0], [3, 2]], [[BIG, 3], [0, 2]]),
    ([[BIG, -2], [3, -1]], [[BIG, 3], [-2, 0]]),
])
def test_a4_with_a_dwarfing_payoff_is_decided_exactly(A, B):
    g, p = _welfare_product(A, B)
    # g is affine in p1 and in p2: its minimum over the box is at a corner
    corners = {c: g.subs(dict(zip(p, c))) for c in itertools.product((0, 1), repeat=2)}
    verdict = check_a4(_shaping(A, B), max_boxes=400)
    assert verdict.certified is Certified.EXACT
    assert verdict.holds is bool(min(corners.values()) >= 0)
    if verdict.holds is False:
        point = tuple(verdict.values["counterexample"])
        assert corners[point] < 0 and verdict.values["value_there"] == corners[point]


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # the overflow
def test_a5_with_payoffs_past_double_range_keeps_its_exact_verdict():
    """The numerical continuation overflows at 10^299; the exact solve in lambda decides."""
    A, B = [[BIG, 0], [3, 2]], [[BIG, 3], [0, 2]]
    sf = _shaping(A, B)
    game = sf.dec.game
    p, _, v, peer = _direct_2x2(A, B)
    # R = (D, D) is the vertex p = (0, 0): the multipliers of v + lambda peer there are
    # -v_k - lambda peer_k; R stops being a stable fixed point where the first reaches 0
    at = dict(zip(p, (0, 0)))
    stops = min(-v[k].subs(at) / peer[k].subs(at) for k in range(2) if peer[k].subs(at) > 0)
    reports = []
    for vertex, strategies in (((1, 1), ((1.0, 0.0), (1.0, 0.0))),
                               ((0, 0), ((0.0, 1.0), (0.0, 1.0)))):
        c = Candidate(str(vertex), tuple(map(float, vertex)), tuple(map(sp.Integer, vertex)),
                      strategies, True, False, expected_payoffs(game, strategies))
        reports.append(point_report(sf, c))
    verdict = check_a5(sf, *reports, 3.0)
    assert verdict.holds is True and verdict.certified is Certified.EXACT
    assert sp.Rational(verdict.values["selection_global_beyond"]) == stops
    assert "continuation failed" in verdict.evidence["continuation"]


# Payoffs of (C, C) and (D, D) that differ in the 14th significant digit: the
# payoff-dominant and welfare-maximal equilibrium is (D, D), exactly; no tie.
@pytest.mark.parametrize("low, high", [
    (10 ** 13, 10 ** 13 + 1),
    (sp.Integer(1), 1 + sp.Rational(1, 10 ** 13)),
    (sp.sqrt(2), sp.sqrt(2) + sp.Rational(1, 10 ** 14)),
])
@pytest.mark.parametrize("preferred", ["payoff-dominant", "welfare"])
def test_near_equal_payoffs_choose_the_exactly_better_profile(low, high, preferred):
    A = [[low, 0], [0, high]]
    game = normal_form_game([A, [list(r) for r in zip(*A)]], "logit", name="near-tie",
                            action_names=[["C", "D"], ["C", "D"]])
    # strict pure Nash profiles and their payoff vectors, from the matrices
    strict = [(i, i) for i in range(2) if A[i][i] > A[1 - i][i]]
    pays = {a: (A[a[0]][a[1]], A[a[1]][a[0]]) for a in strict}
    best = [a for a in strict if all(x >= y for o in strict for x, y in zip(pays[a], pays[o]))]
    assert best == [(1, 1)]
    choice = choose_candidates(game, [], preferred)
    assert choice.P.label == "D,D" and choice.R.label == "C,C"
    assert choice.ties == ()


def _stag_hunt_logit():
    A = [[4, 0], [3, 2]]
    return normal_form_game([A, [list(r) for r in zip(*A)]], "logit", name="stag",
                            action_names=[["C", "D"], ["C", "D"]])


@pytest.mark.parametrize("text", ["payoff_dominant", "-1", "1.5", "welfar"])
def test_a_preferred_that_is_no_profile_names_the_valid_forms(text):
    with pytest.raises(OptionsError) as err:
        choose_candidates(_stag_hunt_logit(), [], text)
    msg = str(err.value)
    assert repr(text) in msg and "payoff-dominant, welfare" in msg and "C,C or 0,0" in msg


def test_a_profile_without_an_equilibrium_is_named_as_typed():
    # (C, D) is no Nash profile of the Stag Hunt (the row player gains 3 > 0 by playing
    # D), and the stable candidates (C, C), (D, D) differ from it by a whole action
    with pytest.raises(OptionsError, match=r"--preferred 'C,D' \(action indices 0,1\)"):
        choose_candidates(_stag_hunt_logit(), [], "C,D")


def test_a5_is_asked_about_the_exact_closed_range(monkeypatch):
    """With lambda = 40/297, P = (C, D) stops being stable at exactly 2 lambda = 80/297,
    which is no float: A5 must be decided on [0, 80/297], not on [0, float(80/297)]
    (`eqselect check --lam 40/297` on this game: A5 fails, exact)."""
    A, B = [[4, 1], [5, -3]], [[-3, 3], [-2, -5]]  # strict Nash (C, D) and (D, C)
    p, _, v, peer = _direct_2x2(A, B)
    # P = (C, D) (payoffs (1, 3) against (5, -2), welfare 4 > 3) is the vertex
    # p = (1, 0): multipliers +F_1 and -F_2 of F = v + lambda peer
    at, sign = dict(zip(p, (1, 0))), (1, -1)
    mv = [sign[k] * v[k].subs(at) for k in range(2)]
    mM = [sign[k] * peer[k].subs(at) for k in range(2)]
    stops = min(-a / b for a, b in zip(mv, mM) if b < 0)
    assert min(mv) > 0 and stops == sp.Rational(80, 297)
    assert sp.Rational(repr(float(stops))) < stops  # the float range would miss it
    import eqselect.proofs_check.check as check_module
    from eqselect.proofs_check.persistence import A5
    from eqselect.proofs_check.verdict import not_applicable

    asked = []

    def record(sf, P, R, lam_max):  # the exact route's cost is not what is tested here
        asked.append((P, lam_max))
        return not_applicable("A5", A5, "recorded")

    monkeypatch.setattr(check_module, "check_a5", record)
    game = normal_form_game([A, B], "direct", name="audit", action_names=[["C", "D"]] * 2)
    check_game(game, Rule("peer-only", lam=stops / 2), statements=False, sampling=None,
               n_seeds=8)
    (P, lam_max), = asked
    assert P.exact == (1, 0) and lam_max == stops



def test_a3_does_not_apply_when_p_is_the_saddle():
    """--preferred 2 in the direct Stag Hunt names the interior fixed point (2/3, 2/3),
    a saddle: it has no basin, so A3 (about the separatrix between P's and R's basins)
    does not apply; it is neither proven nor refuted."""
    A, B = [[4, 0], [3, 2]], [[4, 3], [0, 2]]
    p, _, v, _ = _direct_2x2(A, B)
    (x,) = [s for s in sp.solve(list(v), p, dict=True) if all(0 < s[q] < 1 for q in p)]
    Jv = sp.Matrix(v).jacobian(p).subs(x)
    assert (x[p[0]], x[p[1]]) == (sp.Rational(2, 3),) * 2 and Jv.det() < 0  # a saddle
    sf = _shaping(A, B)
    fps = adapter.fixed_points(sf.dec, Rule("pg", lam=0), n_seeds=8)
    k = next(k for k, fp in enumerate(fps.points) if fp.exact == (x[p[0]], x[p[1]]))
    choice = choose_candidates(sf.dec.game, fps.points, k)
    verdict = check_a3(sf, fps.points, point_report(sf, choice.P), point_report(sf, choice.R))
    assert verdict.holds is None and "no basin" in verdict.reason


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # tested for
@pytest.mark.parametrize("big", [False, True])
def test_the_estimator_lemma_is_not_refuted_by_overflow(big):
    """At payoffs of 10^299 the sampled returns' products overflow: NaN z-scores decide
    nothing (and are no JSON); at the Stag Hunt's payoffs the lemma holds."""
    A = [[BIG if big else 4, 0], [3, 2]]
    B = [list(r) for r in zip(*A)]
    game = normal_form_game([A, B], "logit", name="audit")
    dec = Decomposition(game, eta=PAPER.eta)
    payoffs = np.array([A, B], dtype=float)
    verdict = rates.check_estimator(adapter.compiled_components(dec), [0.3, -0.4], payoffs,
                                    float(dec.eta), n_rep=400)
    assert verdict.holds is (None if big else True)
    json.dumps(jsonable(verdict.values), allow_nan=False)


def test_a3_past_double_range_is_undecided_not_a_crash():
    """Logit Stag Hunt shape with a = 10^150: J_v at the saddle overflows to inf, so
    the separatrix cannot be traced in floating point; A3 says so."""
    A = [[10 ** 150, 0], [3, 2]]
    game = normal_form_game([A, [list(r) for r in zip(*A)]], "logit", name="audit")
    sf = ShapingField(Decomposition(game, eta=PAPER.eta), Rule("peer-only"))
    fps = adapter.fixed_points(sf.dec, Rule("pg", lam=0), n_seeds=8)
    assert any(fp.stability == "saddle" for fp in fps.points)
    choice = choose_candidates(game, fps.points)
    verdict = check_a3(sf, fps.points, point_report(sf, choice.P), point_report(sf, choice.R))
    assert verdict.holds is None and "floating point" in verdict.reason


def test_no_p_from_an_incomplete_list_is_not_stated_as_a_fact():
    """Under entropy no profile lies at infinity: an empty list that is not proven
    complete (Newton found nothing) says nothing about the game's equilibria."""
    A = [[4, 0], [3, 2]]
    game = entropy_regularized(
        normal_form_game([A, [list(r) for r in zip(*A)]], "logit", name="audit"),
        sp.Rational(1, 4))
    (found,) = choose_candidates(game, [], complete=False).notes
    assert "has no stable equilibrium" not in found and "was found" in found
    (proven,) = choose_candidates(game, [], complete=True).notes
    assert "has no stable equilibrium" in proven


@pytest.mark.parametrize("scale", [sp.Integer(1), sp.Integer(10) ** 200])
def test_a0_at_a_log_point_is_exact_and_scale_free(scale):
    """Stag Hunt under logit, payoffs times 1 and 10^200: v's interior zero is
    theta = (log 2, log 2), own vanishes there, and the shift -J_v^{-1} M scales
    with the payoffs (J_v by c, M by c^2), computed here from the decomposition
    in sympy, independently of the checker's routes."""
    from eqselect.numerics.fixed_points.find import find_equilibria
    from eqselect.proofs_check.local import check_a0

    A = sp.Matrix([[4, 0], [3, 2]]) * scale
    dec = Decomposition(normal_form_game([A, A.T], "logit"), eta=PAPER.eta)
    sf = ShapingField(dec, Rule("meta-mapg"))
    verdict = check_a0(sf, find_equilibria(dec, Rule("pg")).equilibria)
    assert verdict.holds is True and verdict.certified is Certified.EXACT
    sub = {t: sp.log(2) for t in dec.game.parameters}
    assert all(sp.simplify(x.xreplace(sub)) == 0 for x in dec.own)
    want = -sf.J_v.xreplace(sub).LUsolve(sf.M.xreplace(sub))
    (point,) = verdict.values.values()
    assert sp.simplify(point["shift_direction"] - want) == sp.zeros(2, 1)
    assert sp.simplify(want[0] / scale) == sp.Rational(-11, 30)


def test_a_face_pressure_past_double_range_decides_nothing():
    """mu_M read as NaN or inf at the face's end points: A1 and A2 are not decided."""
    from eqselect.proofs_check.face_alignment import check_face_a1, check_face_a2
    from eqselect.theory.outcomes import Outcome

    P, R = (Outcome(name, "face", ((0, 0, k), (1, 0, k))) for name, k in (("C,C", 0), ("D,D", 1)))
    margin = {"mu_M": float("nan"), "median": float("nan"), "positive_share": 0.0, "ends": 3,
              "worst_end": (8.0, 8.0)}
    finite = dict(margin, mu_M=0.5, median=0.5)
    a1 = check_face_a1({"P": margin, "R": finite}, P, None)
    a2 = check_face_a2({"P": finite, "R": dict(margin, mu_M=float("inf"))}, P, R, None)
    assert a1.holds is None and a2.holds is None
    assert "not finite" in a1.reason and "not finite" in a2.reason
    assert check_face_a2({"P": finite, "R": dict(finite, mu_M=0.25)}, P, R, None).holds is True
