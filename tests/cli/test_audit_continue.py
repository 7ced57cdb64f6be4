"""``eqselect continue`` interrupted while it writes its diagram, and its diagram's window.

Ctrl-C while the PNG is half written must end with status 130, one line on
stderr, no file at the plot path and no temporary file beside it; a
previous diagram at that path is kept as it was.
"""

from __future__ import annotations

from eqselect.cli import main


def _half_written(path_holder):
    def draw(result, coordinate=0, path=None, ax=None, *, names=None):
        path_holder.append(path)
        with open(path, "wb") as fh:  # a partial PNG, then the user presses Ctrl-C
            fh.write(b"\x89PNG\r\n\x1a\n")
        raise KeyboardInterrupt
    return draw


def test_ctrl_c_while_the_diagram_is_written_leaves_no_file(tmp_path, monkeypatch, capsys):
    import eqselect.numerics.plots.bifurcation as bifurcation

    seen = []
    monkeypatch.setattr(bifurcation, "bifurcation_diagram", _half_written(seen))
    plot = tmp_path / "diagram.png"
    code = main(["continue", "stag-hunt", "--param", "direct", "--method", "peer-only",
                 "--lam", "0:3", "--json", "--plot", str(plot)])
    out, err = capsys.readouterr()
    assert code == 130 and err.strip() == "eqselect: interrupted" and out == ""
    assert seen and seen[0] != plot  # drawn into a temporary file, never onto the path
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_keeps_a_previous_diagram(tmp_path, monkeypatch, capsys):
    import eqselect.numerics.plots.bifurcation as bifurcation

    plot = tmp_path / "diagram.png"
    plot.write_bytes(b"previous")
    monkeypatch.setattr(bifurcation, "bifurcation_diagram", _half_written([]))
    code = main(["continue", "stag-hunt", "--param", "direct", "--method", "peer-only",
                 "--lam", "0:3", "--plot", str(plot)])
    capsys.readouterr()
    assert code == 130
    assert [p.name for p in tmp_path.iterdir()] == ["diagram.png"]
    assert plot.read_bytes() == b"previous"
