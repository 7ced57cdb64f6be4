"""The sensitivity measurement and the replay command's protocol options."""

import json
from dataclasses import replace

import numpy as np

from eqselect.cli import main
from eqselect.studies.replay.counting import Outcome
from eqselect.studies.replay.experiments import replay
from eqselect.studies.replay.runs import Setting
from eqselect.studies.replay.sensitivity import flip_shares, sensitivity

SMALL = Setting(ablation_seeds=10, ablation_steps=20, ablation_batch=8, restart_seeds=3,
                restart_budget=1, restart_steps=10)


def _outcome(success):
    success = np.array(success, dtype=bool)
    return Outcome(success, np.zeros_like(success), np.full(success.size, -1))


def test_flip_shares_compare_run_by_run():
    base = {"ablation": {"ipd": {"pg": _outcome([1, 0, 0, 1])}},
            "restarts": {"ipd": {"pg": np.array([0, 3, 13])}}}
    moved = {"ablation": {"ipd": {"pg": _outcome([1, 1, 0, 0])}},
             "restarts": {"ipd": {"pg": np.array([0, 4, 13])}}}
    assert flip_shares(base, moved) == {"ablation": {"ipd": {"pg": 0.5}},
                                        "restarts": {"ipd": {"pg": 1 / 3}}}


def test_a_large_shift_flips_runs_and_the_shares_count_them():
    shift = 1.5
    got = sensitivity("sampled", setting=SMALL, shift=shift)
    runs = [replay(["ablation"], "sampled", 0, replace(SMALL, start_shift=s)).raw["ablation"]
            for s in (0.0, shift)]
    for g in ("stag-hunt", "ipd"):
        for m, o in runs[0][g].items():
            expected = np.mean(o.success != runs[1][g][m].success)
            assert got["ablation"][g][m] == expected
    assert got["shift"] == shift
    assert any(v > 0 for per in got["ablation"].values() for v in per.values())


def test_replay_command_runs_the_authors_estimator(capsys):
    assert main(["replay", "estimator", "--sampled", "--protocol", "authors", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["protocol"] == "authors" and doc["inputs"]["protocol"] == "authors"
    assert doc["counting"] == {"origin": 0, "start": "skipped"}
    assert round(doc["estimator"]["48"], 4) == 0.1273
    assert set(doc["estimator_terms"]["48"]) == {"g", "own", "peer"}


def test_counting_options_override_the_protocols_own(capsys):
    assert main(["replay", "estimator", "--sampled", "--start-hit", "skipped", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["protocol"] == "eqselect" and doc["counting"] == {"origin": 1, "start": "skipped"}
    assert main(["replay", "estimator", "--count-from", "2"]) == 2
    assert "--count-from" in capsys.readouterr().err
