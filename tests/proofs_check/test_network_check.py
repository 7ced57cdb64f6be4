"""Alignment on graphs against the two-player check and against a direct count.

A graph of one edge is the two-player edge game: its consensus vertices'
margins must equal the exact face margins `check_game` computes, on random
coordination games. A3's paired starts are recounted here from two basin
runs on the same starts.
"""

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scale import examples

from eqselect.numerics.network.field import NetworkField
from eqselect.proofs_check import check_game
from eqselect.proofs_check.network import check_network
from eqselect.proofs_check.paired_starts import SampleOptions
from eqselect.theory import Rule, builtin, normal_form_game
from eqselect.theory.network import network_game, parse_graph

base, gap = st.integers(-3, 3), st.integers(1, 5)


def _edge():
    g = nx.Graph()
    g.add_edge(0, 1)
    return g


@settings(max_examples=examples(3, 25), deadline=None)
@given(c=base, b=base, p=gap, q=gap, rule=st.sampled_from(["peer-only", "meta-mapg"]))
def test_one_edge_margins_equal_the_two_player_face_margins(c, b, p, q, rule):
    """Symmetric coordination games A = [[c + p, b], [c, b + q]]: (0, 0) and (1, 1)
    are strict equilibria, so both checks name the consensus profiles P and R."""
    A = [[c + p, b], [c, b + q]]
    edge_game = normal_form_game([A, np.transpose(A).tolist()], "direct", name="edge")
    net = network_game(_edge(), edge_game, "direct")
    graph = check_network(NetworkField(net, 0.55), Rule(rule), SampleOptions(n=50, kernel="numpy"))
    pair = check_game(edge_game, rule, statements=False)
    if pair.preferred is None or pair.alternative is None:
        return
    for k in ("A1", "A2"):
        want = pair.verdict(k).values.get("mu_M(P)")
        if want is None:
            continue
        got = graph.conditions[("A1", "A2").index(k)]
        assert got.values["mu_M(P)"] == pytest.approx(float(want), rel=1e-9, abs=1e-9)
        if pair.verdict(k).holds is not None:
            assert got.holds is pair.verdict(k).holds


def test_a3_counts_the_starts_that_change_consensus():
    """The verdict's counts equal two runs of the basin engine on the same starts,
    at lambda = 0 and delta, counted here."""
    from eqselect.numerics.dynamics.basins import run_basins
    from eqselect.numerics.dynamics.consensus import ConsensusJudge
    from eqselect.numerics.dynamics.starts import SampledStarts
    from eqselect.numerics.network.basins import NetworkBasinOptions, network_basin_problem

    net = network_game(parse_graph("ring:8"), builtin("stag-hunt", "direct"), "direct")
    field = NetworkField(net, 0.55)
    o = SampleOptions(n=300, seed=3, steps=80, kernel="numpy")
    a3 = check_network(field, Rule("peer-only", lam=1), o).conditions[2]
    delta = a3.values["delta"]
    ends = []
    for lam in (0.0, delta):
        opts = NetworkBasinOptions(SampledStarts(300, 3), 80, "paper", ConsensusJudge(0),
                                   "numpy")
        ends.append(run_basins(network_basin_problem(field, Rule("peer-only", lam=lam),
                                                     opts)).success)
    assert a3.values["gains"] == int(np.sum(ends[1] & ~ends[0]))
    assert a3.values["losses"] == int(np.sum(ends[0] & ~ends[1]))
    assert a3.certified.value == "statistical"
    # peer shaping pushes every stag-leaning agent up: starts only enter the stag basin
    assert a3.values["losses"] == 0 and a3.holds is (a3.values["gains"] > 0 or None)
