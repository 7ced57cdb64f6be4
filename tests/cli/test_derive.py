"""The ``eqselect derive`` contract (docs/cli.md)."""

import json
import subprocess
import sys

import pytest
import sympy as sp

from eqselect.cli import main


def run(args, capsys):
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_derive_stag_hunt_symbolic_json(capsys):
    code, out, _ = run(["derive", "stag-hunt", "--param", "direct", "--symbolic", "--json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["parameters"] == ["p1", "p2"]
    a, b, c, d, eta, p1 = sp.symbols("a b c d eta p1")
    S = a - b - c + d
    names = {s: sp.Symbol(s) for s in ("a", "b", "c", "d", "eta", "p1", "p2")}
    from eqselect.theory.io.expressions import parse_expression
    comp = {k: parse_expression(v[0], names) for k, v in doc["components"].items()}
    assert sp.expand(comp["peer"] - eta * S * (S * p1 + c - d)) == 0
    assert sp.expand(comp["lookahead"] - eta * S * (S * p1 + b - d)) == 0
    assert comp["own"] == 0


def test_derive_latex_standalone_is_a_document(capsys):
    code, out, _ = run(["derive", "stag-hunt", "--latex", "--standalone"], capsys)
    assert code == 0 and out.startswith("\\documentclass") and out.rstrip().endswith("\\end{document}")
    assert "\\mathrm{peer}_{1}" in out and "\\eta" in out


def test_derive_ipd_json_uses_shared_subexpressions(capsys):
    code, out, _ = run(["derive", "ipd", "--json", "--eta", "0.55"], capsys)
    doc = json.loads(out)
    assert code == 0 and len(doc["parameters"]) == 10 and doc["subexpressions"]


@pytest.mark.parametrize("args,needle", [
    (["derive", "no-such-game"], "unknown game"),
    (["derive", "stag-hunt", "--param", "polar"], "unknown parameterization"),
    (["derive", "stag-hunt", "--eta", "nan"], "not a number"),
    (["derive", "stag-hunt", "--eta", "abc"], "not a number"),
    (["derive", "stag-hunt", "--standalone"], "--standalone needs --latex"),
    (["derive", "tandem", "--param", "direct"], "does not apply"),
    (["derive", "missing.toml"], "not found"),
])
def test_bad_input_exits_2_with_one_line(args, needle, capsys):
    code, out, err = run(args, capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and needle in err


def test_bad_payoff_file_exits_2(tmp_path, capsys):
    f = tmp_path / "g.json"
    f.write_text('{"payoffs": [[[1, 2], [3, 4]], [[1, 2, 3], [4, 5, 6]]]}')
    code, _, err = run(["derive", str(f)], capsys)
    assert code == 2 and "shape (2, 3)" in err
    f.write_text('{"payoffs": [[[1, 2], [3, Infinity]], [[1, 2], [3, 4]]]}')
    code, _, err = run(["derive", str(f)], capsys)
    assert code == 2 and "not finite" in err


def test_console_script_runs():
    proc = subprocess.run([sys.executable, "-m", "eqselect", "derive", "tandem", "--json"],
                          capture_output=True, text=True, check=True)
    assert json.loads(proc.stdout)["parameters"] == ["x", "y"]
