"""``eqselect report``: the main job writes a LaTeX document, figures and JSON."""

import json
import shutil
import subprocess

import pytest

from eqselect.cli import main


def test_report_stag_hunt(tmp_path, capsys):
    out = tmp_path / "rep"
    assert main(["report", "stag-hunt", "--param", "direct", "--out", str(out)]) == 0
    capsys.readouterr()
    doc = json.loads((out / "report.json").read_text())
    pg = doc["equilibria"]["pg"]["equilibria"]
    assert sorted(tuple(e["exact"]) for e in pg) == [("0", "0"), ("1", "1"), ("2/3", "2/3")]
    events = doc["continuation"]["events"]
    assert any(e["type"] == "boundary" and abs(e["lam"] - 40 / 33) < 1e-9 for e in events)
    assert doc["basins"]["meta-mapg"]["fraction"] > doc["basins"]["pg"]["fraction"]
    for name in doc["figures"]:
        assert (out / name).stat().st_size > 0
    tex = (out / "report.tex").read_text()
    assert tex.startswith("\\documentclass") and "\\mathrm{peer}" in tex
    if shutil.which("pdflatex"):
        proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                               "report.tex"], cwd=out, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout[-2000:]


def test_report_says_what_it_skips(tmp_path, capsys):
    out = tmp_path / "t"
    assert main(["report", "tandem", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    doc = json.loads((out / "report.json").read_text())
    assert "basins" in doc["skipped"] and "not computed (basins)" in printed


def test_report_refuses_a_file_as_folder(tmp_path, capsys):
    f = tmp_path / "x"
    f.write_text("")
    assert main(["report", "stag-hunt", "--out", str(f)]) == 2
    assert "not a directory" in capsys.readouterr().err


@pytest.mark.parametrize("game", ["no-such-game"])
def test_report_unknown_game(game, capsys):
    assert main(["report", game]) == 2


def test_failed_report_leaves_nothing_half_written(tmp_path, capsys, monkeypatch):
    import eqselect.report.build as report

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure in the basin maps")

    monkeypatch.setattr(report, "_basins_and_portraits", broken)
    out = tmp_path / "rep"
    with pytest.raises(RuntimeError):
        main(["report", "stag-hunt", "--out", str(out)])
    assert not out.exists() and list(tmp_path.iterdir()) == []
