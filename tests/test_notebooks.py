"""The notebooks are documentation that cannot rot: every code cell runs.

Cells are executed in order in one namespace (as a kernel would), without a
Jupyter dependency; the notebooks assert their own claims.
"""

import json
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


def code_cells(path: Path) -> list[str]:
    nb = json.loads(path.read_text())
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path):
    namespace = {"__name__": "__notebook__"}
    for k, source in enumerate(code_cells(path)):
        try:
            exec(compile(source, f"{path.name}[cell {k}]", "exec"), namespace)
        except Exception as exc:  # name the cell that failed
            raise AssertionError(f"{path.name}, code cell {k} failed: {exc!r}") from exc
