"""Sampled experiments draw from their own random streams: alone or in a larger
replay they give the same numbers."""

import numpy as np

from eqselect.studies.replay.experiments import replay
from eqselect.studies.replay.runs import Setting, stream

SMALL = Setting(ablation_seeds=4, ablation_steps=4, ablation_batch=8, anneal_seeds=4,
                map_batch=8, map_steps=3, peer_sweep=(0, 5), restart_seeds=2,
                restart_budget=1, restart_steps=3, estimator_batches=(8,), estimator_reps=4)


def test_annealing_alone_equals_annealing_after_ablation():
    alone = replay(["annealing"], mode="sampled", seed=0, setting=SMALL)
    inside = replay(["ablation", "restarts", "annealing"], mode="sampled", seed=0,
                    setting=SMALL)
    assert alone.figures["annealing"] == inside.figures["annealing"]
    for k in alone.raw["annealing"]:
        a, b = alone.raw["annealing"][k], inside.raw["annealing"][k]
        assert np.array_equal(a.success, b.success)
        assert np.array_equal(a.first_hit, b.first_hit)


def test_peer_sweep_alone_equals_peer_sweep_after_the_basin_map():
    alone = replay(["peer-sweep"], mode="sampled", seed=4, setting=SMALL)
    inside = replay(["basin-map", "peer-sweep"], mode="sampled", seed=4, setting=SMALL)
    assert alone.figures["peer_sweep"] == inside.figures["peer_sweep"]
    assert alone.figures["peer_sweep_first_hit"] == inside.figures["peer_sweep_first_hit"]


def test_streams_depend_on_experiment_game_and_seed_only():
    draw = [stream("ablation", 0, "ipd").random(3) for _ in range(2)]
    assert np.array_equal(*draw)
    others = [stream("ablation", 1, "ipd"), stream("annealing", 0, "ipd"),
              stream("ablation", 0, "stag-hunt")]
    assert all(not np.array_equal(draw[0], g.random(3)) for g in others)


def test_replay_json_records_the_seed():
    doc = replay(["estimator"], mode="sampled", seed=5, setting=SMALL).to_json()
    assert doc["seed"] == 5 and doc["mode"] == "sampled" and "published" in doc
