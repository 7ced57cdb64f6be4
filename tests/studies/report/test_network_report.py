"""The report of a game on a graph: sparse sections that agree with direct computations."""

from __future__ import annotations

import json
import shutil
import subprocess

import networkx as nx
import numpy as np
import pytest
import sympy as sp

from eqselect.cli import main
from eqselect.theory import Rule
from eqselect.theory.io.network_spec import network_spec
from eqselect.theory.network import parse_graph
from eqselect.numerics.dynamics.basins import run_basins
from eqselect.numerics.dynamics.consensus import ConsensusJudge
from eqselect.numerics.dynamics.starts import SampledStarts
from eqselect.numerics.network.basins import NetworkBasinOptions, network_basin_problem
from eqselect.numerics.network.field import NetworkField
from eqselect.studies.report.build import ReportOptions
from eqselect.studies.report.network import (
    NetworkReportOptions, build_network_report, graph_summary)
from eqselect.studies.report.network_figures import percent
from eqselect.studies.report.network_terms import PHI_I, PHI_J, edge_terms

STAG_HUNT = {"actions": ["Stag", "Hare"], "payoffs": [[[4, 0], [3, 2]], [[4, 3], [0, 2]]]}
OPTIONS = NetworkReportOptions(ReportOptions(methods=("pg", "meta-mapg"), steps=40,
                                             lam_range=(sp.Integer(0), sp.Integer(2))),
                               samples=100, newton_seeds=2)


@pytest.fixture(scope="module")
def ring_report(tmp_path_factory):
    net = network_spec({"graph": "ring:6", **STAG_HUNT}, "direct")
    out = tmp_path_factory.mktemp("report")
    return net, build_network_report(net, out, OPTIONS), out


def test_edge_templates_of_stag_hunt_by_hand():
    # u = p q 4 + (1 - p)(3 q + 2 (1 - q)) = 3 p q - 2 p + q + 2
    net = network_spec({"graph": "path:2", **STAG_HUNT}, "direct")
    terms = edge_terms(net, net.pairs[0][0])
    assert sp.expand(terms["a"][0] - (3 * PHI_J - 2)) == 0
    assert sp.expand(terms["b"][0] - (3 * PHI_I + 1)) == 0
    assert terms["h"][0] == 0 and terms["c"][0] == 3


@pytest.mark.parametrize("spec, clustering", [("ring:7", 0.0), ("complete:5", 1.0)])
def test_graph_summary_against_networkx(spec, clustering):
    g = parse_graph(spec)
    s = graph_summary(g)
    degrees = [d for _, d in g.to_networkx().degree()]
    assert s["agents"] == g.n and s["edges"] == len(g.edges)
    assert sum(s["degrees"].values()) == g.n
    assert s["degree_mean"] == pytest.approx(np.mean(degrees))
    assert s["clustering"] == pytest.approx(clustering) and s["regular"]


def test_report_basins_equal_a_direct_basin_map(ring_report):
    net, rep, _ = ring_report
    for method in OPTIONS.base.methods:
        source = NetworkField(net.substitute(), OPTIONS.base.eta)
        opts = NetworkBasinOptions(SampledStarts(100, 0), 40, "paper", ConsensusJudge(0),
                                   "numpy")
        rule = Rule(method, float(OPTIONS.base.lam), float(OPTIONS.base.own))
        direct = run_basins(network_basin_problem(source, rule, opts))
        assert rep.basins[method].outcomes == direct.outcomes
    assert rep.preferred == "consensus Stag"


def test_report_numbers_printed_twice_agree(ring_report):
    _, rep, out = ring_report
    doc = json.loads((out / "report.json").read_text())
    tex = (out / "report.tex").read_text()
    assert doc["kind"] == "report" and doc["network"]["agents"] == 6
    for method, bm in doc["basins"].items():
        assert percent(bm["fraction"]).replace("%", "\\%") in tex
    # a ring is regular: the symmetric branches of the chosen method are reported
    assert doc["continuation"]["method"] == OPTIONS.chosen and doc["continuation"]["branches"]
    assert {"graph.png", "agent-shares.png", "selection.png"} <= set(doc["figures"])
    verdicts = {c["id"]: c["holds"] for c in doc["check"]["conditions"]}
    assert verdicts["A1"] is True and verdicts["A2"] is True  # Stag Hunt, direct (docs)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_network_report_compiles_without_overfull_boxes(ring_report):
    _, _, out = ring_report
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                           "report.tex"], cwd=out, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert "Overfull" not in (out / "report.log").read_text()


def test_report_of_a_large_graph_refuses_in_one_line(tmp_path, capsys):
    game = tmp_path / "big.toml"
    game.write_text('graph = "ring:20000"\npayoffs = [[[4, 0], [3, 2]], [[4, 3], [0, 2]]]\n')
    code = main(["report", str(game), "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err and "--samples" in err
    assert not (tmp_path / "r").exists()


def test_samples_are_refused_for_a_game_that_is_not_on_a_graph(tmp_path, capsys):
    code = main(["report", "stag-hunt", "--samples", "10", "--out", str(tmp_path / "r")])
    assert code == 2 and "--grid" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
