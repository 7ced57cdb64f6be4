"""The notebooks are documentation that cannot rot: each runs top to bottom in a
real Jupyter kernel (nbclient), and any cell that raises fails the test.

The six notebooks run in one kernel, one after the other, each in its own
folder and after ``%reset -f`` (the namespace emptied, figures closed): a
notebook that uses a name it does not define still fails, and the kernel's
start and eqselect's import are paid once instead of six times.
"""

from pathlib import Path

import pytest

nbclient = pytest.importorskip("nbclient", reason="the test extras install nbclient")
nbformat = pytest.importorskip("nbformat")

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))

#: Run before each notebook: an empty namespace, no open figure, its own folder.
RESET = """%reset -f
import os, matplotlib.pyplot
matplotlib.pyplot.close("all")
os.chdir({folder!r})
%reset -f"""


def test_the_six_notebooks_are_there():
    assert [p.stem[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06"]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """{notebook name: its executed code cells}, all six run in one kernel."""
    combined = nbformat.v4.new_notebook()
    spans = {}
    for path in NOTEBOOKS:
        folder = tmp_path_factory.mktemp(path.stem)
        combined.cells.append(nbformat.v4.new_code_cell(RESET.format(folder=str(folder))))
        cells = nbformat.read(path, as_version=4).cells
        spans[path.name] = (len(combined.cells), len(combined.cells) + len(cells))
        combined.cells.extend(cells)
    mp = pytest.MonkeyPatch()
    mp.setenv("MPLBACKEND", "Agg")
    try:
        client = nbclient.NotebookClient(combined, timeout=300, kernel_name="python3",
                                         allow_errors=True)
        client.execute()
    finally:
        mp.undo()
    return {name: combined.cells[a:b] for name, (a, b) in spans.items()}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, executed):
    cells = executed[path.name]
    errors = [(k, o.get("ename"), o.get("evalue")) for k, c in enumerate(cells)
              if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, f"cell {errors[0][0]} raised {errors[0][1]}: {errors[0][2]}"
    book = nbformat.v4.new_notebook()
    book.cells = cells
    assert_figures_are_images(book)


#: Source text of a cell that shows a figure.
FIGURE_CALLS = ("show(", "display(Image(")


def assert_figures_are_images(book):
    """Every cell that shows a figure holds PNG data, and no figure is printed as
    its text form (``<Figure size 420x450 with 1 Axes>``) instead of an image."""
    for k, cell in enumerate(book.cells):
        if cell.cell_type != "code":
            continue
        outputs = cell.get("outputs", [])
        as_text = [o for o in outputs if "<Figure size" in o.get("data", {}).get("text/plain", "")
                   and "image/png" not in o.get("data", {})]
        assert not as_text, f"cell {k} prints a figure as text"
        source = "".join(cell.source)
        if any(call in source for call in FIGURE_CALLS) and not source.lstrip().startswith(
                ("def ", "import ", "from ")):
            assert any("image/png" in o.get("data", {}) for o in outputs), \
                f"cell {k} shows a figure but holds no image/png output"


def test_the_figure_check_catches_a_figure_printed_as_text():
    book = nbformat.v4.new_notebook()
    book.cells.append(nbformat.v4.new_code_cell("show(fig)"))
    book.cells[0].outputs = [nbformat.v4.new_output(
        "display_data", data={"text/plain": "<Figure size 420x450 with 1 Axes>"})]
    with pytest.raises(AssertionError, match="as text"):
        assert_figures_are_images(book)
    book.cells[0].outputs = []
    with pytest.raises(AssertionError, match="no image/png"):
        assert_figures_are_images(book)
