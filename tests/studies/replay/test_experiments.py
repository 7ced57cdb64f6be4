"""The replay: one definition, exact and sampled gradient sources."""

import numpy as np

from eqselect.numerics.dynamics.starts import GridStarts
from eqselect.studies.replay.experiments import method_maps, replay
from eqselect.studies.replay.runs import (
    Setting, exact_source, run_method, sampled_source, success_predicate)
from eqselect.numerics.sources.fields import rule_field
from eqselect.theory import Rule, builtin


def test_grid_starts_are_logits_of_the_probability_grid():
    x = GridStarts(3).draw(builtin("stag-hunt", "logit"))[1]
    p = 1 / (1 + np.exp(-x))
    assert np.allclose(sorted(set(np.round(p[:, 0], 12))), [0.05, 0.5, 0.95])


def test_a_replayed_map_is_the_papers_loop_written_out():
    """The basin map through the engine against the schedule stepped by hand:
    theta <- clip(theta + 0.9 / (k + 10)^0.24 u, -8, 8), success at the end."""
    setting = Setting()
    src = exact_source("stag-hunt")
    out = method_maps(lambda game: src, setting, grid=5, steps=40)
    x = GridStarts(5).draw(builtin("stag-hunt", "logit"))[1]
    ok = success_predicate("stag-hunt", setting.threshold)
    for m, outcome in out.items():
        u = rule_field(src, setting.rule(m))
        y, hit = x.copy(), np.where(ok(x), 0, -1)
        for k in range(40):
            y = np.clip(y + 0.9 / (k + 10) ** 0.24 * u(y), -8, 8)
            hit[(hit < 0) & ok(y)] = k + 1
        assert outcome.success.tolist() == ok(y).tolist(), m
        assert outcome.first_hit.tolist() == np.where(ok(y), hit, -1).tolist(), m
    assert run_method(src, "stag-hunt", "pg", GridStarts(5), 40, setting).fraction == \
        out["pg"].fraction


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
    u = rule_field(src, Rule("meta-mapg", 1.5, 0.35))(x)
    assert np.allclose(u, t["cur"] + 0.35 * t["own"] + 1.5 * t["peer"])


def test_sampled_replay_is_deterministic_for_a_seed():
    small = Setting(estimator_batches=(48, 96), estimator_reps=20)
    a = replay(["estimator"], mode="sampled", seed=3, setting=small).figures
    b = replay(["estimator"], mode="sampled", seed=3, setting=small).figures
    assert a == b and a["estimator"]["48"] > a["estimator"]["96"]
