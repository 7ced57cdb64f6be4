"""Fixed points and their branches against independent computations.

Stag Hunt (row payoff [[4, 0], [3, 2]]) under the logit parameterisation with
the entropy term tau H(pi_i), tau = 1/10: J_1 = 3 p1 p2 - 2 p1 + p2 + 2 +
tau H(p1), so grad_{theta_1} J_1 = s_1 (3 p2 - 2 - tau theta_1) with
s_1 = p1 (1 - p1), and the symmetric zeros solve 3 sigma(theta) - 2 = theta / 10
(the logit quantal response equilibria). Near the risk-dominant profile the
root is theta* = -19.99999994 (p ~ 2e-9): a regular, stable zero whose
Jacobian diag(s) DG has entries of size s ~ 2e-9. The peer term carries
s_j^2 (docs/theory.md), so the root moves by less than 1e-15 for lambda in [0, 1].
"""

from fractions import Fraction

import mpmath
from hypothesis import given, settings
from hypothesis import strategies as st
import numpy as np

from eqselect import Decomposition, builtin, continue_in_lambda, entropy_regularized
from eqselect.numerics.continuation.pseudo_arclength import ContinuationOptions


def _risk_dominant_root() -> float:
    with mpmath.workdps(30):
        return float(mpmath.findroot(lambda t: 3 / (1 + mpmath.exp(-t)) - 2 - t / 10, -20))


def test_a_saturated_stable_fixed_point_is_continued_and_called_stable():
    # an absolute threshold on D_phi F (entries ~2e-9 here) would call this
    # regular point singular, drop its branch and call it degenerate; the
    # fixed-point list certifies it stable
    dec = Decomposition(entropy_regularized(builtin("stag-hunt", "logit"), Fraction(1, 10)),
                        eta=Fraction(11, 20))
    result = continue_in_lambda(dec, "peer-only", (0.0, 1.0),
                                options=ContinuationOptions(ds_max=0.25))
    theta = _risk_dominant_root()
    near = [b for b in result.branches if len(b.points)
            and np.max(np.abs(b.points[0, 1:] - theta)) < 1e-6]
    assert len(near) == 1, [b.points[:1].tolist() for b in result.branches]
    branch = near[0]
    assert branch.points[0, 0] == 0.0 and branch.points[-1, 0] == 1.0
    assert np.max(np.abs(branch.points[:, 1:] - theta)) < 1e-9
    assert {s.value for s in branch.stability} == {"stable"}
    assert not any("singular" in n for n in result.notes + tuple(branch.notes))


@settings(max_examples=8, deadline=None)
@given(st.lists(st.integers(-4, 4), min_size=8, max_size=8), st.integers(4, 14))
def test_stability_does_not_depend_on_the_payoffs_scale(entries, k):
    """Payoffs times 10^-k multiply F and DF by 10^-k and leave every eigenvalue's
    sign, so each fixed point's stability class: finite points (direct, exact
    faces) and pure profiles at infinity (logit) alike. A zero eigenvalue of
    the game at scale 1 stays zero; a 1e-10 one is not read as zero."""
    import sympy as sp

    from eqselect.numerics.fixed_points.find import find_equilibria
    from eqselect.numerics.fixed_points.infinity.pure_profiles import pure_profiles_at_infinity
    from eqselect.theory import Decomposition, Rule, normal_form_game

    def classes(factor, param):
        t = [[[sp.Integer(x) * factor for x in entries[r:r + 2]] for r in (i, i + 2)]
             for i in (0, 4)]
        dec = Decomposition(normal_form_game(t, param, name="g"), eta=sp.Rational(11, 20))
        if param == "logit":
            return sorted((e.point, e.stability.value)
                          for e in pure_profiles_at_infinity(dec, Rule("pg")))
        found = find_equilibria(dec, Rule("pg"))
        return sorted((e.exact, e.stability.value) for e in found.equilibria)

    for param in ("direct", "logit"):
        assert classes(sp.Integer(1), param) == classes(sp.Rational(1, 10 ** k), param)


def test_a_field_that_vanishes_is_said_to_vanish():
    """Every payoff equal under logit: every point is a fixed point, and the
    seeded search's points are said to be samples of that; a game with
    isolated fixed points says nothing of the kind."""
    import sympy as sp

    from eqselect.numerics.fixed_points.find import find_equilibria
    from eqselect.theory import Rule, normal_form_game

    game = normal_form_game([[[1, 1], [1, 1]], [[2, 2], [2, 2]]], "logit", name="flat")
    dec = Decomposition(game, eta=sp.Rational(11, 20))
    assert list(dec.field(Rule("pg"))) == [0, 0]  # the independent fact: F = 0
    found = find_equilibria(dec, Rule("pg"), n_seeds=4)
    assert not found.complete and any("vanishes identically" in n for n in found.notes)
    sh = find_equilibria(Decomposition(builtin("stag-hunt", "logit"), eta=sp.Rational(11, 20)),
                         Rule("pg"))
    assert not any("vanishes identically" in n for n in sh.notes)
