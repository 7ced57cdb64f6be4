"""Sweeps over games on graphs: graph axes, and cells equal to direct network basin maps."""

import json

import pytest
import sympy as sp

from eqselect.cli import main
from eqselect.theory.errors import OptionsError
from eqselect.theory.rules import PAPER
from eqselect.studies.sweep.grid import SweepSpec, parse_axis, read_game_file
from eqselect.studies.sweep.network import with_graph_values
from eqselect.studies.sweep.runner import CELLS, run_sweep

GAME = """name = "sh-small-world"
graph = "watts-strogatz:40,4,0.1"
seed = 3
actions = ["Stag", "Hare"]
payoffs = [[[4, 0], [3, 2]], [[4, 3], [0, 2]]]
"""


@pytest.fixture(scope="module")
def game_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("games") / "small-world.toml"
    path.write_text(GAME)
    return path


def _spec(path, over, lam="0:3:2", grid=4, steps=40):
    text, digest = read_game_file(str(path))
    return SweepSpec(str(path), "logit", tuple(parse_axis(t) for t in over),
                     parse_axis(lam, "lam"), ("meta-mapg",), PAPER.eta, PAPER.own, grid, steps,
                     "paper", 2, digest, game_text=text)


@pytest.mark.parametrize("spec, values, expected", [
    ("watts-strogatz:100,4,0.1", {"n": 20, "p": sp.Rational(3, 10)}, "watts-strogatz:20,4,0.3"),
    ("grid:3x4", {"c": 5}, "grid:3x5"),
    ("barabasi-albert:50,2", {"m": 3, "seed": 7}, "barabasi-albert:50,3"),
    ("ring:9", {"a": 5}, "ring:9"),
])
def test_graph_values_replace_the_spec_arguments(spec, values, expected):
    out = with_graph_values({"graph": spec, "seed": 0}, values)
    assert out["graph"] == expected
    assert out["seed"] == values.get("seed", 0)


def test_a_cell_equals_a_direct_network_basin_map(game_file, tmp_path, capsys):
    spec = _spec(game_file, ["n=8:12:2"])
    run = run_sweep(spec, tmp_path / "sweep", workers=0)
    doc = json.loads((run.out / CELLS).read_text())
    assert [c["index"] for c in doc["cells"]] == list(range(4))
    cell = doc["cells"][3]  # n = 12, lambda = 3
    assert cell["symbols"] == {"n": "12"} and cell["lam"] == "3"
    assert cell["network"]["graph"] == "watts-strogatz:12,4,0.1"
    low, high = cell["network"]["interval"]
    assert low <= cell["fraction"] <= high
    direct_file = tmp_path / "n12.toml"
    direct_file.write_text(GAME.replace("40,4", "12,4"))
    code = main(["basins", str(direct_file), "--method", "meta-mapg", "--lam", "3",
                 "--samples", "16", "--seed", "3", "--steps", "40", "--json"])
    direct = json.loads(capsys.readouterr().out)
    assert code == 0
    assert cell["fraction"] == direct["fraction"] and cell["outcomes"] == direct["outcomes"]
    assert cell["n_starts"] == 16


def test_a_swept_axis_must_be_a_graph_axis_or_a_payoff_symbol(game_file, tmp_path):
    with pytest.raises(OptionsError, match="graph axes and payoff symbols: k, n, p, seed"):
        run_sweep(_spec(game_file, ["r=2:3:2"]), tmp_path / "bad", workers=0)
    assert not (tmp_path / "bad").exists()
