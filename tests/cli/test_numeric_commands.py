"""The numeric commands' contract: equilibria, continue, basins, replay."""

import json

import pytest
import sympy as sp

from eqselect.cli import main


def run_json(args, capsys):
    code = main(args + ["--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_equilibria_stag_hunt_direct_pg(capsys):
    doc = run_json(["equilibria", "stag-hunt", "--param", "direct", "--method", "pg"], capsys)
    eqs = {tuple(e["exact"]): e for e in doc["equilibria"]}
    assert set(eqs) == {("0", "0"), ("1", "1"), ("2/3", "2/3")}
    assert eqs[("0", "0")]["stability"] == "stable" and eqs[("1", "1")]["stability"] == "stable"
    assert eqs[("2/3", "2/3")]["stability"] == "saddle"
    assert all(e["nash"] for e in doc["equilibria"])
    assert {"point", "strategies", "eigenvalues", "boundary"} <= set(doc["equilibria"][0])


def test_equilibria_logit_finds_the_mixed_saddle(capsys):
    doc = run_json(["equilibria", "stag-hunt", "--method", "pg"], capsys)
    [eq] = doc["equilibria"]
    assert eq["stability"] == "saddle"
    assert eq["point"] == pytest.approx([float(sp.log(2))] * 2, abs=1e-12)


def test_continue_reports_the_corner_collision(capsys):
    doc = run_json(["continue", "stag-hunt", "--param", "direct", "--method", "peer-only",
                    "--eta", "0.55", "--lam", "0:3"], capsys)
    assert doc["parameter"] == "lam"
    boundary = [e for e in doc["events"] if e["type"] == "boundary" and e["exact_value"]]
    # F_1(0, 0) = (b - d) + lam eta S (c - d) = -2 + lam * 0.55 * 3 vanishes at lam = 40/33
    assert boundary and boundary[0]["lam"] == pytest.approx(40 / 33, abs=1e-9)
    assert boundary[0]["point"] == pytest.approx([0, 0], abs=1e-9)
    for br in doc["branches"]:
        assert len(br["points"]) == len(br["stability"])


def test_basins_json_contract(capsys):
    doc = run_json(["basins", "stag-hunt", "--method", "pg", "--grid", "11"], capsys)
    assert doc["grid"] == 11 and doc["steps"] == 140
    assert sum(doc["outcomes"].values()) == 121  # every attractor, and "still moving"
    assert sum(doc["shares"].values()) == pytest.approx(1.0)
    assert doc["fraction"] == pytest.approx(doc["reached"] / 121)


def test_replay_exact_lands_near_the_published_figures(capsys):
    doc = run_json(["replay", "basin-map", "peer-sweep", "--exact"], capsys)
    assert set(doc["basin_map"]) == {"pg", "meta-pg", "peer-only", "meta-mapg"}
    assert set(doc["peer_sweep"]) == {"0", "0.25", "0.5", "1", "1.5", "2", "3", "5"}
    pub = doc["published"]
    assert doc["basin_map"]["pg"] == pytest.approx(pub["basin_map"]["pg"], abs=0.02)
    assert doc["basin_map"]["meta-mapg"] == pytest.approx(pub["basin_map"]["meta-mapg"], abs=0.02)
    assert doc["peer_sweep"]["0"] == pytest.approx(pub["peer_sweep"]["0"], abs=0.02)
    assert doc["peer_sweep"]["5"] == pytest.approx(pub["peer_sweep"]["5"], abs=0.02)
    sweep = list(doc["peer_sweep"].values())
    assert sweep[-1] > sweep[0] + 0.25  # shaping enlarges the payoff-dominant basin


def test_replay_writes_table_and_figures(tmp_path, capsys):
    code = main(["replay", "basin-map", "peer-sweep", "--exact", "--out", str(tmp_path)])
    capsys.readouterr()
    assert code == 0
    for name in ("replay.json", "replay.tex", "basin_maps.png", "peer_sweep.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert "\\begin{tabular}" in (tmp_path / "replay.tex").read_text()


@pytest.mark.parametrize("args,needle", [
    (["equilibria", "stag-hunt", "--method", "sgd"], "unknown method"),
    (["continue", "stag-hunt", "--method", "pg", "--lam", "3"], "expected A:B"),
    (["basins", "stag-hunt", "--method", "pg", "--grid", "0"], "must be >= 1"),
    (["basins", "stag-hunt", "--method", "pg", "--plot", "x.pdf"], "PNG"),
    (["basins", "ipd", "--method", "pg", "--axes", "theta1_0,theta9"], "unknown axis"),
    (["replay", "tournament"], "unknown experiment"),
])
def test_bad_numeric_input_exits_2(args, needle, capsys):
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1


def _write(tmp_path, name, payoffs):
    path = tmp_path / f"{name}.toml"
    path.write_text(f'name = "{name}"\npayoffs = {payoffs}\n')
    return str(path)


@pytest.mark.parametrize("payoffs,dimension,agents,extreme", [
    # every payoff 1: the field is identically zero, every point of [0,1]^2 is fixed
    ("[[[1, 1], [1, 1]], [[1, 1], [1, 1]]]", 2, "1, 2",
     "(p1=0, p2=0), (p1=0, p2=1), (p1=1, p2=0), (p1=1, p2=1)"),
    # agent 1 plays its dominant first action, agent 2 is indifferent: a segment
    ("[[[2, 2], [0, 0]], [[1, 1], [1, 1]]]", 1, "2", "(p1=1, p2=0), (p1=1, p2=1)"),
])
def test_equilibria_text_reports_a_continuum_as_a_component(tmp_path, capsys, payoffs,
                                                            dimension, agents, extreme):
    assert main(["equilibria", _write(tmp_path, "ties", payoffs), "--param", "direct",
                 "--method", "pg"]) == 0
    out = capsys.readouterr().out
    head = out.splitlines()[0]
    assert "0 isolated fixed point(s) and 1 continuum component(s)" in head
    assert " fixed point(s) [route" not in head  # no bare list of points called complete
    assert (f"component 0: a connected set of fixed points of dimension {dimension}, "
            f"extreme points {extreme}; agent(s) {agents} indifferent") in out
    listed = [line for line in out.splitlines() if line.startswith("  (p1=")]
    assert listed and all(line.endswith("(on component 0)") for line in listed)


def test_equilibria_text_keeps_isolated_points_plain(capsys):
    assert main(["equilibria", "stag-hunt", "--param", "direct", "--method", "pg"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("stag-hunt (direct), pg: 3 fixed point(s) [route exact-faces, "
                          "proven complete]")
    assert "component" not in out


NFG_3X2 = ('NFG 1 R "A test game" { "Alice" "Bob" } { { "U" "M" "D" } { "L" "R" } } ""\n'
           "1 1 0 2 2 0 3 3 1 0 0 1\n")


@pytest.mark.parametrize("lam", ["0:3", "3:0"])
def test_continue_3x2_follows_the_strict_pure_equilibrium(tmp_path, capsys, lam):
    """(U, R) is a strict Nash equilibrium at every lambda (Alice: 3 > 1, 0; Bob: 3 > 1)
    and, the field pointing strictly outward there, a stable corner of the simplex x box."""
    path = tmp_path / "g.nfg"
    path.write_text(NFG_3X2)
    doc = run_json(["continue", str(path), "--param", "direct", "--method", "peer-only",
                    "--lam", lam], capsys)
    corner = [b for b in doc["branches"] if b["kind"] == "corner"]
    assert len(corner) == 1 and corner[0]["face"] == "pure (0, 1)"
    pts = corner[0]["points"]
    assert sorted(p[0] for p in pts) == [0.0, 3.0]
    assert all(p[1:] == [1.0, 0.0, 0.0] for p in pts)
    assert set(corner[0]["stability"]) == {"stable"}
    notes = " ".join(doc["notes"])
    assert f"lambda = {lam[0]}" in notes and "p = " not in notes


@pytest.mark.parametrize("param,ylabel", [("direct", "$p_{1}$"), ("logit", r"$\theta_{1}$")])
def test_continue_plot_names_the_game_parameter(tmp_path, capsys, monkeypatch, param, ylabel):
    import eqselect.numerics.plots.bifurcation as bifurcation

    figures = []

    def keep(*args, **kwargs):
        figures.append(real(*args, **kwargs))
        return figures[-1]

    real = bifurcation.bifurcation_diagram
    monkeypatch.setattr(bifurcation, "bifurcation_diagram", keep)
    plot = tmp_path / "bif.png"
    assert main(["continue", "stag-hunt", "--param", param, "--method", "pg",
                 "--lam", "0:1", "--plot", str(plot)]) == 0
    capsys.readouterr()
    assert plot.read_bytes().startswith(b"\x89PNG")
    assert figures[0].axes[0].get_ylabel() == ylabel
