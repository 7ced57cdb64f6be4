"""Attractor classification of basin maps: which outcome each start reaches."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from eqselect.numerics.dynamics.attractors import (
    CYCLE, CYCLE_NAME, MOVING, MOVING_NAME, UNLISTED, attractor_list, classify_ends,
    preferred_attractor)
from eqselect.numerics.dynamics.basins import run_basins
from eqselect.numerics.dynamics.classify import all_attractors
from eqselect.numerics.dynamics.flow import integrate_until_settled
from eqselect.numerics.dynamics.judges import AttractorJudge
from eqselect.numerics.dynamics.problem import BasinProblem
from eqselect.numerics.dynamics.starts import (
    GridStarts, SampledStarts, strategies_to_parameters)
from eqselect.numerics.fixed_points.find import find_equilibria
from eqselect.numerics.sources.fields import rule_field
from eqselect.numerics.sources.symbolic import SymbolicSource
from eqselect.theory import Decomposition, OptionsError, Rule, builtin
from eqselect.theory.games.normal_form import normal_form_game
from eqselect.theory.rules import resolve

G33 = [[[4, 4, -3], [5, -3, -3], [4, -3, 4]], [[-5, -5, 3], [3, -1, -4], [2, 3, 3]]]
COORDINATION_33 = [[[3, 0, 0], [0, 2, 0], [0, 0, 1]], [[3, 0, 0], [0, 2, 0], [0, 0, 1]]]
STAG_HUNT_3 = [[[[4, 0], [0, 0]], [[3, 3], [3, 3]]], [[[4, 0], [3, 3]], [[0, 0], [3, 3]]],
               [[[4, 3], [0, 3]], [[0, 3], [0, 3]]]]


def _setup(game, method="pg"):
    dec = Decomposition(game.substitute(), eta=0.55)
    return dec, find_equilibria(dec, resolve(method))


_JUDGE = ("preferred", "predicate", "settle", "settle_tol", "window")


def _problem(dec, found, starts, **kw):
    kw.setdefault("window", 200)
    judge = AttractorJudge(**{k: kw.pop(k) for k in _JUDGE if k in kw})
    return BasinProblem(dec, Rule("pg"), starts, judge=judge, fixed_points=found, **kw)


@pytest.fixture(scope="module")
def chicken():
    return _setup(builtin("chicken", "logit"))


def test_chicken_attractors_are_its_two_pure_equilibria(chicken):
    dec, found = chicken
    names = [a.name for a in attractor_list(dec.game, found)]
    assert sorted(names) == ["(C, D)", "(D, C)"]
    bm = run_basins(_problem(dec, found, GridStarts(11), preferred=0, predicate=False))
    reached = {k for k, v in bm.outcomes.items() if v and k != MOVING_NAME}
    assert reached == {"(C, D)", "(D, C)"}  # no mass on (C, C), not an equilibrium
    assert bm.outcomes["(C, D)"] == bm.outcomes["(D, C)"]  # the game is symmetric
    p = bm.starts_probability
    cd = [a.name for a in bm.attractors].index("(C, D)")
    above = p[:, 0] > p[:, 1] + 0.2  # player 1 much likelier to play C
    assert np.all(bm.labels[above] == cd)
    assert bm.fraction == pytest.approx(bm.shares["(C, D)"])
    assert sum(bm.shares.values()) == pytest.approx(1.0)


def test_numba_and_numpy_kernels_classify_identically(chicken):
    g33 = _setup(normal_form_game(G33, "softmax", name="g33"))
    for (dec, found), starts in ((chicken, GridStarts(9)), (g33, SampledStarts(200, 1, "simplex"))):
        ref = run_basins(_problem(dec, found, starts, preferred=0, kernel="numpy"))
        fast = run_basins(_problem(dec, found, starts, preferred=0, kernel="numba"))
        assert fast.labels.tolist() == ref.labels.tolist()
        assert fast.outcomes == ref.outcomes


@pytest.mark.parametrize("payoffs,param", [(G33, "softmax"), (COORDINATION_33, "softmax"),
                                           (STAG_HUNT_3, "logit"), (G33, "direct")])
def test_volumes_sum_to_one_with_the_still_moving_share(payoffs, param):
    dec, found = _setup(normal_form_game(payoffs, param, name="g"))
    bm = run_basins(_problem(dec, found, SampledStarts(300, 4, "simplex"), preferred=0))
    assert sum(bm.outcomes.values()) == 300
    assert sum(bm.shares.values()) == pytest.approx(1.0)
    assert MOVING_NAME in bm.outcomes and bm.settling["still_moving"] == bm.outcomes[MOVING_NAME]
    for name, (lo, hi) in bm.intervals.items():
        share = bm.fraction if name == "fraction" else bm.shares[name]
        assert lo <= share <= hi
    assert set(bm.intervals) == set(bm.outcomes) | {"fraction"}
    assert bm.interval == bm.intervals["fraction"]
    assert set(np.unique(bm.labels)) <= set(range(len(bm.attractors))) | {MOVING, CYCLE}


def test_coordination_starts_near_each_pure_equilibrium_reach_it():
    dec, found = _setup(normal_form_game(COORDINATION_33, "softmax", name="coord"))
    attractors = attractor_list(dec.game, found)
    pure = {a.profile: j for j, a in enumerate(attractors)}
    assert {(0, 0), (1, 1), (2, 2)} <= set(pure)
    for k in range(3):
        row = [0.9 if a == k else 0.05 for a in range(3)]
        x = strategies_to_parameters(dec.game, [row + row])
        bm = run_basins(_problem(dec, found, _Fixed(x), preferred=pure[(k, k)]))
        assert bm.labels.tolist() == [pure[(k, k)]] and bm.fraction == 1.0


class _Fixed:
    """Starts given as parameters (for the tests)."""

    def __init__(self, x):
        self.x, self.grid, self.z = np.asarray(x, dtype=float), 1, 1.96

    def draw(self, game):
        return self.x, self.x

    def to_json(self):
        return {"kind": "fixed"}


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=12))
def test_direct_stag_hunt_flow_classification_is_the_exact_separatrix(direct_sh, points):
    """Under PG the basins of (C, C) and (D, D) are split by p1 + p2 = 4/3."""
    p = np.array([q for q in points if abs(q[0] + q[1] - 4 / 3) > 0.02])
    if not len(p):
        return
    dec = direct_sh
    found = _STAG_FOUND.setdefault("pg", find_equilibria(dec, Rule("pg")))
    attractors = attractor_list(dec.game, found)
    field = _STAG_FOUND.setdefault("direct-field", rule_field(SymbolicSource(dec), Rule("pg")))

    def reached(y):
        return classify_ends(dec.game, attractors, y, field) >= 0

    final, done, _ = integrate_until_settled(field, p, reached, steps=2000,
                                             region=dec.game.region)
    labels = classify_ends(dec.game, attractors, final, field)
    names = np.array([attractors[k].name for k in labels])
    assert done.all()
    assert names.tolist() == np.where(p.sum(axis=1) > 4 / 3, "(C, C)", "(D, D)").tolist()


_STAG_FOUND: dict = {}


@settings(max_examples=20, deadline=None)
@given(st.floats(6.0, 8.0), st.floats(6.0, 8.0), st.booleans())
def test_a_start_at_a_stable_profile_is_classified_as_it(logit_sh, a, b, cooperate):
    """Logits deep towards a strict pure equilibrium: that attractor, at once."""
    found = _STAG_FOUND.setdefault("logit", find_equilibria(logit_sh, Rule("pg")))
    attractors = attractor_list(logit_sh.game, found)
    x = np.array([[a, b]]) * (1 if cooperate else -1)
    field = _STAG_FOUND.setdefault("field", rule_field(SymbolicSource(logit_sh), Rule("pg")))
    label = classify_ends(logit_sh.game, attractors, x, field)[0]
    assert attractors[label].name == ("(C, C)" if cooperate else "(D, D)")
    # pushed inward (the field reversed) the same point is passing, not arriving
    assert classify_ends(logit_sh.game, attractors, x, lambda y: -field(y))[0] == MOVING


def test_matching_pennies_discrete_pg_cycles():
    dec, found = _setup(builtin("matching-pennies", "logit"))
    assert attractor_list(dec.game, found) == ()
    bm = run_basins(_problem(dec, found, GridStarts(7), window=400, predicate=False))
    assert bm.outcomes[CYCLE_NAME] >= 40 and bm.fraction == 0.0
    assert sum(bm.shares.values()) == pytest.approx(1.0)


def test_flow_settles_early_or_reports_what_still_moves(direct_sh):
    found = find_equilibria(direct_sh, Rule("pg"))
    kw = dict(schedule="flow", settle=True, preferred=0, predicate=False)
    done = run_basins(_problem(direct_sh, found, GridStarts(11, 0.0, 1.0), steps=2000, **kw))
    assert done.settling["settled_early"] and done.settling["steps_run"] < 2000
    assert done.outcomes[MOVING_NAME] == 0
    short = run_basins(_problem(direct_sh, found, GridStarts(11, 0.0, 1.0), steps=2, **kw))
    moving = short.outcomes[MOVING_NAME]
    assert moving > 0 and short.settling["still_moving"] == moving
    assert short.settling["distance_to_nearest_fixed_point"]["max"] > 0
    # the unsettled runs are not counted as reaching or missing the preferred attractor
    assert short.fraction == short.outcomes[short.preferred] / 121
    assert any("still moving" in n for n in short.notes)


def test_unlisted_pure_profiles_are_found_by_the_outward_test(logit_sh):
    found = find_equilibria(logit_sh, Rule("meta-mapg"))
    everything = all_attractors(logit_sh.game, found)
    dd = [a for a in everything if a.name == "(D, D)"]
    assert dd and dd[0].stability in (UNLISTED, "stable")
    bm = BasinProblem(logit_sh, Rule("meta-mapg"), GridStarts(7), judge=AttractorJudge(),
                      fixed_points=found)
    out = run_basins(bm)
    assert out.outcomes.get("(D, D)", 0) > 0  # the paper's map: (D, D) keeps a basin
    assert out.fraction == pytest.approx(
        run_basins(BasinProblem(logit_sh, Rule("meta-mapg"), GridStarts(7))).fraction)


def test_preferred_attractor_choices(logit_sh):
    found = _STAG_FOUND.setdefault("logit", find_equilibria(logit_sh, Rule("pg")))
    att = attractor_list(logit_sh.game, found)
    names = [a.name for a in att]
    assert names[preferred_attractor(logit_sh.game, att, "payoff-dominant")[0]] == "(C, C)"
    assert names[preferred_attractor(logit_sh.game, att, "welfare")[0]] == "(C, C)"
    assert names[preferred_attractor(logit_sh.game, att, (1, 1))[0]] == "(D, D)"
    with pytest.raises(OptionsError, match="attractor list"):
        preferred_attractor(logit_sh.game, att, 5)
    with pytest.raises(OptionsError, match="no attractor"):
        preferred_attractor(logit_sh.game, att, (0, 1))


def test_per_start_outcomes(chicken):
    dec, found = chicken
    bm = run_basins(_problem(dec, found, GridStarts(5), preferred=0, per_start=True))
    rows = bm.to_json()["per_start"]
    assert len(rows) == 25
    assert [r["attractor"] for r in rows] == bm.labels.tolist()
    assert rows[3]["start"] == pytest.approx(bm.starts[3].tolist())


def test_a_continuum_of_weak_equilibria_is_one_attractor():
    """The 3x3 game's direct field has the fixed points (C, t B + (1 - t) C), t <= 1/2."""
    dec, found = _setup(normal_form_game(G33, "direct", name="g33"))
    attractors = attractor_list(dec.game, found)
    [line] = [a for a in attractors if a.kind == "continuum"]
    assert line.name == "(2, [2 .. 0.5 1 + 0.5 2])"
    assert not any(a.name == "(2, 2)" for a in attractors)  # an end of the line, folded in
    bm = run_basins(_problem(dec, found, SampledStarts(300, 5, "simplex"), schedule="flow",
                             settle=True, steps=2000, preferred=0))
    ends = bm.final[bm.labels == attractors.index(line)]
    assert len(ends) > 100 and bm.outcomes[MOVING_NAME] == 0
    # row plays its third action, column mixes its last two with weight <= 1/2 on the second
    assert np.all(ends[:, :2] <= 0.05) and np.all(ends[:, 2] <= 0.05)
    assert np.all(ends[:, 3] <= 0.5 + 0.05)


@pytest.mark.parametrize("param", ["logit", "direct"])
def test_the_kernels_cycle_test_gives_numpys_verdicts(param, monkeypatch):
    """The window stepped by the compiled kernel (resuming the schedule at step K,
    clipping logits or projecting on the box, the runs split between threads)
    finds the cycles numpy's steps find, start for start."""
    from eqselect.numerics.dynamics import window
    from eqselect.numerics.dynamics.window import cycling, window_kernel
    from eqselect.numerics.dynamics.schedules import PaperSchedule

    dec, found = _setup(builtin("matching-pennies", param))
    maps = [run_basins(_problem(dec, found, GridStarts(9), window=400, predicate=False,
                                kernel=kernel)) for kernel in ("numpy", "numba")]
    assert maps[0].labels.tolist() == maps[1].labels.tolist()
    assert maps[1].kernel == "numba" and maps[1].outcomes[CYCLE_NAME] >= 40
    # the same end points through both windows, with runs that do not cycle
    problem = maps[1].problem
    rng = np.random.default_rng(0)
    spread = rng.uniform(-8, 8, (60, 2)) if param == "logit" else rng.random((60, 2))
    x = np.concatenate([maps[0].final, spread])
    kernel = window_kernel(problem, PaperSchedule(), None)
    field = rule_field(SymbolicSource(dec), Rule("pg"))
    monkeypatch.setattr(window, "KERNEL_WINDOW_LEAST", 16)  # parts of 16 starts, 2+ threads
    monkeypatch.setattr("eqselect.numerics.dynamics.kernels.fused.threads", lambda: 3)
    for steps in (140, 37):
        at = replace(problem, steps=steps)
        fast = cycling(at, 120, field, PaperSchedule(), x, kernel=kernel)
        assert fast.tolist() == cycling(at, 120, field, PaperSchedule(), x).tolist()
        assert 0 < fast.sum() < len(x)
