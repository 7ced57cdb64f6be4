"""Continuation events and branches: reversed ranges, saturation, names.

A reversed range must find the same branches and events as the forward one;
a logit / softmax branch that runs off to infinity ends with one
"saturation" event; every event names the parameter it varies.
"""

import json
import os

import numpy as np
import pytest

from eqselect.numerics.continuation.branches import continue_in_lambda, continue_in_parameter
from eqselect.numerics.continuation.results import BranchStatus, EventType
from eqselect.numerics.fixed_points.infinity.pure_profiles import AT_INFINITY
from eqselect.theory import Decomposition, builtin, normal_form_game
from eqselect.theory.rules import Rule, resolve

RANDOM_3X3 = [[[4, 4, -3], [5, -3, -3], [4, -3, 4]], [[-5, -5, 3], [3, -1, -4], [2, 3, 3]]]


def _summary(result):
    branches = sorted((b.kind, round(min(b.points[:, 0]), 6), round(max(b.points[:, 0]), 6))
                      for b in result.branches)
    events = sorted((e.type.value, round(e.value, 6), tuple(round(x, 6) for x in e.point))
                    for e in result.events)
    return branches, events


@pytest.mark.parametrize("param,method", [("direct", "peer-only"), ("logit", "peer-only"),
                                          ("direct", "meta-mapg")])
def test_reversed_range_finds_the_same_branches_and_events(param, method):
    dec = Decomposition(builtin("stag-hunt", param), eta=0.55)
    forward = continue_in_lambda(dec, resolve(method), (0, 3))
    backward = continue_in_lambda(dec, resolve(method), (3, 0))
    assert _summary(forward) == _summary(backward)
    assert len(forward.branches) >= 1


def test_branch_running_to_infinity_ends_with_one_saturation_event():
    # a continuation without a saturation test walks this branch to theta1 ~ -196
    # with 1069 fold events
    dec = Decomposition(normal_form_game(RANDOM_3X3, "softmax"), eta=0.55)
    result = continue_in_lambda(dec, Rule("peer-only"), (0, 5))
    saturated = [b for b in result.branches if b.status is BranchStatus.SATURATED]
    assert saturated
    for br in saturated:
        assert br.events[-1].type is EventType.SATURATION
        assert np.abs(br.points[-1, 1:]).max() > AT_INFINITY
        assert np.abs(br.points[:-1, 1:]).max() <= AT_INFINITY + 1.0
    assert len(result.events) <= 5
    keys = [(e.type, round(e.value, 8)) for e in result.events]
    assert len(keys) == len(set(keys))


def test_events_name_a_payoff_parameter():
    dec = Decomposition(builtin("stag-hunt", "direct", symbolic=True), eta=0.55)
    result = continue_in_parameter(dec, Rule("peer-only", lam=1.5), "b", (-4, 0))
    assert result.events and all(e.parameter == "b" for e in result.events)
    doc = json.loads(json.dumps(result.to_json()))
    assert doc["parameter"] == "b"
    for ev in doc["events"]:
        assert ev["parameter"] == "b" and "lam" not in ev and isinstance(ev["value"], float)


def _random_game(seed, shape, param):
    rng = np.random.default_rng(seed)
    return normal_form_game(rng.integers(-5, 6, size=(len(shape), *shape)).tolist(), param)


@pytest.mark.parametrize("seed,shape,param,method", [
    (11, (2, 2), "direct", "peer-only"), (12, (2, 2), "direct", "meta-mapg"),
    (13, (2, 2), "direct", "pg"), (14, (3, 3), "direct", "peer-only"),
    (15, (2, 2, 2), "direct", "peer-only"), (44, (2, 2), "logit", "peer-only"),
    (57, (2, 2), "logit", "meta-mapg"), (20, (2, 2), "logit", "peer-only"),
    (18, (3, 3), "softmax", "peer-only")])
def test_reversed_range_on_random_games(seed, shape, param, method):
    """Forward and reversed ranges: the same branches (kind, face, window) and events."""
    dec = Decomposition(_random_game(seed, shape, param), eta=0.55)
    forward = continue_in_lambda(dec, resolve(method), (0, 3))
    backward = continue_in_lambda(dec, resolve(method), (3, 0))
    faces = lambda r: sorted(b.face for b in r.branches)  # noqa: E731
    assert _summary(forward) == _summary(backward)
    assert faces(forward) == faces(backward)
    assert forward.branches
    if seed in (44, 57):  # a fold inside the window, found from both ends
        assert [e.type for e in forward.events] == [EventType.FOLD]
    if param == "direct":
        assert any(b.kind != "interior" for b in forward.branches)


#: The random games of the reversed-range check at scale: (shape, parameterisation, rule)
#: in turn, payoffs drawn in -5..5 (many ties) from seed 1000 + k.
SCALE_KINDS = [((2, 2), "direct", "peer-only"), ((2, 2), "direct", "meta-mapg"),
               ((2, 2), "direct", "pg"), ((2, 2), "logit", "peer-only"),
               ((2, 2), "logit", "meta-mapg"), ((3, 3), "direct", "peer-only"),
               ((2, 2, 2), "direct", "peer-only"), ((3, 3), "softmax", "peer-only")]
#: 18 games by default (about 4 s); 120 with EQSELECT_FULL_SCALE=1 (about 25 s).
N_SCALE = 120 if os.environ.get("EQSELECT_FULL_SCALE") == "1" else 18


@pytest.mark.parametrize("k", range(N_SCALE))
def test_reversed_range_at_scale(k):
    """Forward and reversed ranges agree on every random game: branches (kind,
    face, window), events and branch origins. Game 78 (2x2x2) is the hard case: a face branch's
    corrector can jump to a far point of another branch, which is refused."""
    shape, param, method = SCALE_KINDS[k % len(SCALE_KINDS)]
    dec = Decomposition(_random_game(1000 + k, shape, param), eta=0.55)
    forward = continue_in_lambda(dec, resolve(method), (0, 3))
    backward = continue_in_lambda(dec, resolve(method), (3, 0))
    full = lambda r: sorted((b.kind, b.face, b.origin, round(min(b.points[:, 0]), 6),  # noqa: E731
                             round(max(b.points[:, 0]), 6)) for b in r.branches)
    assert _summary(forward) == _summary(backward)
    assert full(forward) == full(backward)
    for br in forward.branches:  # no branch leaves the region or the window
        assert np.all(br.points[:, 0] >= -1e-9) and np.all(br.points[:, 0] <= 3 + 1e-9)
        if param == "direct":
            assert np.all(br.points[:, 1:] >= -1e-9) and np.all(br.points[:, 1:] <= 1 + 1e-9)


def test_hopf_point_next_to_a_fold_is_found_from_both_ends():
    """A Hopf point at lambda ~ 0.2580, 0.003 from a fold, on a 2x2x2 game: with the Hopf
    test max Re over complex pairs (undefined while the pair is real) only the reversed
    range saw it; the bialternate product prod (z_i + z_j) is continuous there."""
    dec = Decomposition(_random_game(1534, (2, 2, 2), "direct"), eta=0.55)
    found = []
    for window in ((0, 3), (3, 0)):
        res = continue_in_lambda(dec, Rule("peer-only"), window)
        found.append(sorted(round(e.value, 4) for e in res.events if e.type is EventType.HOPF))
        fold = [e for e in res.events if e.type is EventType.FOLD]
        assert any(0.254 < e.value < 0.256 for e in fold)
    assert found[0] == found[1] and 0.258 in found[0]
