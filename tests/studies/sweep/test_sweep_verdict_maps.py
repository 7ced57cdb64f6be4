"""The verdict heat maps read the cells' verdicts: 1 holds, 0 fails, NaN null."""

import numpy as np
import pytest

from eqselect.studies.sweep.atlas import Atlas, AtlasCell, CellVerdicts, read_atlas
from eqselect.studies.sweep.plots import atlas_quantities
from eqselect.studies.sweep.verdicts import verdict_counts


def _cell(method, holds, mu):
    verdicts = CellVerdicts("computed", dict(zip(("A1", "A2", "A3"), holds)),
                            {"mu_M(P)": mu, "mu_M(R)": None, "A3 min": None})
    return AtlasCell(method, 0.5, {}, 1, (), verdicts)


def test_verdict_maps_follow_the_cells():
    cells = [_cell("meta-mapg", (True, False, None), -1.5),
             _cell("meta-mapg", (False, False, True), 2.0),
             _cell("pg", (None, None, None), 0.0), _cell("pg", (None, None, None), 0.0)]
    q = atlas_quantities(Atlas("stag-hunt", ("meta-mapg", "pg"), (2, 1, 2), tuple(cells)))
    assert q["meta-mapg", "A1 holds"].tolist() == [[1.0, 0.0]]
    assert q["meta-mapg", "A2 holds"].tolist() == [[0.0, 0.0]]  # fails everywhere: drawn
    a3 = q["meta-mapg", "A3 holds"]
    assert np.isnan(a3[0, 0]) and a3[0, 1] == 1.0
    assert q["meta-mapg", "mu_M(P)"].tolist() == [[-1.5, 2.0]]
    assert ("meta-mapg", "A3 min") not in q  # null in every cell
    # pg: M = 0, every verdict null and mu_M = 0: no verdict map at all
    assert not [name for m, name in q if m == "pg" and ("holds" in name or "mu_M" in name)]
    assert ("pg", "fraction") in q


def test_cells_without_verdicts_get_no_verdict_maps():
    cell = AtlasCell("pg", 1.0, {}, 1, (), None)
    q = atlas_quantities(Atlas("stag-hunt", ("pg",), (1, 1, 1), (cell,)))
    assert sorted(name for _, name in q) == ["fraction", "n_stable"]


def _document(statuses):
    """A two-cell sweep document whose cells carry the given alignment entries."""
    cells = [{"index": i, "method": "meta-mapg", "lam": "0", "symbols": {"a": "4"},
              "fraction": 0.25 * (i + 1), "outcomes": {"(1, 1)": i + 1, "unresolved": 3 - i},
              "n_starts": 4, "equilibria": [
                  {"label": "(0, 0)", "exact": ["0", "0"], "point": [0.0, 0.0],
                   "stability": "stable", "nash": True, "boundary": True, "route": "exact"},
                  {"label": "(2/3, 2/3)", "exact": ["2/3", "2/3"], "point": [0.7, 0.7],
                   "stability": "saddle", "nash": True, "boundary": False, "route": "exact"}],
              "equilibria_complete": True, "alignment": al, "notes": []}
             for i, al in enumerate(statuses)]
    return {"inputs": {"spec": {"game": "stag-hunt"}}, "methods": ["meta-mapg"],
            "shape": [1, 1, 2], "cells": cells,
            "axes": [{"name": "a", "values": ["4"]}, {"name": "lam", "values": ["0", "3/2"]}],
            "events": {"meta-mapg": [{"fixed": {}, "curves": [
                {"corner": "(0, 0)", "solutions": ["lam = 40/33"],
                 "segments": [[[4.0, 1.2], [5.0, 0.9]]]}]}]},
            "alignment": {"status": "computed", "options": {"preferred": "C,C"}}}


def test_the_atlas_reads_every_key_the_maps_and_counts_use():
    computed = {"status": "computed", "conditions": {
        "A1": {"holds": False}, "A2": {"holds": None}, "A3": {"holds": True}},
        "values": {"mu_M(P)": -1.5, "mu_M(R)": 0.5, "A3 min": None}}
    timed_out = {"status": "timed out", "conditions": {k: {"holds": None}
                                                      for k in ("A1", "A2", "A3")},
                 "values": {"mu_M(P)": None, "mu_M(R)": None, "A3 min": None}}
    atlas = read_atlas(_document([computed, timed_out]))
    assert atlas.game == "stag-hunt" and atlas.preferred == "C,C" and atlas.has_verdicts
    assert atlas.axes[1].floats == [0.0, 1.5]
    first = atlas.cells[0]
    assert first.n_stable == 1 and [p.is_corner for p in first.points] == [True, False]
    assert first.verdicts.holds == {"A1": False, "A2": None, "A3": True}
    assert first.verdicts.values["mu_M(R)"] == 0.5
    curve = atlas.events["meta-mapg"][0].curves[0]
    assert curve.corner == "(0, 0)" and curve.segments == (((4.0, 1.2), (5.0, 0.9)),)
    assert verdict_counts(atlas) == {"meta-mapg": {
        "A1": {"holds": 0, "fails": 1, "not decided": 1},
        "A2": {"holds": 0, "fails": 0, "not decided": 2},
        "A3": {"holds": 1, "fails": 0, "not decided": 1}}}
    q = atlas_quantities(atlas)
    assert q["meta-mapg", "share (1, 1)"].tolist() == [[0.25, 0.5]]
    assert q["meta-mapg", "exists (0, 0)"].tolist() == [[1.0, 1.0]]
    assert ("meta-mapg", "exists (2/3, 2/3)") not in q  # not a pure profile


def test_an_atlas_whose_cells_do_not_fill_its_shape_is_refused():
    with pytest.raises(ValueError, match="needs 4 cells"):
        Atlas("stag-hunt", ("pg",), (1, 2, 2), (AtlasCell("pg", 1.0, {}, 1),))
