"""Sweeps across graph families: the ``graph`` axis, its labels, and its cells."""

import json
import re

import pytest

from eqselect.cli import main
from eqselect.studies.sweep.atlas import read_atlas
from eqselect.studies.sweep.grid import SweepSpec, parse_axis, read_game_file
from eqselect.studies.sweep.network import graph_axes, graph_axis
from eqselect.studies.sweep.runner import CELLS
from eqselect.theory.errors import GameError, OptionsError
from eqselect.theory.io.network_spec import network_spec

GAME = """name = "sh-families"
graph = GRAPH
actions = ["Stag", "Hare"]
payoffs = [[["a", 0], [3, 2]], [["a", 3], [0, 2]]]
symbols = {a = 4}
"""
LISTED = '["ring:6", "path:6", "star:6"]'
BASE = ["--method", "meta-mapg", "--grid", "3", "--steps", "30", "--chunk", "2"]


def _game(tmp_path, graph=LISTED, name="families.toml"):
    path = tmp_path / name
    path.write_text(GAME.replace("GRAPH", graph))
    return path


def _sweep(game, out, *extra):
    code = main(["sweep", str(game), "--lam", "0:2:2", *BASE, "--out", str(out), *extra])
    doc = json.loads((out / CELLS).read_text()) if code == 0 else None
    return code, doc


def test_the_axis_holds_indices_labelled_by_spec_and_only_shared_graph_axes():
    ax = graph_axis(["ring:6", " grid:2x3 "])
    assert ax.values == (0, 1) and ax.labels == ("ring:6", "grid:2x3")
    assert ax.to_json() == {"name": "graph", "values": ["0", "1"],
                            "labels": ["ring:6", "grid:2x3"]}
    assert "labels" not in parse_axis("a=0:1:2").to_json()  # a numeric axis keeps its hash
    specs = ("watts-strogatz:20,4,0.1", "barabasi-albert:20,2", "ring:20")
    assert graph_axes({"graph": specs[0]}, specs) == ("n",)
    assert graph_axes({"graph": list(specs[:2])}) == ("n", "seed")
    with pytest.raises(OptionsError, match="twice"):
        graph_axis(["ring:6", "ring:6"])


def test_a_listed_file_sweeps_every_graph_and_names_each_in_cells_json(tmp_path, capsys):
    code, doc = _sweep(_game(tmp_path), tmp_path / "out", "--workers", "0")
    assert code == 0
    assert doc["axes"][0] == {"name": "graph", "values": ["0", "1", "2"],
                              "labels": ["ring:6", "path:6", "star:6"]}
    assert doc["shape"] == [1, 3, 2]
    by_graph = {c["symbols"]["graph"]: c["network"] for c in doc["cells"] if c["lam"] == "0"}
    # the families' summaries, counted by hand: 6 agents; 6, 5, 5 edges; a ring of 6 and
    # a path and a star have no triangles
    assert {g: (n["agents"], n["edges"], n["clustering"]) for g, n in by_graph.items()} == {
        "ring:6": (6, 6, 0.0), "path:6": (6, 5, 0.0), "star:6": (6, 5, 0.0)}
    assert by_graph["star:6"]["degree_mean"] == pytest.approx(10 / 6)
    assert all(n["graph"] == g for g, n in by_graph.items())
    atlas = read_atlas(doc, doc["cells"])
    assert atlas.axes[0].labels == ("ring:6", "path:6", "star:6")
    assert len(list((tmp_path / "out").glob("*.png"))) == 5  # fraction, n-stable, 3 shares


def test_a_family_cell_equals_a_direct_basins_run_of_its_graph(tmp_path, capsys):
    code, doc = _sweep(_game(tmp_path), tmp_path / "out", "--workers", "0")
    capsys.readouterr()
    cell = next(c for c in doc["cells"] if c["symbols"]["graph"] == "star:6" and c["lam"] == "2")
    direct = _game(tmp_path, '"star:6"', "star.toml")
    assert main(["basins", str(direct), "--method", "meta-mapg", "--lam", "2", "--samples", "9",
                 "--seed", "0", "--steps", "30", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (cell["fraction"], cell["outcomes"]) == (out["fraction"], out["outcomes"])
    assert cell["n_starts"] == 9


def test_graphs_option_replaces_the_file_graph_and_takes_a_shared_axis(tmp_path, capsys):
    game = _game(tmp_path, '"ring:9"')
    code, doc = _sweep(game, tmp_path / "out", "--workers", "0",
                       "--graphs", "ring:6;star:6", "--over", "n=5:6:2")
    assert code == 0 and doc["shape"] == [1, 2, 2, 2]
    graphs = [(c["symbols"]["graph"], c["symbols"]["n"], c["network"]["graph"])
              for c in doc["cells"] if c["lam"] == "0"]
    assert graphs == [("ring:6", "5", "ring:5"), ("ring:6", "6", "ring:6"),
                      ("star:6", "5", "star:5"), ("star:6", "6", "star:6")]


@pytest.mark.parametrize("extra, message", [
    (["--graphs", "ring:6;bogus:3"], "unknown graph family 'bogus' in 'bogus:3'"),
    (["--graphs", "ring:6;grid:0x3"], "graph 'grid:0x3' has 0 agents"),
    (["--graphs", "ring:6;grid:2x3", "--over", "n=5:6:2"], "--over n: .*payoff symbols: a\n"),
    (["--graphs", "ring:6;ring:6"], "lists a graph twice"),
])
def test_a_bad_graph_list_is_one_line_and_status_2_before_any_work(tmp_path, capsys, extra,
                                                                     message):
    code, _ = _sweep(_game(tmp_path), tmp_path / "out", "--workers", "0", *extra)
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert re.search(message, err)
    assert not (tmp_path / "out").exists()


def test_a_numeric_graph_axis_is_refused(tmp_path, capsys):
    code, _ = _sweep(_game(tmp_path, '"ring:6"'), tmp_path / "out", "--workers", "0",
                     "--over", "graph=0:1:2")
    assert code == 2 and "the graph axis takes specs" in capsys.readouterr().err


def test_graphs_on_a_game_without_a_graph_is_refused(tmp_path, capsys):
    code = main(["sweep", "stag-hunt", "--graphs", "ring:6", "--lam", "0:1:2", "--out",
                 str(tmp_path / "o")])
    assert code == 2 and "not a game on a graph" in capsys.readouterr().err


def test_other_commands_refuse_a_list_of_graphs_with_one_clear_line():
    with pytest.raises(GameError, match="list of graphs is swept by eqselect sweep"):
        network_spec({"graph": ["ring:6", "path:6"], "payoffs": [[[4, 0], [3, 2]],
                                                                 [[4, 3], [0, 2]]]})


def test_serial_and_local_cluster_cells_are_identical(tmp_path, capsys):
    game = _game(tmp_path)
    _, serial = _sweep(game, tmp_path / "serial", "--workers", "0")
    code, cluster = _sweep(game, tmp_path / "cluster", "--local-cluster", "--workers", "1")
    assert code == 0
    assert cluster["cells"] == serial["cells"] and cluster["axes"] == serial["axes"]


def test_the_spec_hash_names_the_graphs(tmp_path):
    text, digest = read_game_file(str(_game(tmp_path)))

    def spec(*graphs):
        return SweepSpec(str(tmp_path / "families.toml"), None, (graph_axis(graphs),),
                         parse_axis("0:1:2", "lam"), ("pg",), 1, 1, 2, 2, "paper", 1, digest,
                         game_text=text)
    assert spec("ring:6", "path:6").digest() != spec("ring:6", "star:6").digest()


def test_a_listed_file_swept_without_its_graph_axis_is_refused(tmp_path):
    from eqselect.studies.sweep.runner import run_sweep

    path = _game(tmp_path)
    text, digest = read_game_file(str(path))
    spec = SweepSpec(str(path), None, (parse_axis("a=4:5:2"),), parse_axis("0:1:2", "lam"),
                     ("pg",), 1, 1, 2, 2, "paper", 1, digest, game_text=text)
    with pytest.raises(OptionsError, match="lists graphs"):
        run_sweep(spec, tmp_path / "out", workers=0)
    assert not (tmp_path / "out").exists()
