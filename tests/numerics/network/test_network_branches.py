"""Interior branches in lambda: on a regular graph they are the symmetric branches."""

import numpy as np
import pytest

from eqselect.theory import Rule
from eqselect.theory.io.network_spec import network_spec
from eqselect.numerics.network.branches import continue_points, diagonal_seeds
from eqselect.numerics.network.continuation import continue_symmetric
from eqselect.numerics.network.field import NetworkField
from eqselect.numerics.sources.fields import float_coefficients

STAG_HUNT = {"payoffs": [[[4, 0], [3, 2]], [[4, 3], [0, 2]]]}


@pytest.mark.parametrize("param", ["direct", "logit"])
def test_interior_branch_of_a_ring_is_its_symmetric_branch(param):
    field = NetworkField(network_spec({"graph": "ring:6", **STAG_HUNT}, param), 0.55)
    rule = Rule("meta-mapg", 1.5, 0.35)
    lams = np.linspace(0.0, 2.0, 11)
    found, events = continue_points(field, rule, lams)
    symmetric, sym_events = continue_symmetric(field, rule, lams)
    assert len(found) == 1 and len(symmetric) == 1
    branch, sym = found[0], symmetric[0]
    assert branch.lams == sym.lams[:len(branch.lams)]
    for x, t in zip(branch.points, sym.ts):
        assert np.allclose(x, t, atol=1e-8)  # every agent at the symmetric point
    assert branch.stability == sym.stability[:len(branch.stability)]
    assert [e.type for e in events] == [e.type for e in sym_events]
    for e, s in zip(events, sym_events):
        assert e.lam == pytest.approx(s.lam, abs=2e-4)


def test_diagonal_seeds_bracket_the_pg_point_of_any_graph():
    # under PG every edge's gradient is 3 p_j - 2 (direct): p = 2/3 everywhere is a root
    net = network_spec({"graph": "barabasi-albert:30,2", "seed": 4, **STAG_HUNT}, "direct")
    field = NetworkField(net, 0.55)
    seeds = diagonal_seeds(field, float_coefficients(Rule("pg")))
    assert len(seeds) == 1 and abs(seeds[0][0] - 2 / 3) < 0.005
