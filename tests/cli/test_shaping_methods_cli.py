"""The command line runs the opponent-shaping family: eg, cgd, lss, sga, hola."""

import json

import sympy as sp

from eqselect.cli import main

ETA = sp.Rational(11, 20)


def run_json(args, capsys):
    code = main(args + ["--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_method_cgd_equilibria_of_tandem_are_the_line_x_plus_y_one(capsys):
    doc = run_json(["equilibria", "tandem", "--method", "cgd"], capsys)
    [eq] = doc["equilibria"]
    assert sum(sp.Rational(x) for x in eq["exact"]) == 1
    assert doc["complete"] and doc["route"] == "zeros-of-v"


def test_method_hola_equilibria_of_tandem_are_its_closed_form_line(capsys):
    doc = run_json(["equilibria", "tandem", "--method", "hola"], capsys)
    [eq] = doc["equilibria"]
    line = (1 - 2 * ETA + 4 * ETA ** 2) / (1 - 2 * ETA) ** 2
    assert sum(sp.Rational(x) for x in eq["exact"]) == line == 111


def test_method_eg_basins_of_stag_hunt_run(capsys):
    doc = run_json(["basins", "stag-hunt", "--method", "eg", "--grid", "7", "--steps", "40"],
                   capsys)
    assert doc["grid"] == 7 and 0 <= doc["fraction"] <= 1
    assert doc["inputs"]["method"] == "eg"


def test_method_lss_check_of_stag_hunt_runs(capsys):
    doc = run_json(["check", "stag-hunt", "--param", "direct", "--method", "lss"], capsys)
    assert [c["id"] for c in doc["conditions"]] == ["A0", "A1", "A2", "A3", "A4", "A5"]


def test_method_sga_fixed_and_aligned_are_both_choices(capsys):
    for method in ("sga", "sga-fixed"):
        doc = run_json(["equilibria", "stag-hunt", "--method", method], capsys)
        assert len(doc["equilibria"]) == 1
