"""The verdict heat maps read the cells' verdicts: 1 holds, 0 fails, NaN null (issue 13)."""

import numpy as np

from eqselect.studies.sweep.plots import atlas_quantities


def _cell(method, holds, mu):
    al = {"status": "computed",
          "conditions": {k: {"holds": h} for k, h in zip(("A1", "A2", "A3"), holds)},
          "values": {"mu_M(P)": mu, "mu_M(R)": None, "A3 min": None}}
    return {"method": method, "fraction": 0.5, "outcomes": {}, "n_starts": 1,
            "equilibria": [], "alignment": al}


def test_verdict_maps_follow_the_cells():
    cells = [_cell("meta-mapg", (True, False, None), -1.5),
             _cell("meta-mapg", (False, False, True), 2.0),
             _cell("pg", (None, None, None), 0.0), _cell("pg", (None, None, None), 0.0)]
    q = atlas_quantities({"methods": ["meta-mapg", "pg"], "shape": [2, 1, 2], "cells": cells})
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
    cell = {"method": "pg", "fraction": 1.0, "outcomes": {}, "n_starts": 1, "equilibria": [],
            "alignment": {"status": "not computed"}}
    q = atlas_quantities({"methods": ["pg"], "shape": [1, 1, 1], "cells": [cell]})
    assert sorted(name for _, name in q) == ["fraction", "n_stable"]
