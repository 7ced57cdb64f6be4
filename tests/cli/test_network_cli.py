"""``eqselect basins / equilibria / check`` on games on graphs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from eqselect.cli import main

NETWORK = """name = "sh-ring"
graph = "ring:10"
actions = ["Stag", "Hare"]
payoffs = [[[4, 0], [3, 2]], [[4, 3], [0, 2]]]
"""


@pytest.fixture(scope="module")
def ring(tmp_path_factory):
    path = tmp_path_factory.mktemp("games") / "network.toml"
    path.write_text(NETWORK)
    return str(path)


def _json(args, capsys) -> dict:
    code = main(args + ["--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_basins_count_consensus_and_keep_the_contract(ring, capsys):
    doc = _json(["basins", ring, "--method", "meta-mapg", "--samples", "300", "--steps", "140"],
                capsys)
    assert doc["kind"] == "basins" and doc["network"]["agents"] == 10
    assert set(doc["outcomes"]) == {"consensus Stag", "consensus Hare", "mixed"}
    assert sum(doc["outcomes"].values()) == 300 == doc["n"]
    assert doc["fraction"] == doc["outcomes"]["consensus Stag"] / 300
    lo, hi = doc["interval"]
    assert lo <= doc["fraction"] <= hi
    assert abs(sum(doc["settling"]["agent_shares"].values()) - 1) < 1e-12


def test_shaping_enlarges_the_stag_basin_on_a_ring(ring, capsys):
    # starts near the symmetric separatrix p = 2/3: PG splits them, peer shaping
    # moves the separatrix toward hare (the symmetric branch in lambda)
    base = ["basins", ring, "--samples", "400", "--steps", "200", "--seed", "3"]
    pg = _json(base + ["--method", "pg"], capsys)["fraction"]
    shaped = _json(base + ["--method", "meta-mapg", "--lam", "3"], capsys)["fraction"]
    assert shaped > pg


def test_equilibria_of_a_ring_list_consensus_and_the_symmetric_point(ring, capsys):
    doc = _json(["equilibria", ring, "--method", "pg"], capsys)
    routes = [e["route"] for e in doc["equilibria"]]
    assert routes[:2] == ["consensus", "consensus"] and "symmetric" in routes
    sym = next(e for e in doc["equilibria"] if e["route"] == "symmetric")
    assert np.allclose(sym["point"], np.log(2)) and sym["stability"] == "unstable"


def test_check_decides_a1_a2_at_the_vertices_and_a3_from_paired_starts(ring, capsys):
    doc = _json(["check", ring, "--param", "direct", "--method", "meta-mapg",
                 "--samples", "200"], capsys)
    a1, a2, a3 = doc["conditions"]
    assert (a1["id"], a2["id"], a3["id"]) == ("A1", "A2", "A3")
    # at the all-stag vertex each agent's M is its two edges' peer terms,
    # eta S (S + c - d) each (S = 3, c - d = 1, eta = 0.55); at all-hare -eta S (c - d)
    assert np.isclose(a1["values"]["mu_M(P)"], 2 * 0.55 * 3 * 4) and a1["holds"] is True
    assert np.isclose(a2["values"]["mu_M(R)"], -2 * 0.55 * 3 * 1) and a2["holds"] is True
    assert a3["certified"] == "statistical" and a3["values"]["n"] == 200
    assert doc["preferred"] == "consensus Stag"


def test_bad_graph_spec_is_one_line_and_status_2(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(NETWORK.replace("ring:10", "ring:ten"))
    assert main(["basins", str(bad), "--method", "pg", "--samples", "10"]) == 2
    err = capsys.readouterr().err.strip()
    assert "ring:ten" in err and "\n" not in err


def test_three_action_network_runs_on_the_numpy_field(tmp_path, capsys):
    path = tmp_path / "rps.toml"
    path.write_text('graph = "ring:5"\nparameterization = "softmax"\n'
                    'payoffs = [[[0, -1, 1], [1, 0, -1], [-1, 1, 0]], '
                    '[[0, 1, -1], [-1, 0, 1], [1, -1, 0]]]\n')
    doc = _json(["basins", str(path), "--method", "pg", "--samples", "20", "--steps", "10"],
                capsys)
    assert doc["inputs"]["problem"]["kernel"] == "numpy" and sum(doc["outcomes"].values()) == 20
    check = _json(["check", str(path), "--method", "pg"], capsys)
    assert [c["holds"] for c in check["conditions"]] == [None, None, None]


def test_equilibria_json_keeps_the_contract_keys(ring, capsys):
    doc = _json(["equilibria", ring, "--method", "pg", "--param", "direct"], capsys)
    for record in doc["equilibria"]:
        assert {"point", "exact", "strategies", "stability", "nash", "boundary",
                "eigenvalues"} <= set(record)
        assert all(abs(sum(s) - 1) < 1e-12 for s in record["strategies"])
    corners = [r for r in doc["equilibria"] if r["route"] == "consensus"]
    assert [r["boundary"] for r in corners] == [True, True]
    assert corners[0]["strategies"][0] == [1.0, 0.0]
