"""``eqselect basins``: attractors by action name, slices, Monte Carlo, settling, bad input."""

import json

import pytest

from eqselect.cli import main
from eqselect.numerics.dynamics.basins import basin_map
from eqselect.numerics.dynamics.starts import GridStarts
from eqselect.theory.rules import Rule

G33 = """name = "g33"
parameterization = "softmax"
players = ["row", "col"]
actions = [["A", "B", "C"], ["A", "B", "C"]]
payoffs = [[[4,4,-3],[5,-3,-3],[4,-3,4]], [[-5,-5,3],[3,-1,-4],[2,3,3]]]
"""


def run_json(args, capsys):
    code = main(["basins"] + args + ["--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


@pytest.fixture(scope="module")
def g33(tmp_path_factory):
    path = tmp_path_factory.mktemp("games") / "g33.toml"
    path.write_text(G33)
    return str(path)


def test_chicken_map_shows_its_two_pure_equilibria(capsys):
    doc = run_json(["chicken", "--method", "pg", "--grid", "11", "--backend", "numpy"], capsys)
    names = {a["name"] for a in doc["attractors"]}
    assert {"(C, D)", "(D, C)"} <= names
    reached = {k for k, v in doc["outcomes"].items() if v and k != "still moving"}
    assert reached == {"(C, D)", "(D, C)"}
    assert doc["preferred"] in ("(C, D)", "(D, C)")
    assert doc["fraction"] == pytest.approx(doc["shares"][doc["preferred"]])
    assert doc["fraction"] > 0.3  # no longer the 4.8% of "everyone plays C"
    picked = run_json(["chicken", "--method", "pg", "--grid", "11", "--preferred", "D,C"], capsys)
    assert picked["preferred"] == "(D, C)"
    assert picked["fraction"] == pytest.approx(picked["shares"]["(D, C)"])


def test_stag_hunt_default_fraction_is_the_paper_predicate(logit_sh, capsys):
    doc = run_json(["stag-hunt", "--method", "pg", "--grid", "11"], capsys)
    assert doc["fraction"] == basin_map(logit_sh, Rule("pg"), starts=GridStarts(grid=11)).fraction
    assert doc["preferred"] is None and set(doc["outcomes"]) >= {"(C, C)", "(D, D)"}


def test_monte_carlo_volumes_with_intervals_and_per_start(g33, capsys):
    doc = run_json([g33, "--method", "pg", "--samples", "300", "--seed", "3", "--per-start"],
                   capsys)
    assert doc["n"] == 300 and sum(doc["outcomes"].values()) == 300
    assert sum(doc["shares"].values()) == pytest.approx(1.0)
    assert "still moving" in doc["shares"]
    for name, (lo, hi) in doc["intervals"].items():
        assert lo <= doc["shares"][name] <= hi
    assert len(doc["per_start"]) == 300
    assert {"start", "end", "attractor"} == set(doc["per_start"][0])
    counts = {}
    for row in doc["per_start"]:
        k = row["attractor"]
        name = (doc["attractors"][k]["name"] if k >= 0
                else {-1: "still moving", -2: "cycle"}[k])
        counts[name] = counts.get(name, 0) + 1
    assert counts == {k: v for k, v in doc["outcomes"].items() if v}


def test_slice_of_a_3x3_game_writes_a_plot(g33, tmp_path, capsys):
    png = tmp_path / "slice.png"
    doc = run_json([g33, "--method", "pg", "--grid", "7", "--axes", "row:A,row:B",
                    "--fix", "col:C=1/2", "--plot", str(png)], capsys)
    assert doc["inputs"]["problem"]["starts"]["axes"] == ["row:A", "row:B"]
    assert doc["n"] == 21  # p_A + p_B < 1 on linspace(0.05, 0.95, 7)^2: i + j <= 5
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_flow_reports_settling(capsys):
    doc = run_json(["stag-hunt", "--param", "direct", "--method", "pg", "--schedule", "flow",
                    "--grid", "9"], capsys)
    assert doc["settling"]["settled_early"] and doc["settling"]["still_moving"] == 0
    short = run_json(["stag-hunt", "--param", "direct", "--method", "pg", "--schedule",
                      "flow", "--grid", "9", "--steps", "2"], capsys)
    assert short["settling"]["still_moving"] == short["outcomes"]["still moving"] > 0
    assert any("still moving" in n for n in short["notes"])


def test_text_output_lists_every_outcome(capsys):
    assert main(["basins", "chicken", "--method", "pg", "--grid", "5"]) == 0
    text = capsys.readouterr().out
    assert "(C, D) (at infinity, stable)" in text and "still moving" in text


@pytest.mark.parametrize("args,needle", [
    (["chicken", "--method", "pg", "--axes", "theta1,4:C"], "unknown axis"),
    (["chicken", "--method", "pg", "--axes", "theta1"], "expected two axes"),
    (["chicken", "--method", "pg", "--axes", "1:C,2:C", "--fix", "1:C=0.5"], "is an axis"),
    (["stag-hunt", "--method", "pg", "--param", "softmax", "--fix", "theta1=1/0"], "number"),
    (["chicken", "--method", "pg", "--samples", "0"], "must be >= 1"),
    (["chicken", "--method", "pg", "--samples", "9", "--axes", "1:C,2:C"], "--samples"),
    (["chicken", "--method", "pg", "--per-start"], "--json"),
    (["chicken", "--method", "pg", "--preferred", "Z,C"], "not an action"),
])
def test_bad_basins_input_exits_2(args, needle, capsys):
    code = main(["basins"] + args)
    err = capsys.readouterr().err
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1, err


def test_fix_out_of_range(g33, capsys):
    code = main(["basins", g33, "--method", "pg", "--fix", "col:C=1.5"])
    err = capsys.readouterr().err
    assert code == 2 and "probability must lie" in err


def test_three_player_game_runs_on_a_default_slice(tmp_path, capsys):
    path = tmp_path / "sh3.toml"
    path.write_text('name = "sh3"\nactions = [["S", "H"], ["S", "H"], ["S", "H"]]\n'
                    "payoffs = [[[[4,0],[0,0]],[[3,3],[3,3]]], [[[4,0],[3,3]],[[0,0],[3,3]]],"
                    " [[[4,3],[0,3]],[[0,3],[0,3]]]]\n")
    doc = run_json([str(path), "--method", "pg", "--param", "direct", "--schedule", "flow",
                    "--grid", "5"], capsys)
    assert doc["inputs"]["problem"]["starts"]["axes"] == ["1:S", "2:S"]
    assert sum(doc["shares"].values()) == pytest.approx(1.0)
    assert {"(S, S, S)", "(H, H, H)"} <= set(doc["outcomes"])



G32_NFG = ('NFG 1 R "A test game" { "Alice" "Bob" } { { "U" "M" "D" } { "L" "R" } } ""\n'
           '1 1 0 2 2 0 3 3 1 0 0 1\n')


def test_direct_3x2_monte_carlo_runs_on_the_default_backend(tmp_path, capsys):
    """A direct 3x2 game: starts on Alice's simplex, and the compiled kernel's
    failure to compile its uneven simplex blocks falls back to numpy, labelled."""
    path = tmp_path / "g.nfg"
    path.write_text(G32_NFG)
    doc = run_json([str(path), "--param", "direct", "--method", "pg", "--samples", "200"],
                   capsys)
    assert doc["n"] == 200 and sum(doc["outcomes"].values()) == 200
    assert sum(doc["shares"].values()) == pytest.approx(1.0)
    assert not any("np.float64" in n for n in doc["notes"])


def test_fixed_point_search_for_attractors_has_a_budget(monkeypatch, capsys):
    """The IPD's Newton search runs 15-35 s with no budget; past its budget the
    map runs on, the note says the attractor list may be incomplete.

    The search's own run time is measured (from its call to its stop), not
    the command's, which a loaded machine stretches (imports, compilation):
    around `basin_fixed_points`, which returns once the deadline is disarmed.
    (Inside the deadline its timer repeats until the block has unwound, and
    a repeat may land in any frame, a wrapper's ``finally`` among them.)
    """
    import time

    from eqselect.commands import basins as basins_command
    from eqselect.numerics.dynamics import attractor_cache
    from eqselect.numerics.fixed_points import find

    called, searched = [], []

    def counted_search(*args, **kw):
        called.append(True)  # before the search: no timer has fired yet
        return search(*args, **kw)

    def timed_fixed_points(*args, **kw):
        start = time.monotonic()
        out = fixed_points(*args, **kw)
        searched.append(time.monotonic() - start)
        return out

    search, fixed_points = find.find_equilibria, basins_command.basin_fixed_points
    monkeypatch.setattr(find, "find_equilibria", counted_search)
    monkeypatch.setattr(basins_command, "basin_fixed_points", timed_fixed_points)
    monkeypatch.setattr(attractor_cache, "cached_search", lambda dec, rule: None)  # no list
    monkeypatch.setattr(basins_command, "FIXED_POINT_SECONDS", 0.5)
    doc = run_json(["ipd", "--method", "pg", "--grid", "3", "--steps", "5"], capsys)
    assert called == [True]  # searched, not read from disk
    assert len(searched) == 1 and searched[0] < 0.5 + 4.5  # stopped at its budget
    assert doc["fixed_points"] == {"route": "none (time budget)", "complete": False,
                                   "finished": False}
    assert any("budget of 0.5 s" in n and "may be incomplete" in n for n in doc["notes"])
    assert sum(doc["outcomes"].values()) == 9


def test_sos_runs_on_the_numpy_kernel_with_a_note(capsys):
    """SOS's weight p is chosen pointwise, so no compiled kernel exists for it:
    the default backend must fall back (labelled), not refuse the command."""
    args = ["stag-hunt", "--method", "sos", "--grid", "5", "--steps", "20"]
    default = run_json(args, capsys)
    numpy = run_json(args + ["--backend", "numpy"], capsys)
    assert any("weight p is chosen pointwise" in n for n in default["notes"])
    assert default["outcomes"] == numpy["outcomes"] and default["fraction"] == numpy["fraction"]
