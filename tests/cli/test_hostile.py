"""Hostile and careless command lines: one line on stderr and exit 2, checked
before any computation; output folders replaced whole or not at all; names
that would run LaTeX are printed literally."""

import json
import os
import shutil
import subprocess
import time

import pytest

import eqselect.studies.report.build as report
from eqselect.cli import main
from eqselect.theory.latex import escape_latex


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err):
    lines = err.strip().splitlines()
    return len(lines) == 1 and lines[0].startswith("eqselect: error: ")


@pytest.mark.parametrize("args,needle", [
    (["derive", "stag-hunt", "--eta", "1e999999999"], "not a number"),
    (["derive", "stag-hunt", "--eta", "9" * 100], "not a number"),
    (["derive", "stag-hunt", "--tau", "-1"], ">= 0"),
    (["basins", "stag-hunt", "--method", "pg", "--steps", "99999999999"], "must be <= 100000"),
    (["basins", "stag-hunt", "--method", "pg", "--grid", "1001", "--steps", "100000"],
     "time limit"),
    (["basins", "stag-hunt", "--method", "pg", "--grid", "-3"], "must be >= 1"),
    (["replay", "--seed", "-1"], "must be >= 0"),
    (["replay", "--seed", "1e9"], "not an integer"),
    (["derive", "stag-hunt", "--param", "no-such"], "unknown parameterization"),
    (["equilibria", "ipd", "--max-params", "4"],
     "10 policy parameters; equilibria handles up to 4 (raise it "
                            "with --max-params"),
    (["derive", "stag-hunt", "--max-params", "1"], "--max-params"),
    (["derive", "ipd", "--time-limit", "0.2"], "budget of 0.2 s"),
    (["derive", "stag-hunt", "--time-limit", "-1"], "seconds"),
])
def test_bad_options_are_one_line(args, needle, capsys):
    start = time.perf_counter()
    code, out, err = run(args, capsys)
    assert code == 2 and needle in err and one_error_line(err), err
    assert time.perf_counter() - start < 20


def test_huge_games_are_refused_naming_the_option(tmp_path, capsys):
    game = tmp_path / "big.json"
    n = 9
    zero = 0
    for _ in range(n):
        zero = [zero, zero]
    game.write_text(json.dumps({"payoffs": [zero] * n}))
    code, _, err = run(["derive", str(game)], capsys)
    assert code == 2 and "--max-entries" in err and one_error_line(err)


@pytest.mark.parametrize("players,actions,argv,needle", [
    (11, 2, ["equilibria", "--param", "direct", "--max-entries", "30000"],
     "11 policy parameters; equilibria handles up to 10"),
    (12, 2, ["derive"], "--max-entries"),
    (3, 10, ["derive", "--param", "softmax"], "3000 payoff entries"),
])
def test_the_issues_oversized_games_are_refused_at_once(tmp_path, capsys, players, actions,
                                                         argv, needle):
    import numpy as np

    game = tmp_path / "g.json"
    game.write_text(json.dumps({"payoffs": np.zeros((players,) + (actions,) * players,
                                                    dtype=int).tolist()}))
    start = time.perf_counter()
    code, _, err = run([argv[0], str(game), *argv[1:]], capsys)
    assert code == 2 and needle in err and one_error_line(err), err
    assert time.perf_counter() - start < 10


def test_a_late_huge_symbol_value_is_refused_by_numeric_commands(tmp_path, capsys):
    game = tmp_path / "late.json"
    game.write_text(json.dumps({"payoffs": [[["2^a", 0], [3, 2]], [[4, 3], [0, 2]]],
                                "symbols": {"a": 1000000}}))
    code, _, err = run(["equilibria", str(game)], capsys)
    assert code == 2 and "larger than 10^300" in err and one_error_line(err)


def _file_system_cases(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    long = "x" * 300
    return [
        (["report", "stag-hunt", "--out", str(a_file / "sub")], "not a folder"),
        (["report", "stag-hunt", "--out", str(a_file)], "not a directory"),
        (["report", "stag-hunt", "--out", str(folder)], "not an earlier eqselect output"),
        (["report", "stag-hunt", "--out", str(tmp_path / long)], "too long"),
        (["replay", "basin-map", "--out", str(a_file / "sub")], "not a folder"),
        (["replay", "basin-map", "--out", str(tmp_path / long)], "too long"),
        (["basins", "stag-hunt", "--method", "pg", "--plot", str(a_file / "x.png")],
         "not a folder"),
        (["basins", "stag-hunt", "--method", "pg", "--plot", str(tmp_path / (long + ".png"))],
         "too long"),
        (["continue", "stag-hunt", "--method", "pg", "--lam", "0:1", "--plot",
          str(tmp_path / "missing" / "x.png")], "does not exist"),
    ]


def test_file_system_errors_before_any_computation(tmp_path, capsys, monkeypatch):
    import eqselect.studies.replay.experiments as experiments

    def never(*a, **k):
        raise AssertionError("computation started before the output was checked")

    monkeypatch.setattr(experiments, "replay", never)
    monkeypatch.setattr(report, "build_report", never)
    for args, needle in _file_system_cases(tmp_path):
        code, _, err = run(args, capsys)
        assert code == 2 and needle in err and one_error_line(err), (args, err)
    assert (tmp_path / "folder" / "notes.txt").read_text() == "mine"


def test_plot_onto_a_folder_is_refused(tmp_path, capsys):
    target = tmp_path / "x.png"
    target.mkdir()
    code, _, err = run(["basins", "stag-hunt", "--method", "pg", "--plot", str(target)], capsys)
    assert code == 2 and "is a folder" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder(tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        code, _, err = run(["report", "stag-hunt", "--out", str(ro / "rep")], capsys)
        assert code == 2 and "not writable" in err
    finally:
        ro.chmod(0o700)


def test_second_report_replaces_the_first_whole(tmp_path, capsys):
    out = tmp_path / "rep"
    assert main(["report", "tandem", "--out", str(out)]) == 0
    (out / "left-over.png").write_text("from an older report")
    # the replacement is the same whatever the report holds: a small one
    assert main(["report", "stag-hunt", "--param", "direct", "--method", "pg", "--grid", "3",
                 "--steps", "5", "--out", str(out)]) == 0
    capsys.readouterr()
    assert not (out / "left-over.png").exists()
    assert json.loads((out / "report.json").read_text())["game"] == "stag-hunt"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_failure_keeps_the_previous_report_and_stale_stages_are_removed(
        tmp_path, capsys, monkeypatch):
    out = tmp_path / "rep"
    assert main(["report", "tandem", "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    dead = tmp_path / ".rep.eqselect-stage-999999999-abc"  # a run killed long ago
    dead.mkdir()
    (dead / "report.json").write_text("{}")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report, "build_report", broken)
    code, _, err = run(["report", "stag-hunt", "--out", str(out)], capsys)
    assert code == 1 and "No space left" in err and one_error_line(err), err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_a_failure_while_swapping_in_restores_the_previous_report(tmp_path, capsys,
                                                                   monkeypatch):
    import eqselect.output as output

    out = tmp_path / "rep"
    assert main(["report", "tandem", "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real_rename = os.rename

    def failing_rename(src, dst):
        if "eqselect-stage" in str(src):
            raise OSError(28, "No space left on device")
        return real_rename(src, dst)

    monkeypatch.setattr(output.os, "rename", failing_rename)
    code, _, err = run(["report", "tandem", "--out", str(out)], capsys)
    assert code == 1 and "No space left" in err and one_error_line(err)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_a_folder_set_aside_by_a_killed_swap_is_restored(tmp_path, capsys):
    out = tmp_path / "rep"
    assert main(["report", "tandem", "--out", str(out)]) == 0
    aside = tmp_path / ".rep.eqselect-old-999999999-0"
    out.rename(aside)  # killed between "rename old aside" and "rename new in"
    from eqselect.output import StagedFolder

    staged = StagedFolder(out, "report.json")
    staged.discard()
    assert (out / "report.json").exists() and not aside.exists()


SPECIALS = "# $ % & ~ _ ^ \\ { } < > | \"quotes\" Müller \t\n\n"


def test_escape_latex_prints_every_special_literally():
    text = escape_latex(SPECIALS + r"\input{/etc/passwd}")
    for raw in "#$%&_{}":
        assert f"\\{raw}" in text
    assert "\\input" not in text.replace("\\textbackslash{}input", "")
    assert "\n" not in text and "ü" not in text


def _compile(tex: str, folder) -> subprocess.CompletedProcess:
    (folder / "doc.tex").write_text(tex)
    return subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                           "-no-shell-escape", "doc.tex"], cwd=folder, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_names_with_every_special_compile_and_input_is_inert(tmp_path):
    secret = tmp_path / "secret.tex"
    secret.write_text("SECRETCONTENT")
    name = SPECIALS + "\\input{" + str(secret) + "}"
    tex = ("\\documentclass{article}\n\\begin{document}\n"
           f"\\section*{{{escape_latex(name)}}}\n{escape_latex(name)}\n\\end{{document}}\n")
    proc = _compile(tex, tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:]
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(tmp_path / "doc.pdf"), "-"],
                              capture_output=True, text=True).stdout
        assert "SECRETCONTENT" not in text and "input" in text


def test_a_game_name_with_input_reaches_the_report_escaped(tmp_path, capsys):
    game = tmp_path / "g.json"
    game.write_text(json.dumps({"name": "evil \\input{/etc/hostname} ^~",
                                "payoffs": [[[3, 0], [5, 1]], [[3, 5], [0, 1]]]}))
    assert main(["derive", str(game), "--latex", "--standalone"]) == 0
    tex = capsys.readouterr().out
    assert "\\input{/etc/hostname}" not in tex and "\\textbackslash{}input" in tex


@pytest.mark.parametrize("args,needle", [
    (["check", "stag-hunt", "--preferred", "\u00b2"], "--preferred"),
    (["check", "stag-hunt", "--param", "direct", "--lam", "0"], "lambda > 0"),
    (["report", "stag-hunt", "--method", "pg,pg"], "--method names 'pg' twice"),
    (["report", "stag-hunt", "--grid", "1001", "--steps", "100000"], "--time-limit"),
    (["report", "stag-hunt", "--out", ""], "--out ''"),
    (["replay", "--out", ""], "--out ''"),
    (["basins", "stag-hunt", "--method", "pg", "--samples", "1000000000"], "lower --samples"),
    (["basins", "stag-hunt", "--method", "pg", "--samples", "100000000"], "lower --samples"),
    (["basins", "stag-hunt", "--method", "pg", "--fix", "1:C=0.5", "--fix", "1:C=0.5"],
     "--fix names '1:C' twice"),
    (["basins", "stag-hunt", "--method", "pg", "--grid", "\u0663"], "not an integer"),
    (["equilibria", "ipd", "--seeds", "1000000000"], "--seeds must be <= 10000"),
    (["equilibria", "ipd", "--param", "softmax", "--seeds", "1000000000"], "--seeds"),
    (["derive", "stag-hunt", "--tau", "100000000000000000000000000000000"], "[0, 1e+12]"),
])
def test_hostile_options_are_refused_in_one_line_before_the_work(args, needle, capsys,
                                                                  tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    start = time.perf_counter()
    code, _, err = run(args, capsys)
    assert code == 2 and needle in err and one_error_line(err), err
    assert time.perf_counter() - start < 5
    assert not any(tmp_path.iterdir())  # nothing written, not even a staging folder


def test_a_game_file_with_a_huge_tau_is_one_line(tmp_path, capsys):
    game = tmp_path / "t.toml"
    game.write_text('name = "t"\npayoffs = [[[4, 0], [3, 2]], [[4, 3], [0, 2]]]\ntau = 1e32\n')
    code, _, err = run(["equilibria", str(game)], capsys)
    assert code == 2 and "tau" in err and one_error_line(err), err


def _full(*args, **kwargs):
    raise OSError(28, "No space left on device")


def test_an_out_folder_that_is_a_link_or_holds_a_folder_named_like_the_marker_is_refused(
        tmp_path, capsys):
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    (earlier / "report.json").write_text("{}")
    link = tmp_path / "link"
    link.symlink_to(earlier, target_is_directory=True)
    code, _, err = run(["report", "stag-hunt", "--out", str(link)], capsys)
    assert code == 2 and "symbolic link" in err and one_error_line(err), err
    odd = tmp_path / "odd"
    (odd / "report.json").mkdir(parents=True)
    code, _, err = run(["report", "stag-hunt", "--out", str(odd)], capsys)
    assert code == 2 and "not a regular file" in err and one_error_line(err), err
    assert (earlier / "report.json").read_text() == "{}" and (odd / "report.json").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["earlier", "link", "odd"]


def test_a_full_disk_while_a_plot_is_written_keeps_the_previous_plot(tmp_path, capsys,
                                                                       monkeypatch):
    import eqselect.numerics.plots.portrait as portrait

    plot = tmp_path / "map.png"
    plot.write_bytes(b"previous")
    monkeypatch.setattr(portrait, "basin_plot", _full)
    code, _, err = run(["basins", "stag-hunt", "--method", "pg", "--grid", "3", "--steps", "3",
                        "--plot", str(plot)], capsys)
    assert code == 1 and "No space left" in err and one_error_line(err), err
    assert plot.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.png"]


@pytest.mark.parametrize("errno_, text", [(28, "No space left"), (30, "Read-only file system"),
                                          (13, "Permission denied")])
def test_a_refused_write_of_a_converted_game_keeps_the_previous_file(tmp_path, capsys,
                                                                      monkeypatch, errno_, text):
    import eqselect.theory.io.write as write

    target = tmp_path / "g.json"
    target.write_text("previous")

    def refuse(*args, **kwargs):
        raise OSError(errno_, text)

    monkeypatch.setattr(write.os, "replace", refuse)
    code, _, err = run(["convert", "stag-hunt", str(target)], capsys)
    assert code == 1 and text in err and one_error_line(err), err
    assert target.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.json"]


def test_a_full_disk_under_stdout_is_one_line(capsys, monkeypatch):
    import io
    import sys

    class Full(io.StringIO):
        def flush(self):
            if self.getvalue():
                _full()

    monkeypatch.setattr(sys, "stdout", Full())
    code = main(["derive", "stag-hunt", "--json"])
    err = capsys.readouterr().err
    assert code == 1 and "No space left" in err and one_error_line(err), err


def test_a_game_file_name_too_long_for_the_file_system_is_one_line(tmp_path, capsys,
                                                                    monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["derive", "x" * 300 + ".json"], capsys)
    assert code == 2 and "too long" in err and one_error_line(err), err


def test_a_full_disk_before_the_staging_folder_exists_is_status_1(tmp_path, capsys,
                                                                  monkeypatch):
    import eqselect.output as output

    monkeypatch.setattr(output.tempfile, "mkdtemp", _full)
    code, _, err = run(["report", "stag-hunt", "--out", str(tmp_path / "r")], capsys)
    assert code == 1 and "No space left" in err and one_error_line(err), err
    assert not any(tmp_path.iterdir())


@pytest.fixture
def small_tmpfs(tmp_path):
    """A 64 KB tmpfs, where mounting one is allowed (root); skipped elsewhere."""
    where = tmp_path / "small"
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)],
                             capture_output=True) if shutil.which("mount") else None
    if mounted is None or mounted.returncode != 0:
        pytest.skip("no tmpfs can be mounted here (needs root); the patched writers cover it")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], capture_output=True)


def test_a_really_full_disk_keeps_the_previous_outputs(small_tmpfs, capsys):
    game, plot = small_tmpfs / "g.toml", small_tmpfs / "map.png"
    game.write_text("previous")
    plot.write_bytes(b"previous")
    fd = os.open(small_tmpfs / "filler", os.O_WRONLY | os.O_CREAT)
    try:  # fill the disk to its last byte, unbuffered
        for size in (4096, 1):
            while True:
                try:
                    os.write(fd, b"\0" * size)
                except OSError:
                    break
    finally:
        os.close(fd)
    for argv in (["convert", "stag-hunt", str(game)],
                 ["basins", "stag-hunt", "--method", "pg", "--grid", "3", "--steps", "3",
                  "--backend", "numpy", "--plot", str(plot)]):
        code, _, err = run(argv, capsys)
        assert code == 1 and "No space left" in err and one_error_line(err), (argv, err)
    assert game.read_text() == "previous" and plot.read_bytes() == b"previous"
    assert sorted(p.name for p in small_tmpfs.iterdir()) == ["filler", "g.toml", "map.png"]
