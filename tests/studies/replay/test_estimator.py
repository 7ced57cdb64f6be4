"""The estimator experiment measures the spread of the full Meta-MAPG update.

The check recomputes, from the same batches, every repetition's update
u = g + c own + lambda peer straight from the estimator lemma's sums
(docs/theory.md, "The estimator lemma"), written out here sample by sample,
and takes the covariance of those updates with numpy.
"""

from dataclasses import replace

import numpy as np

from eqselect.studies.replay import authors
from eqselect.studies.replay.estimator import draws, estimator_experiment, estimator_point
from eqselect.studies.replay.runs import Setting

PAY = np.array([[4.0, 0.0], [3.0, 2.0]])  # row player; the column player's is the transpose


def _update_by_hand(theta, batch, rng, eta=0.55, c=0.35, lam=1.5):
    """One repetition's Meta-MAPG update from B plays, sample by sample."""
    p = 1 / (1 + np.exp(-theta))
    u = rng.random((batch, 2))
    S, R = np.zeros((batch, 2)), np.zeros((batch, 2))
    for b in range(batch):
        coop = u[b] < p
        a1, a2 = int(not coop[0]), int(not coop[1])
        R[b] = PAY[a1, a2], PAY[a2, a1]
        S[b] = coop - p
    out = np.zeros(2)
    for i in range(2):
        j = 1 - i
        g = np.mean(R[:, i] * S[:, i])
        h = np.mean(R[:, i] * (S[:, i] ** 2 - p[i] * (1 - p[i])))
        cross = np.mean(R[:, j] * S[:, j] * S[:, i])
        out[i] = g + c * eta * h * g + lam * eta * cross * np.mean(R[:, i] * S[:, j])
    return out


def test_the_trace_is_the_covariance_of_the_full_update():
    a = replace(authors.AuthorsSetting(), base=replace(
        authors.AuthorsSetting().base, estimator_reps=30, estimator_batches=(12, 48)))
    got = estimator_experiment(a.base, lambda b: authors.estimator_generators(a, b))
    theta = estimator_point(a.base)
    for b in (12, 48):
        updates = np.array([_update_by_hand(theta, b, g)
                            for g in authors.estimator_generators(a, b)])
        expected = np.trace(np.cov(updates, rowvar=False))
        assert np.isclose(got[str(b)]["update"], expected, rtol=1e-10), b
        assert not np.isclose(got[str(b)]["g"], expected, rtol=1e-3)  # g alone is another number


def test_the_point_is_logit_of_the_documented_probability():
    assert np.allclose(1 / (1 + np.exp(-estimator_point(Setting()))), 0.58)


def test_eqselects_protocol_draws_every_repetition_from_one_generator():
    s = replace(Setting(), estimator_reps=6, estimator_batches=(16,))
    got = estimator_experiment(s, None, seed=2)["16"]["update"]
    gen = np.random.default_rng(2)
    updates = np.array([_update_by_hand(estimator_point(s), 16, gen) for _ in range(6)])
    assert np.isclose(got, np.trace(np.cov(updates, rowvar=False)), rtol=1e-10)
    assert draws(s, 16, seed=2)["cur"].shape == (6, 2)
