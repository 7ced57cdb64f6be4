"""Graph specs, network game files and the network built-ins."""

from __future__ import annotations

import networkx as nx
import pytest
import sympy as sp

from eqselect.theory import GameError, builtin, load_game
from eqselect.theory.network import network_game, parse_graph


@pytest.mark.parametrize("spec, n, m", [
    ("ring:100", 100, 100), ("grid:10x10", 100, 180), ("torus:4x5", 20, 40),
    ("watts-strogatz:100,4,0.1", 100, 200), ("barabasi-albert:100,2", 100, 196),
    ("complete:5", 5, 10), ("star:6", 6, 5), ("path:7", 7, 6)])
def test_families_have_the_sizes_of_their_definitions(spec, n, m):
    g = parse_graph(spec, seed=1)
    assert (g.n, len(g.edges)) == (n, m)
    assert all(i < j for i, j in g.edges) and list(g.edges) == sorted(g.edges)


def test_random_families_follow_their_seed():
    a, b = parse_graph("watts-strogatz:50,4,0.3", 1), parse_graph("watts-strogatz:50,4,0.3", 1)
    c = parse_graph("watts-strogatz:50,4,0.3", 2)
    assert a.edges == b.edges != c.edges and a.seed == 1
    assert nx.is_connected(a.to_networkx())


@pytest.mark.parametrize("spec, words", [
    ("ring:two", "does not read as ring:N"), ("ring:2", "needs at least 3"),
    ("hexagon:6", "unknown graph family"), ("watts-strogatz:10,3,0.1", "even K"),
    ("barabasi-albert:5,5", "1 <= M < N"), ("ring:10;import os", "does not read"),
    ("watts-strogatz:10,4,2", "does not read"), ("nope.graphml", "not found")])
def test_bad_specs_are_refused_in_one_line(spec, words):
    with pytest.raises(GameError) as err:
        parse_graph(spec)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_edge_list_and_graphml_files(tmp_path):
    (tmp_path / "g.edgelist").write_text("# a square\n1 2\n2 3\n3,4\n4 1\n")
    g = parse_graph("g.edgelist", base=tmp_path)
    assert g.names == ("1", "2", "3", "4") and g.edges == ((0, 1), (0, 3), (1, 2), (2, 3))
    nx.write_graphml(nx.star_graph(3), tmp_path / "s.graphml")
    assert len(parse_graph(str(tmp_path / "s.graphml")).edges) == 3
    (tmp_path / "bad.txt").write_text("1 2 3\n")
    with pytest.raises(GameError, match="line 1: expected two node labels"):
        parse_graph("bad.txt", base=tmp_path)


def test_a_network_game_file_with_shared_and_per_edge_payoffs(tmp_path):
    (tmp_path / "sh.toml").write_text(
        'graph = "ring:5"\nparameterization = "direct"\nactions = ["Stag", "Hare"]\n'
        'payoffs = [[["a", 0], [3, 2]], [["a", 3], [0, 2]]]\n[symbols]\na = 4\n')
    game = load_game(str(tmp_path / "sh.toml"))
    net = game.structure
    assert net.shared and net.graph.n == 5 and game.action_names[0] == ("Stag", "Hare")
    assert sp.Symbol("a") in game.payoff_symbols
    ref = network_game(parse_graph("ring:5"), builtin("stag-hunt", "direct"), "direct")
    assert sp.expand(game.substitute().values[2] - ref.game.values[2]) == 0
    (tmp_path / "pe.toml").write_text(
        'graph = "path:3"\n[[edges]]\nbetween = ["1", "2"]\npayoffs = [[[1, 0], [0, 1]], '
        '[[1, 0], [0, 1]]]\n[[edges]]\nbetween = ["3", "2"]\npayoffs = [[[2, 0], [0, 2]], '
        '[[5, 0], [0, 5]]]\n')
    net = load_game(str(tmp_path / "pe.toml"), "direct").structure
    assert not net.shared and net.pairs[1] == (((5, 0), (0, 5)), ((2, 0), (0, 2)))


def test_network_files_refuse_unknown_keys_and_code(tmp_path):
    (tmp_path / "x.toml").write_text('graph = "ring:4"\npayoffs = [[[1, 0], [0, 1]], '
                                     '[[1, 0], [0, 1]]]\nextra = 1\n')
    with pytest.raises(GameError, match="unknown key"):
        load_game(str(tmp_path / "x.toml"))
    (tmp_path / "y.toml").write_text('graph = "ring:4"\npayoffs = [[["__import__", 0], '
                                     '[0, 1]], [[1, 0], [0, 1]]]\n')
    with pytest.raises(GameError):
        load_game(str(tmp_path / "y.toml"))


@pytest.mark.parametrize("name", ["stag-hunt-ring", "stag-hunt-lattice",
                                  "stag-hunt-small-world", "stag-hunt-scale-free"])
def test_network_builtins(name):
    game = builtin(name, "direct")
    assert game.structure.graph.n == game.n_agents >= 12
    degree = [len(nb) for nb in game.structure.graph.neighbours()]
    # J_i at the all-stag profile: 4 per neighbour
    at = {p: 1 for p in game.parameters}
    assert [game.values[i].subs(at) for i in range(game.n_agents)] == [4 * k for k in degree]


def test_a_network_json_file_may_not_repeat_a_key(tmp_path):
    from eqselect.theory.io.network_spec import load_network

    path = tmp_path / "n.json"
    path.write_text('{"graph": "ring:4", "graph": "ring:5", '
                    '"payoffs": [[[1, 0], [0, 1]], [[1, 0], [0, 1]]]}')
    with pytest.raises(GameError, match="appears twice"):
        load_network(path)
    with pytest.raises(GameError, match="appears twice"):
        load_game(str(path))
    assert load_network(tmp_path / "missing.toml") is None


def test_a_network_json_file_keeps_the_digit_limit(tmp_path):
    """Both readers of a graph file refuse a number past the digit limit before
    building anything (the one reader of game files, theory/io/file_text.py)."""
    from eqselect.theory.io.network_spec import load_network

    path = tmp_path / "n.json"
    path.write_text('{"graph": "ring:4", "seed": ' + "9" * 5000 + ', '
                    '"payoffs": [[[1, 0], [0, 1]], [[1, 0], [0, 1]]]}')
    for read in (load_network, lambda p: load_game(str(p))):
        with pytest.raises(GameError, match="digits"):
            read(path)
