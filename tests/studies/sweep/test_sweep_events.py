"""Exact corner-boundary curves against the cells of a sweep.

Direct Stag Hunt, row payoff [[a, b], [c, d]] = [[a, 0], [3, 2]] by default,
S = a - b - c + d. Under peer-only and Meta-MAPG (own = 0: J_1 is linear in p1)
(D, D) = (0, 0) is a fixed point iff F_1(0, 0) = (b - d) + lam eta S (c - d) <= 0.
"""

import numpy as np
import pytest
import sympy as sp

from eqselect.theory.rules import PAPER
from eqselect.studies.sweep.cell import GameSpec, sweep_game
from eqselect.studies.sweep.events import event_curves
from eqselect.studies.sweep.grid import SweepSpec, parse_axis
from eqselect.studies.sweep.runner import run_sweep

ETA = PAPER.eta


def boundary_rows(doc, method, corner="(0, 0)"):
    """Per symbol value: (lambda values, whether the corner exists) from the cells."""
    m = doc["methods"].index(method)
    n_s, n_l = doc["shape"][1], doc["shape"][2]
    cells = doc["cells"][m * n_s * n_l:(m + 1) * n_s * n_l]
    lam = np.array([float(sp.Rational(v)) for v in doc["axes"][1]["values"]])
    for i in range(n_s):
        row = cells[i * n_l:(i + 1) * n_l]
        yield i, lam, np.array([corner in [e["label"] for e in c["equilibria"]] for c in row])


@pytest.mark.parametrize("axis,methods,exact", [
    # b - d = -2, S = a - 1, c - d = 1
    ("a=3:8:6", ("peer-only", "meta-mapg"), lambda a: 40 / (11 * (a - 1))),
    # the hare payoff d: b - d = -d, S = 1 + d, c - d = 3 - d
    ("d=1/2:5/2:9", ("meta-mapg",), lambda d: 20 * d / (11 * (1 + d) * (3 - d))),
])
def test_dd_boundary_in_the_cells_lies_within_one_cell_of_the_exact_curve(tmp_path, axis,
                                                                          methods, exact):
    spec = SweepSpec("stag-hunt", "direct", (parse_axis(axis),), parse_axis("0:3:13", "lam"),
                     methods, ETA, PAPER.own, 2, 1, "paper", 32)
    doc = run_sweep(spec, tmp_path, workers=0).document
    dlam = 3 / 12
    values = [float(sp.Rational(v)) for v in doc["axes"][0]["values"]]
    for method in spec.methods:
        [panel] = doc["events"][method]
        [curve] = [c for c in panel["curves"] if c["corner"] == "(0, 0)"]
        xy = np.concatenate([np.asarray(s) for s in curve["segments"]])
        for i, lam, exists in boundary_rows(doc, method):
            s = values[i]
            # exists for small lambda, gone above one crossing
            assert exists[0] and list(exists) == sorted(exists, reverse=True)
            if exists.all():  # the curve is above the window: no crossing in the cells
                assert exact(s) >= lam[-1] - 1e-12
                continue
            cut = (lam[exists][-1] + lam[~exists][0]) / 2
            drawn = np.interp(s, xy[:, 0], xy[:, 1])
            assert abs(drawn - exact(s)) < 1e-9
            assert abs(cut - drawn) <= dlam


def test_closed_form_is_the_hand_derived_boundary():
    game = sweep_game(GameSpec("stag-hunt", "direct"))
    curves, notes = event_curves(game, "peer-only", ETA, "a", "lam", ((3, 8), (0, 3)), {})
    [c] = curves
    a, lam = sp.symbols("a lambda")
    [sol] = c.solutions
    assert sp.simplify(sp.sympify(sol.split("=")[1]) - 40 / (11 * (a - 1))) == 0
    assert c.corner == "(0, 0)" and c.certified == "exact" and not notes


def test_plain_pg_has_no_lambda_dependence():
    game = sweep_game(GameSpec("stag-hunt", "direct"))
    curves, _ = event_curves(game, "pg", ETA, "a", "lam", ((2, 8), (0, 3)), {})
    # (C, C) is a fixed point of PG iff a - c >= 0: the vertical line a = 3
    [c] = curves
    assert c.corner == "(1, 1)" and c.solutions == ("a = 3",)
    assert {x for seg in c.segments for x, _ in seg} == {3.0}


def test_two_symbol_plane_at_fixed_lambda():
    game = sweep_game(GameSpec("stag-hunt", "direct"))
    curves, _ = event_curves(game, "peer-only", ETA, "a", "d", ((3, 8), (0.5, 2.5)),
                             {"lam": sp.Integer(1)})
    c = next(c for c in curves if c.corner == "(0, 0)")
    assert c.segments
    for seg in c.segments:
        for x, y in seg:  # on the curve F_1(0, 0) = -d + 11/20 (a - 3 + d)(3 - d) = 0
            assert abs(-y + 0.55 * (x - 3 + y) * (3 - y)) < 1e-9
