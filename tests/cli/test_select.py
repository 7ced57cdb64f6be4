"""``eqselect select``: the outcome, steps and trajectory of each method from one start."""

import json

import numpy as np
import pytest

from eqselect.cli import main


def _by_hand(dec, rule, theta, steps):
    """The paper's schedule stepped here, apart from the engine: theta <- clip(theta + lr_k F)."""
    from eqselect.numerics.compiled import compile_field

    f = compile_field(dec, rule, "llvm").field
    x = np.array([theta], dtype=float)
    for k in range(steps):
        x = np.clip(x + 0.9 / (k + 10) ** 0.24 * f(x), -8, 8)
    return x[0]


def test_select_reports_each_method_and_its_trajectory(tmp_path, capsys):
    from eqselect.theory import Decomposition, builtin
    from eqselect.theory.rules import Rule

    plot = tmp_path / "t.png"
    assert main(["select", "stag-hunt", "--start", "0.6,0.5", "--method", "pg", "meta-mapg",
                 "--json", "--plot", str(plot)]) == 0
    doc = json.loads(capsys.readouterr().out)
    got = {s["method"]: s for s in doc["selections"]}
    assert (got["pg"]["outcome"], got["meta-mapg"]["outcome"]) == ("(D, D)", "(C, C)")
    assert plot.stat().st_size > 0
    dec = Decomposition(builtin("stag-hunt"), eta=0.55)
    theta0 = np.log(np.array([0.6, 0.5]) / (1 - np.array([0.6, 0.5])))
    for m, rule in (("pg", Rule("pg")), ("meta-mapg", Rule("meta-mapg", 1.5, 0.35))):
        traj = got[m]["trajectory"]
        assert traj["steps"][0] == 0 and traj["steps"][-1] == 140
        assert traj["points"][0] == pytest.approx([0.6, 0.5], abs=1e-6)
        end = 1 / (1 + np.exp(-_by_hand(dec, rule, theta0, 140)))
        assert traj["points"][-1] == pytest.approx(end.tolist(), abs=1e-5)
        k = got[m]["steps"]  # from step k on the run stays within 0.05 of its outcome
        target = 1.0 if got[m]["outcome"] == "(C, C)" else 0.0
        later = [p for s, p in zip(traj["steps"], traj["points"]) if s >= k]
        assert later and all(abs(v - target) <= 0.05 for p in later for v in p)


def test_select_refuses_a_start_of_the_wrong_length(capsys):
    assert main(["select", "stag-hunt", "--start", "0.6"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("eqselect: error:") and "2" in err and err.count("\n") == 1
