"""Tests for eqselect.numerics.sources.estimators: the sampled estimators converge to the exact terms."""

import numpy as np
import pytest
import sympy as sp

from eqselect.numerics.compiled import compile_components
from eqselect.numerics.sources.estimators import (
    estimator_variance_trace, sample_2x2, sample_components)
from eqselect.numerics.sources.markov import ipd_components
from eqselect.theory import Decomposition, GameError, builtin

BATCHES = (64, 1024, 16384)
REPS = 32  # independent batches per size (rows of one vectorised call)


@pytest.fixture(scope="module")
def stag_exact():
    dec = Decomposition(builtin("stag-hunt", "logit"), eta=sp.Rational(11, 20))
    theta = np.array([0.3, -0.4])
    ref = compile_components(dec)(theta[None])[0]
    return theta, {"cur": ref[0], "own": ref[1], "peer": ref[2]}


@pytest.fixture(scope="module")
def ipd_exact():
    theta = np.random.default_rng(3).normal(size=10) * 0.7
    comps = ipd_components(theta[None], eta=0.55, horizon=12, gamma=0.96)
    return theta, {k: getattr(comps, k)[0] for k in ("cur", "own", "peer")}


def _errors(kind, theta, exact, seed):
    """Per batch size: (mean error, standard error over REPS batches, within-batch cur SE)."""
    out = {}
    for B in BATCHES:
        est = sample_components(kind, np.repeat(theta[None], REPS, 0), eta=0.55, batch=B, rng=seed)
        out[B] = {k: (getattr(est, k).mean(0) - exact[k],
                      getattr(est, k).std(0, ddof=1) / np.sqrt(REPS)) for k in exact}
        out[B]["cur_se"] = est.cur_se.mean(0) / np.sqrt(REPS)
    return out


@pytest.mark.parametrize("kind", ["2x2", "ipd"])
def test_estimates_converge_to_exact_components(kind, stag_exact, ipd_exact):
    theta, exact = stag_exact if kind == "2x2" else ipd_exact
    errs = _errors(kind, theta, exact, seed=1)
    for B in BATCHES:
        err, se = errs[B]["cur"]
        # cur is unbiased: within 5 within-batch standard errors at every batch size
        assert np.all(np.abs(err) <= 5 * errs[B]["cur_se"]), (B, err, errs[B]["cur_se"])
        # and the within-batch standard error agrees with the spread over batches
        assert 0.75 < errs[B]["cur_se"].sum() / se.sum() < 1.33
    for name in ("cur", "own", "peer"):
        norms = [np.linalg.norm(errs[B][name][0]) for B in BATCHES]
        assert norms[0] > norms[1] > norms[2], (name, norms)
        err, se = errs[BATCHES[-1]][name]
        assert np.all(np.abs(err) <= 5 * se), (name, err, se)


def test_product_estimators_carry_small_batch_bias_that_split_removes(ipd_exact):
    theta, exact = ipd_exact
    reps = np.repeat(theta[None], 400, 0)
    paper = sample_components("ipd", reps, batch=16, rng=4)
    split = sample_components("ipd", reps, batch=16, rng=4, split=True)
    z_paper = np.abs(paper.own.mean(0) - exact["own"]) / (paper.own.std(0) / 20)
    z_split = np.abs(split.own.mean(0) - exact["own"]) / (split.own.std(0) / 20)
    assert z_paper.max() > 5  # the O(1/B) bias of the paper's own estimator is measurable
    assert z_split.max() < 5


def test_2x2_samples_score_and_hessian():
    rng = np.random.default_rng(0)
    s = sample_2x2(np.array([[0.0, 1.0]]), [[4, 0], [3, 2]], 1000, rng)
    p = np.array([0.5, 1 / (1 + np.exp(-1.0))])
    assert set(np.unique(s.score[0, :, 0, 0]).round(12)) <= {0.5, -0.5}
    np.testing.assert_allclose(s.score_hess[0, 0, :, 0], -p * (1 - p))
    # stag hunt returns: the row player's and column player's payoffs
    coop = s.score[0, :, :, 0] > 0
    both = coop[:, 0] & coop[:, 1]
    assert np.all(s.ret[0, both] == 4)


def test_seeded_and_deterministic():
    theta = np.zeros((3, 10))
    a = sample_components("ipd", theta, batch=32, rng=5)
    b = sample_components("ipd", theta, batch=32, rng=5)
    c = sample_components("ipd", theta, batch=32, rng=6)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a.cur, c.cur)


def test_variance_trace_falls_like_one_over_batch():
    t48 = estimator_variance_trace([0.0, 0.0], 48, n_rep=400, seed=0)
    t768 = estimator_variance_trace([0.0, 0.0], 768, n_rep=400, seed=0)
    # exact at theta = 0 (Stag Hunt): Var(R S) summed over agents = 2 (1.8125 - 1/64)
    np.testing.assert_allclose(t48, 2 * (1.8125 - 1 / 64) / 48, rtol=0.2)
    assert 10 < t48 / t768 < 25


@pytest.mark.parametrize("args, match", [
    (("3x3", np.zeros((1, 2))), "game kind"), (("2x2", np.zeros((1, 3))), "coordinates"),
    (("ipd", np.zeros((1, 2))), "coordinates")])
def test_bad_input(args, match):
    with pytest.raises(GameError, match=match):
        sample_components(*args, batch=8, rng=0)
    with pytest.raises(GameError, match="batch"):
        sample_components("2x2", np.zeros((1, 2)), batch=1, rng=0)
