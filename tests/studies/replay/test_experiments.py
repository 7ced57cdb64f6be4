"""The replay: one definition, exact and sampled gradient sources."""

import numpy as np

from eqselect.studies.replay.experiments import (
    Setting, exact_source, grid_starts, method_field, replay, sampled_source,
    success_predicate)


def test_grid_starts_are_logits_of_the_probability_grid():
    x = grid_starts(3)
    p = 1 / (1 + np.exp(-x))
    assert np.allclose(sorted(set(np.round(p[:, 0], 12))), [0.05, 0.5, 0.95])


def test_success_reads_start_state_cooperation_in_the_ipd():
    ok = success_predicate("ipd", 0.82)
    x = np.zeros((2, 10))
    x[0, [0, 5]] = 2.0  # sigma(2) = 0.88
    x[1, [1, 6]] = 2.0  # later states do not count
    assert ok(x).tolist() == [True, False]


def test_sampled_source_converges_to_the_exact_one():
    x = np.array([[0.3, -0.4], [1.0, 0.5]])
    exact = exact_source("stag-hunt")(x)
    est = sampled_source("stag-hunt", 200_000, seed=1)(x)
    for k in ("cur", "own", "peer"):
        assert np.abs(est[k] - exact[k]).max() < 0.02, k


def test_method_field_is_the_papers_combination():
    src = exact_source("stag-hunt")
    x = np.array([[0.1, 0.2]])
    t = src(x)
    u = method_field(src, "meta-mapg", 1.5, 0.35)(x)
    assert np.allclose(u, t["cur"] + 0.35 * t["own"] + 1.5 * t["peer"])


def test_sampled_replay_is_deterministic_for_a_seed():
    small = Setting(estimator_batches=(48, 96), estimator_reps=20)
    a = replay(["estimator"], mode="sampled", seed=3, setting=small).figures
    b = replay(["estimator"], mode="sampled", seed=3, setting=small).figures
    assert a == b and a["estimator"]["48"] > a["estimator"]["96"]
