"""`equilibria` on 2x2 games with irrational payoffs: the route, the point labels and the
certificate in text and JSON (docs/cli.md)."""

import json

from eqselect.cli import main

GAME = """name = "irr"
players = ["R", "C"]
actions = [["C", "D"], ["C", "D"]]
payoffs = [[[4, 0], ["{x}", 2]], [[4, "{x}"], [0, 2]]]
"""


def _game(tmp_path, x):
    path = tmp_path / "irr.toml"
    path.write_text(GAME.replace("{x}", x))
    return str(path)


def test_algebraic_payoff_text_and_json(tmp_path, capsys):
    path = _game(tmp_path, "sqrt(2)+1")
    assert main(["equilibria", path, "--method", "meta-mapg"]) == 0
    text = capsys.readouterr().out
    assert "1 fixed point(s) [route resultant-algebraic, proven complete]" in text
    assert "theta1=-0.184315, theta2=-0.184315" in text and "[interval-certified]" in text
    assert main(["equilibria", path, "--method", "meta-mapg", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["complete"] and doc["route"] == "resultant-algebraic"
    [eq] = doc["equilibria"]
    assert eq["route"] == "interval-certified" and eq["stability"] == "saddle"
    cert = doc["certificate"]
    assert cert["algebraic_numbers"] == [{"value": "sqrt(2)", "minimal_polynomial": [-2, 0, 1]}]
    decisions = [c["decision"] for c in cert["candidates"]]
    assert decisions.count("fixed point") == 1 and set(decisions) == {"fixed point", "not a zero"}
    assert len(cert["candidates"]) == len(cert["u1"]["intervals"]) * len(cert["u2"]["intervals"])


def test_transcendental_payoff_says_so(tmp_path, capsys):
    # the exact route's budget is spent in full on a transcendental system: 1 s is enough here
    assert main(["equilibria", _game(tmp_path, "log(3)"), "--method", "lola",
                 "--budget", "1"]) == 0
    text = capsys.readouterr().out
    assert "found by seeded Newton (may be incomplete) [route newton]" in text
    assert "the payoff constant log(3) is transcendental" in text
    assert "[interval-certified]" in text and "[newton]" not in text
