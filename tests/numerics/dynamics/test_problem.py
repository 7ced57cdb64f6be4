"""A basin problem holds the inputs, a basin map the outcomes (one JSON form)."""

import json

import numpy as np
import pytest

from eqselect.cli import main
from eqselect.numerics.dynamics.basins import basin_map, basin_monte_carlo, run_basins
from eqselect.numerics.dynamics.kernels.fused import available
from eqselect.numerics.dynamics.problem import BasinProblem
from eqselect.numerics.codegen import compile_exprs
from eqselect.numerics.dynamics.judges import SuccessJudge
from eqselect.numerics.dynamics.schedules import (
    PaperAnnealing, PaperSchedule, annealed_field, run_schedule)
from eqselect.numerics.dynamics.starts import GridStarts, SampledStarts
from eqselect.theory import PAPER, Decomposition, GameError, Rule, builtin
from eqselect.theory.serialize import SCHEMA_VERSION


@pytest.fixture(scope="module")
def dec():
    return Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)


def test_problem_and_wrapper_give_the_same_map(dec):
    problem = BasinProblem(dec, Rule("meta-mapg", lam=2), GridStarts(9), steps=50)
    bm = run_basins(problem)
    again = basin_map(dec, Rule("meta-mapg", lam=2), steps=50, starts=GridStarts(grid=9))
    assert bm.problem is problem
    assert bm.success.tolist() == again.success.tolist()
    assert (bm.method, bm.grid, bm.steps, bm.lam) == ("meta-mapg", 9, 50, 2.0)


def test_annealing_is_the_rules_not_a_guess(dec):
    sched = PaperAnnealing(n0=10, tau=3.0)
    by_rule = run_basins(BasinProblem(dec, Rule("meta-mapg", annealing=sched),
                                      GridStarts(7), steps=30))
    f0, f1 = (compile_exprs(dec.field_engine("meta-mapg", lam, PAPER.own), dec.game.parameters)
              for lam in (0, 1))
    x0 = GridStarts(7).draw(dec.game)[1]
    ref = run_schedule(annealed_field(f0, f1, sched.lam), x0, PaperSchedule(), 30,
                       step_dependent=True)
    assert by_rule.schedule == "annealed"
    assert np.allclose(by_rule.final, ref.final, rtol=0, atol=1e-9)
    constant = run_basins(BasinProblem(dec, Rule("meta-mapg"), GridStarts(7), steps=30))
    assert not np.allclose(by_rule.final, constant.final)


def test_json_keeps_the_contract_and_leaves_out_the_arrays(dec):
    doc = basin_monte_carlo(dec, Rule("pg"), SampledStarts(50, 3), 20).to_json()
    for key in ("fraction", "outcomes", "grid", "steps", "n", "game", "method", "lam",
                "own_coef", "schedule", "mean_first_hit", "interval", "seed", "notes"):
        assert key in doc
    assert doc["grid"] is None and doc["seed"] == 3 and len(doc["interval"]) == 2
    assert "final" not in doc and "problem" not in doc
    json.dumps(doc)


def test_problem_validates_its_options(dec):
    with pytest.raises(GameError, match="criterion"):
        BasinProblem(dec, judge=SuccessJudge(criterion="sometimes"))
    with pytest.raises(GameError, match="kernel"):
        BasinProblem(dec, kernel="cuda")
    assert SampledStarts(5).to_json()["kind"] == "sample"


@pytest.mark.skipif(not available(), reason="numba is not installed")
def test_cli_backends_agree_and_samples_give_an_interval(capsys):
    docs = []
    for backend in ("numba", "numpy"):
        assert main(["basins", "stag-hunt", "--method", "meta-mapg", "--grid", "31",
                     "--backend", backend, "--json"]) == 0
        docs.append(json.loads(capsys.readouterr().out))
    assert docs[0]["fraction"] == docs[1]["fraction"]
    assert docs[0]["schema_version"] == SCHEMA_VERSION
    assert main(["basins", "ipd", "--method", "pg", "--samples", "40", "--steps", "5",
                 "--backend", "numpy", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["n"] == 40 and doc["interval"][0] <= doc["fraction"] <= doc["interval"][1]


def test_basins_of_a_regularised_direct_game_are_refused_not_guessed(capsys):
    """Under 'direct' the entropy gradient tau log p is infinite on the boundary:
    a basin map would be meaningless, so it is refused with the reason."""
    from eqselect.cli import main

    assert main(["basins", "stag-hunt", "--param", "direct", "--tau", "0.25",
                 "--method", "pg"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("eqselect: error: basins of the entropy-regularised game")
    assert main(["basins", "stag-hunt", "--tau", "0.25", "--method", "pg", "--grid", "5",
                 "--backend", "numpy"]) == 0
