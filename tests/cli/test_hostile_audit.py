"""Command lines a hostile or careless user writes that the contract covers:
one line on stderr with the documented status, nothing left behind, game
texts that cannot act on the terminal, numerical trouble named as such."""

import json
import os
import re
import sys

import pytest

from eqselect.cli import main
from eqselect.output import StagedFolder
from eqselect.theory.errors import GameError

STAG = {"name": "stag", "actions": [["Stag", "Hare"], ["Stag", "Hare"]],
        "payoffs": [[[4, 0], [3, 2]], [[4, 3], [0, 2]]]}


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def error_line(err) -> str:
    """The one error line of ``err`` (asserting there is exactly one)."""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("eqselect: error: "), err
    return lines[0]


def game_file(tmp_path, file_name="g.json", **changes):
    path = tmp_path / file_name
    path.write_text(json.dumps({**STAG, **changes}))
    return path


def test_convert_onto_a_folder_is_bad_input_and_leaves_it_alone(tmp_path, capsys):
    folder = tmp_path / "out.json"
    folder.mkdir()
    (folder / "kept.txt").write_text("kept")
    code, out, err = run(["convert", str(game_file(tmp_path)), str(folder)], capsys)
    assert code == 2 and out == ""
    assert "is a folder" in error_line(err)
    assert [p.name for p in folder.iterdir()] == ["kept.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.json", "out.json"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_game_path_that_is_no_regular_file_is_named_for_what_it_is(tmp_path, capsys):
    os.mkfifo(tmp_path / "pipe.json")  # never opened: reading a pipe could block for ever
    (tmp_path / "dangling.json").symlink_to(tmp_path / "absent.json")
    (tmp_path / "loop1.json").symlink_to(tmp_path / "loop2.json")
    (tmp_path / "loop2.json").symlink_to(tmp_path / "loop1.json")
    expected = {"pipe.json": "not a regular file", "dangling.json": "symbolic link to nothing",
                "loop1.json": "symbolic link to nothing", "absent.json": "not found"}
    for name, words in expected.items():
        code, out, err = run(["equilibria", str(tmp_path / name)], capsys)
        assert code == 2 and out == ""
        assert words in error_line(err), name


@pytest.mark.parametrize("key,text", [
    ("name", "stag\x1b]0;owned\x07"),  # an escape sequence retitles the terminal
    ("name", "stag\nsecond line"),
    ("name", "\u202egah gats"),  # right-to-left override
    ("name", "nul\x00"),
    ("description", "bell\x07"),
    ("description", "zero\u200bwidth"),
])
def test_game_texts_that_would_act_on_the_terminal_are_refused(tmp_path, capsys, key, text):
    code, out, err = run(["equilibria", str(game_file(tmp_path, **{key: text}))], capsys)
    assert code == 2 and out == ""
    line = error_line(err)
    assert f"U+{ord(next(c for c in text if not c.isprintable())):04X}" in line
    assert line.isprintable()  # the offending text is shown escaped


def test_ordinary_names_and_paragraph_descriptions_are_kept(tmp_path, capsys):
    name = "Hirschjagd \u00d6 \u2013 \u9e7f"
    path = game_file(tmp_path, name=name, description="Two hunters.\n\tStag or hare?")
    code, out, err = run(["equilibria", str(path)], capsys)
    assert code == 0 and err == ""
    assert out.splitlines()[0].startswith(f"{name} (logit), pg:")


def test_an_nfg_title_with_an_escape_sequence_is_refused(tmp_path, capsys):
    path = tmp_path / "g.nfg"
    path.write_text('NFG 1 R "x\x1b[2J" { "1" "2" } { 2 2 }\n\n4 4 0 3 3 0 2 2\n')
    code, out, err = run(["equilibria", str(path)], capsys)
    assert code == 2 and "U+001B" in error_line(err)


@pytest.mark.parametrize("failure,status", [(GameError("a bad game found mid-work"), 2),
                                            (KeyboardInterrupt(), 130)])
def test_a_failed_report_removes_the_folders_it_created(tmp_path, capsys, monkeypatch,
                                                        failure, status):
    import eqselect.studies.report.build as build

    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr(build, "build_report", fail)
    out = tmp_path / "made" / "by" / "report"
    code, _, err = run(["report", "stag-hunt", "--out", str(out)], capsys)
    assert code == status and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_created_folders_are_removed_only_while_empty(tmp_path):
    (tmp_path / "kept").mkdir()
    stage = StagedFolder(tmp_path / "kept" / "new" / "deeper" / "r", "report.json")
    assert stage.created == [tmp_path / "kept" / "new" / "deeper", tmp_path / "kept" / "new"]
    stage.discard()
    assert [p.name for p in tmp_path.iterdir()] == ["kept"] and not any(
        (tmp_path / "kept").iterdir())
    with StagedFolder(tmp_path / "a" / "r", "report.json") as folder:
        (folder / "report.json").write_text("{}")
    assert (tmp_path / "a" / "r" / "report.json").read_text() == "{}"  # committed: kept


def test_a_payoff_scale_past_double_precision_is_one_line_not_a_traceback(tmp_path, capsys):
    big = "1" + "0" * 250  # within the 10^300 limit; its square is not a double
    assert int(big) ** 2 > sys.float_info.max
    path = game_file(tmp_path, payoffs=[[[big, 0], [3, 2]], [[big, 3], [0, 2]]])
    code, out, err = run(["equilibria", str(path), "--method", "lola", "--param", "direct"],
                         capsys)
    assert code == 1 and out == ""
    line = error_line(err)
    assert "numerical trouble in eqselect." in line and "OverflowError" in line
    assert "<locals>" not in line


def test_linear_algebra_on_infinities_is_numerical_trouble_not_a_traceback(
        tmp_path, capsys, monkeypatch):
    """numpy's LinAlgError (a Jacobian holding infinities) ends in the one line that
    names the eqselect function it came through, status 1."""
    import numpy as np

    import eqselect.proofs_check.check as checker

    def solve_with_infinities(*args, **kwargs):
        return np.linalg.eigvals(np.array([[np.inf, 0.0], [0.0, 1.0]]))

    monkeypatch.setattr(checker, "check_game", solve_with_infinities)
    code, out, err = run(["check", "stag-hunt"], capsys)
    assert code == 1 and out == ""
    line = error_line(err)
    assert "numerical trouble in eqselect.commands.check.run" in line and "LinAlgError" in line



def test_a_file_name_with_an_escape_sequence_is_read_and_shown_inert(tmp_path, capsys):
    stag = {k: v for k, v in STAG.items() if k != "name"}  # the name comes from the file
    path = tmp_path / "stag\x1b[2J.json"
    path.write_text(json.dumps(stag))
    code, out, err = run(["equilibria", str(path)], capsys)
    assert code == 0 and err == ""
    assert out.startswith("stag?[2J (logit), pg:") and "\x1b" not in out


def test_a_report_never_replaces_the_folder_that_holds_its_game_file(tmp_path, capsys):
    out = tmp_path / "report-old"
    out.mkdir()
    (out / "report.json").write_text("{}")  # an earlier eqselect report
    game = game_file(out)
    code, _, err = run(["report", str(game), "--out", str(out)], capsys)
    assert code == 2 and "lies inside --out" in error_line(err)
    assert sorted(p.name for p in out.iterdir()) == ["g.json", "report.json"]
    assert json.loads(game.read_text()) == STAG


@pytest.fixture
def umask_027():
    previous = os.umask(0o027)
    yield 0o027
    os.umask(previous)


def test_a_report_folder_gets_the_mode_mkdir_would_give_it(tmp_path, umask_027):
    with StagedFolder(tmp_path / "r", "report.json") as folder:
        (folder / "report.json").write_text("{}")
    os.mkdir(tmp_path / "plain")  # what the user's umask gives a folder
    assert (tmp_path / "r").stat().st_mode & 0o7777 == 0o777 & ~umask_027
    assert (tmp_path / "r").stat().st_mode == (tmp_path / "plain").stat().st_mode


def test_convert_keeps_the_mode_of_the_file_it_replaces(tmp_path, capsys, umask_027):
    private = tmp_path / "private.toml"
    private.write_text("")
    private.chmod(0o600)
    fresh = tmp_path / "fresh.json"
    for target in (private, fresh):
        code, _, err = run(["convert", "stag-hunt", str(target)], capsys)
        assert code == 0 and err == ""
    open(tmp_path / "plain", "w").close()  # what the user's umask gives a file
    assert private.stat().st_mode & 0o7777 == 0o600
    assert fresh.stat().st_mode == (tmp_path / "plain").stat().st_mode


def test_replay_refuses_an_experiment_named_twice(capsys):
    code, out, err = run(["replay", "basin-map", "peer-sweep", "basin-map"], capsys)
    assert code == 2 and out == ""
    assert "'basin-map' twice" in error_line(err)


@pytest.mark.parametrize("command", ["derive", "equilibria", "basins", "continue", "check",
                                     "replay", "report", "select", "sweep", "convert"])
def test_help_states_each_default_once(command, capsys):
    """An option whose text says its default ("default 5 s") is not followed by
    argparse's own, which is None for a default resolved at run time."""
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert not re.findall(r"\(default:? [^)]*\) \(default: [^)]*\)", text)
    if "--max-entries" in text:
        assert "(default 2048)" not in text and "(default: 2048)" in text


def test_a_taken_dask_port_is_no_warning_of_the_sweep(tmp_path, capsys, monkeypatch, recwarn):
    """dask moves its HTTP port when 8787 is taken and warns; the sweep runs no
    dashboard, so under --json its stderr stays quiet (the cluster's start is
    replaced by one that only warns as dask's does, then stops the run)."""
    import warnings

    import eqselect.studies.sweep.cluster as cluster

    def taken_port(self):
        warnings.warn("Port 8787 is already in use.\nPerhaps you already have a cluster "
                      "running?\nHosting the HTTP server on port 40000 instead", UserWarning)
        raise cluster.ClusterError("no worker joined")

    monkeypatch.setattr(cluster.ClusterHandle, "get", taken_port)
    code, out, err = run(["sweep", "stag-hunt", "--over", "a=3:5:2", "--lam", "0:1:2",
                          "--workers", "1", "--out", str(tmp_path / "sw"), "--json"], capsys)
    assert code == 1 and "no worker joined" in error_line(err)
    assert not [w for w in recwarn if "already in use" in str(w.message)]


@pytest.mark.parametrize("argv, said", [
    (["basins", "stag-hunt", "--method", "pg", "pg", "--compare"], "--method names 'pg' twice"),
    (["select", "stag-hunt", "--start", "0.3,0.3", "--method", "pg", "pg"],
     "the method list names 'pg' twice"),
    (["check", "prisoners-dilemma", "--param", "direct", "--preferred", "5"],
     "the fixed-point list of v has one entry (index 0)"),
    (["check", "stag-hunt", "--param", "direct", "--preferred", "9"],
     "the fixed-point list of v has 3 entries (indices 0..2)")])
def test_a_repeated_method_or_an_index_past_the_list_is_one_plain_line(argv, said, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2 and out == "" and said in error_line(err)


@pytest.mark.parametrize("argv", [
    ["basins", "stag-hunt", "--method", "pg", "--samples", "50", "--grid", "5"],
    ["basins", "stag-hunt", "--method", "pg", "--grid", "5", "--samples", "50", "--json"]])
def test_a_grid_beside_samples_is_refused_not_ignored(argv, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2 and out == "" and "--grid and --samples" in error_line(err)


def test_samples_alone_record_the_default_grid_and_draw_n_starts(capsys):
    code, out, _ = run(["basins", "stag-hunt", "--method", "pg", "--samples", "40", "--steps",
                        "5", "--json"], capsys)
    doc = json.loads(out)
    assert code == 0 and doc["n"] == 40 and doc["inputs"]["grid"] == 21


def test_float_warnings_of_a_command_are_one_note_and_others_stay_warnings(capsys):
    """numpy's overflow warnings in a command become one note line on stderr;
    a warning of another kind is still a warning."""
    import warnings

    import numpy as np

    from eqselect.float_warnings import summarised_float_warnings

    with pytest.warns(UserWarning, match="kept"):
        with summarised_float_warnings():
            np.array([1e300]) * np.array([1e300])
            np.array([0.0]) / np.array([0.0])
            warnings.warn("kept", UserWarning)
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("eqselect: note: floating-point")
    assert "overflow" in lines[0] and "invalid value" in lines[0]


def test_a_command_that_overflows_says_so_once(capsys, monkeypatch):
    """Each overflow of a command's numpy work would print two lines; the command
    prints one note and its own output."""
    import numpy as np

    from eqselect.commands import derive

    def overflowing(args):
        for _ in range(3):
            np.exp(np.array([1000.0, 2000.0]))
        print("done")
        return 0

    monkeypatch.setattr(derive, "run", overflowing)
    code, out, err = run(["derive", "stag-hunt"], capsys)
    assert code == 0 and out == "done\n"
    (line,) = err.strip().splitlines()
    assert line.startswith("eqselect: note: floating-point overflow in test_hostile_audit.py")


@pytest.mark.parametrize("value, want", [("-1/2", -0.5), ("-3/4", -0.75), ("-1", -1.0)])
def test_a_negative_fraction_is_an_options_value_not_an_unknown_option(value, want, capsys):
    code, out, _ = run(["equilibria", "stag-hunt", "--param", "direct", "--method",
                        "peer-only", "--lam", value, "--json"], capsys)
    assert code == 0 and json.loads(out)["lam"] == want


def test_a_negative_range_is_continued_from_its_negative_end(capsys):
    code, out, _ = run(["continue", "stag-hunt", "--param", "direct", "--method", "peer-only",
                        "--lam", "-1/2:1/2", "--json"], capsys)
    doc = json.loads(out)
    lams = [p[0] for b in doc["branches"] for p in b["points"]]  # (lambda, p1, p2)
    assert code == 0 and doc["value_range"] == [-0.5, 0.5]
    assert min(lams) == pytest.approx(-0.5) and max(lams) == pytest.approx(0.5)
