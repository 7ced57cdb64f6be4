"""Two basin maps compared: the difference map's shares against the maps themselves."""

import json

import numpy as np
import pytest

from eqselect.cli import main


def test_compare_shares_agree_with_each_map(tmp_path, capsys):
    """--compare: each method's fraction is the share of its map's preferred attractor
    (as its legend states), and both + only-A = A's fraction, both + only-B = B's."""
    plot = tmp_path / "c.png"
    assert main(["basins", "stag-hunt", "--method", "pg", "meta-mapg", "--compare", "--grid",
                 "9", "--json", "--plot", str(plot)]) == 0
    doc = json.loads(capsys.readouterr().out)
    a, b = doc["maps"]["pg"], doc["maps"]["meta-mapg"]
    sh = doc["compare"]["shares"]
    assert a["preferred"] == b["preferred"] == doc["compare"]["counts"] == "(C, C)"
    assert a["fraction"] == pytest.approx(a["shares"]["(C, C)"])
    assert sh["both"] + sh["only pg"] == pytest.approx(a["fraction"])
    assert sh["both"] + sh["only meta-mapg"] == pytest.approx(b["fraction"])
    assert sum(sh.values()) == pytest.approx(1.0) and plot.stat().st_size > 0


def test_difference_cases_count_each_start_once():
    from types import SimpleNamespace as NS

    from eqselect.numerics.plots.compare import difference

    a = NS(preferred=None, attractors=(), labels=None, method="A",
           success=np.array([1, 1, 0, 0], bool))
    b = NS(preferred=None, attractors=(), labels=None, method="B",
           success=np.array([1, 0, 1, 0], bool))
    case, shares = difference(a, b)
    assert case.tolist() == [3, 2, 1, 0]
    assert shares == {"neither": 0.25, "only B": 0.25, "only A": 0.25, "both": 0.25}


def test_one_method_list_needs_compare_for_two(capsys):
    assert main(["basins", "stag-hunt", "--method", "pg", "meta-mapg"]) == 2
    assert "--compare" in capsys.readouterr().err
