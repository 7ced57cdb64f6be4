"""The outcome route's pieces against independent computations: the face pressure
in closed form, A5 and the selection effect on a sample built by hand, A0 on the
zero set of v, and the choice of P and R as outcomes."""

import numpy as np
import pytest
import sympy as sp

from eqselect.theory import Decomposition, Rule, builtin, normal_form_game
from eqselect.theory.outcomes import Outcome, profile_outcome
from eqselect.proofs_check.outcome_persistence import check_outcome_a5, selection_effect
from eqselect.proofs_check.outcome_regions import face_pressure, members
from eqselect.proofs_check.paired_starts import PairedSample, SampleOptions

ETA = sp.Rational(11, 20)


def test_face_pressure_is_q_times_the_logit_component_for_two_actions():
    """q = sigma(theta): dq/dt = q (1 - q) u, so for action 0 the pressure
    -d log(1 - q)/dt is q u; for action 1 the held probability is 1 - q and the
    pressure -d log q/dt is -(1 - q) u."""
    g = builtin("stag-hunt", "logit")
    rng = np.random.default_rng(1)
    x, u = rng.normal(0, 3, size=(50, 2)), rng.normal(0, 1, size=(50, 2))
    q = 1 / (1 + np.exp(-x))
    got0 = face_pressure(g, profile_outcome(g, (0, 0)), x, u)
    assert got0 == pytest.approx(q * u, rel=1e-6, abs=1e-12)
    got1 = face_pressure(g, profile_outcome(g, (1, 1)), x, u)  # held: 1 - q, gap q
    assert got1 == pytest.approx(-(1 - q) * u, rel=1e-6, abs=1e-12)


def test_softmax_pressure_matches_the_rate_of_log_p():
    """Three actions, logits (a, b) against a pinned third: d log p_0 / dt =
    u_0 - p_0 u_0 - p_1 u_1, and pi = p_0 / (1 - p_0) d log p_0 / dt."""
    g = normal_form_game([[[3, 0, 0], [0, 2, 0], [0, 0, 1]]] * 2, "softmax", name="s")
    x = np.array([[1.0, -0.5, 0.3, 2.0]])
    u = np.array([[0.7, -0.2, 0.1, 0.4]])
    e = np.exp([1.0, -0.5, 0.0])
    p = e / e.sum()
    rate = u[0, 0] - p[0] * u[0, 0] - p[1] * u[0, 1]
    got = face_pressure(g, profile_outcome(g, (0, 0)), x, u)[0, 0]
    assert got == pytest.approx(p[0] / (1 - p[0]) * rate, rel=1e-6)


def _sample(in_P, in_R, lams, n):
    return PairedSample(tuple(lams), dict(zip(lams, in_P)), dict(zip(lams, in_R)),
                        {lam: np.zeros((n, 2)) for lam in lams}, n, SampleOptions(n=n))


def test_a5_for_outcomes_finds_where_a_basin_vanishes():
    n, lams = 100, (0.0, 1.5, 3.0)
    P = Outcome("P", "face", ((0, 0, 0),))
    R = Outcome("R", "face", ((0, 0, 1),))
    keep = np.arange(n) < 30
    gone = np.zeros(n, dtype=bool)
    s = _sample([keep, keep, keep], [~keep, ~keep, gone], lams, n)
    v = check_outcome_a5(s, lams, P, R)
    assert v.holds is True and v.certified.value == "statistical"
    assert v.values["selection_global_beyond"] == 3.0
    s = _sample([keep, gone, gone], [~keep, ~keep, ~keep], lams, n)
    v = check_outcome_a5(s, lams, P, R)
    assert v.holds is False and v.values["P_vanishes_at"] == 1.5


def test_selection_effect_counts_the_paired_changes():
    n = 200
    a = np.arange(n) < 50   # P at lambda = 0
    b = (np.arange(n) >= 10) & (np.arange(n) < 90)  # P at lambda: 40 gained, 10 lost
    s = _sample([a, b], [~a, ~b], (0.0, 1.5), n)
    sel = selection_effect(s, 1.5, Outcome("P", "face", ((0, 0, 0),)))
    assert (sel["gains"], sel["losses"]) == (40, 10)
    assert sel["change"] == pytest.approx(0.15)
    assert sel["mass_at_lam"]["mass"] - sel["mass_at_0"]["mass"] == pytest.approx(0.15)


def test_own_is_eta_hessian_times_v_so_a0_holds_on_the_zero_set():
    """The identity A0 rests on, own_i = eta Hess_ii(J_i) grad_i J_i, against J_i
    differentiated here at two points (logit Stag Hunt)."""
    from eqselect.proofs_check.local import check_a0
    from eqselect.numerics.shaping import ShapingField

    g = builtin("stag-hunt", "logit").substitute()
    dec = Decomposition(g, eta=ETA)
    for pt in ([0.3, -1.2], [2.0, 0.5]):
        at = dict(zip(g.parameters, pt))
        for i, s in enumerate(g.parameters):
            J = g.values[i]
            grad = float(sp.diff(J, s).evalf(subs=at))
            hess = float(sp.diff(J, s, 2).evalf(subs=at))
            assert float(dec.own[i].evalf(subs=at)) == pytest.approx(float(ETA) * hess * grad)
    v = check_a0(ShapingField(dec, Rule("meta-mapg")), [])
    assert v.holds is True and v.certified.value == "exact" and "zero set" in v.reason


def test_members_of_a_point_outcome_use_probability_coordinates():
    g = builtin("stag-hunt", "logit")
    P = Outcome("#0", "point", point=(0.9, 0.9), tol=0.05)
    x = np.log(np.array([[0.9, 0.9], [0.9, 0.8]]) / (1 - np.array([[0.9, 0.9], [0.9, 0.8]])))
    assert members(g, P, x).tolist() == [True, False]


def test_the_face_reached_most_often_besides_p_is_r():
    from eqselect.proofs_check.outcome_checks import reached_face

    g = builtin("stag-hunt", "logit")
    P = profile_outcome(g, (0, 0))
    ends = np.array([[8.0, 8.0], [-8.0, -8.0], [-8.0, -8.0], [8.0, -8.0], [0.1, 0.2]])
    R = reached_face(g, P, ends)
    assert R.held == ((0, 0, 1), (1, 0, 1)) and R.name == "D,D"
    assert reached_face(g, P, ends[:1]) is None  # only P's face is reached
