"""The judges of a basin map, the starts given as points, and a source in place of
the decomposition: each against an independent computation."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from eqselect.numerics.dynamics.basins import run_basins
from eqselect.numerics.dynamics.judges import AttractorJudge, SuccessJudge
from eqselect.numerics.dynamics.outcomes import cooperation_success
from eqselect.numerics.dynamics.problem import BasinProblem
from eqselect.numerics.dynamics.starts import GivenStarts, GridStarts
from eqselect.numerics.sources.symbolic import SymbolicSource
from eqselect.theory import PAPER, Decomposition, GameError, Rule, builtin


@pytest.fixture(scope="module")
def dec():
    return Decomposition(builtin("stag-hunt", "logit"), eta=PAPER.eta)


def test_final_and_ever_judge_the_same_runs(dec):
    rule, starts = Rule("meta-mapg"), GridStarts(7)
    final = run_basins(BasinProblem(dec, rule, starts, 60))
    ever = run_basins(BasinProblem(dec, rule, starts, 60, judge=SuccessJudge(criterion="ever")))
    coop = cooperation_success(dec.game)
    assert final.success.tolist() == coop(final.final).tolist()
    assert np.array_equal(final.final, ever.final)
    assert ever.success.tolist() == (ever.first_hit >= 0).tolist()
    assert np.all(ever.success[final.success])  # a success at the end was one at some step
    assert final.fraction == final.success.mean()


def test_a_given_predicate_decides(dec):
    def p1_high(x):
        return x[:, 0] > 0

    bm = run_basins(BasinProblem(dec, Rule("pg"), GridStarts(5), 10, judge=SuccessJudge(p1_high)))
    assert bm.success.tolist() == (bm.final[:, 0] > 0).tolist()


def test_judging_by_attractor_needs_the_fixed_point_set(dec):
    with pytest.raises(GameError, match="EquilibriumSet"):
        BasinProblem(dec, judge=AttractorJudge())
    with pytest.raises(GameError, match="window"):
        AttractorJudge(window=-1)
    # the preferred attractor decides: no predicate is stepped along
    assert AttractorJudge(preferred=0).success(BasinProblem(dec)) is None


def test_given_starts_and_a_source_reproduce_the_grid_map(dec):
    grid = run_basins(BasinProblem(dec, Rule("peer-only", lam=2), GridStarts(6), 50))
    given = run_basins(BasinProblem(None, Rule("peer-only", lam=2), GivenStarts(grid.starts), 50,
                                    source=SymbolicSource(dec), game=dec.game))
    assert np.allclose(given.starts_probability, 1 / (1 + np.exp(-grid.starts)))
    assert np.array_equal(given.final, grid.final)
    assert given.success.tolist() == grid.success.tolist()
    with pytest.raises(GameError, match="coordinates"):
        GivenStarts(np.zeros((3, 5))).draw(dec.game)
    with pytest.raises(GameError, match="source"):
        BasinProblem(None, game=dec.game)


def _nearest_names(ends, points, tol, corners):
    """Independent naming, one end point at a time in pure Python."""
    out = []
    for p in ends:
        dists = [(float(np.sqrt(sum((a - b) ** 2 for a, b in zip(p, c)))), name)
                 for name, c in points]
        best = min(dists) if dists else (np.inf, None)
        if best[0] <= tol:
            out.append(best[1])
            continue
        corner = [round(float(v)) for v in p]
        if corners and np.sqrt(sum((a - b) ** 2 for a, b in zip(p, corner))) <= tol:
            out.append("(" + ", ".join(str(int(v)) for v in corner) + ")")
        else:
            out.append("unresolved")
    return out


def test_named_point_judge_names_ends_by_point_then_pure_profile(dec):
    from eqselect.numerics.dynamics.judges import NamedPointJudge
    from eqselect.numerics.dynamics.starts import parameters_to_probability

    # only the mixed point is named: logit ends at the pure profiles fall back to corners
    points = (("(2/3, 2/3)", (2 / 3, 2 / 3)),)
    judge = NamedPointJudge(None, points, 0.05)
    bm = run_basins(BasinProblem(dec, Rule("pg"), GridStarts(7), 140, judge=judge))
    ends = parameters_to_probability(dec.game, bm.final)
    names = _nearest_names(ends, points, 0.05, corners=True)
    assert bm.outcomes == {n: names.count(n) for n in sorted(set(names))}
    assert {"(0, 0)", "(1, 1)"} <= set(bm.outcomes)
    assert bm.success.tolist() == cooperation_success(dec.game)(bm.final).tolist()
    assert bm.fraction == bm.success.mean()
    named = [bm.label_names[i] if i >= 0 else "unresolved" for i in bm.labels]
    assert named == names


def test_named_point_judge_without_corners_on_a_box(direct_sh):
    from eqselect.numerics.dynamics.judges import NamedPointJudge

    points = (("(1, 1)", (1.0, 1.0)),)
    bm = run_basins(BasinProblem(direct_sh, Rule("pg"), GridStarts(6, 0.0, 1.0), 60,
                                 schedule="flow", judge=NamedPointJudge(None, points, 0.05)))
    names = _nearest_names(bm.final, points, 0.05, corners=False)  # direct: phi = p
    assert bm.outcomes == {n: names.count(n) for n in sorted(set(names))}
    assert set(bm.outcomes) == {"(1, 1)", "unresolved"}  # (0, 0) is not named on a box


def test_named_point_judge_checks_its_tolerance():
    from eqselect.numerics.dynamics.judges import NamedPointJudge

    with pytest.raises(GameError, match="tol must be > 0"):
        NamedPointJudge(None, (), 0.0)


def test_named_point_judge_names_every_start_at_a_corner(dec):
    from eqselect.numerics.dynamics.judges import NamedPointJudge
    from eqselect.numerics.dynamics.starts import probability_to_parameters

    rng = np.random.default_rng(3)
    corners = rng.integers(0, 2, size=(500, 2)).astype(float)
    ends = np.clip(corners + rng.uniform(-0.03, 0.03, size=corners.shape), 1e-6, 1 - 1e-6)
    ends[::5] = 0.5  # resolved by neither a point nor a corner
    names = NamedPointJudge(None, (), 0.05).names(dec.game, probability_to_parameters(
        dec.game, ends))
    want = ["unresolved" if k % 5 == 0 else f"({int(a)}, {int(b)})"
            for k, (a, b) in enumerate(corners)]
    assert names.tolist() == want


def test_a_deferred_field_is_built_once_and_only_when_used():
    from eqselect.numerics.dynamics.judges import DeferredField

    built = []

    def build():
        built.append(1)
        return lambda x: 2 * x

    field = DeferredField(build, False, 1.5)
    assert (field.step_dependent, field.lam, built) == (False, 1.5, [])
    assert field(np.ones(2)).tolist() == [2.0, 2.0] and field(np.zeros(1)).tolist() == [0.0]
    assert built == [1]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(-2, 5), max_size=200), st.integers(0, 3))
def test_label_counts_count_each_label(labels, extra):
    from eqselect.numerics.dynamics.attractors import CYCLE, MOVING, label_counts

    labels = np.array(labels, dtype=int)
    n = max([6, *(labels + 1)]) + extra
    tally = label_counts(labels, n)
    for j in [*range(n), MOVING, CYCLE]:
        assert tally[j] == np.sum(labels == j)
