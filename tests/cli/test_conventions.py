"""Command-line conventions (docs/cli.md): --version, help for every option with
its default, one error prefix, and ``eqselect convert``."""

import argparse
import json
import re

import pytest

from eqselect import __version__
from eqselect.cli import build_parser, main
from eqselect.theory.serialize import SCHEMA_VERSION, package_version

PARSER = build_parser()
SUBCOMMANDS = sorted(next(a for a in PARSER._actions
                          if isinstance(a, argparse._SubParsersAction)).choices)


def run(args, capsys):
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def options(command):
    sub = next(a for a in PARSER._actions if isinstance(a, argparse._SubParsersAction))
    return [a for a in sub.choices[command]._actions if a.option_strings]


@pytest.mark.parametrize("argv", [["--version"]] + [[c, "--version"] for c in SUBCOMMANDS])
def test_version_everywhere(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"eqselect {__version__}"


def help_blocks(text: str) -> dict:
    """Option string -> its help entry (the lines from the option to the next one)."""
    blocks, current = {}, None
    for line in text.splitlines():
        m = re.match(r"  (-[-\w]+)", line)
        if m:
            current = m.group(1)
            blocks[current] = line
        elif current and line.startswith("    "):
            blocks[current] += " " + line.strip()
        else:
            current = None
    return {k: " ".join(v.split()) for k, v in blocks.items()}


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_option_has_help_and_shows_its_default(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    blocks = help_blocks(capsys.readouterr().out)
    for action in options(command):
        flag = action.option_strings[0]
        assert action.help and flag in blocks, f"{command} {flag} has no help text"
        entry = blocks[flag]
        assert len(entry.split()) > 2, f"{command} {flag}: empty help entry {entry!r}"
        if not (action.required or action.default is argparse.SUPPRESS):
            own = " ".join(action.help.split())
            if "default" in own.lower():  # stated in the help's own words, not repeated
                assert entry.lower().count("default") == own.lower().count("default"), \
                    f"{command} {flag}: {entry!r}"
            elif action.nargs == 0 and isinstance(action.const, bool):  # --json, --no-verdicts
                assert entry.endswith("(default: off)"), f"{command} {flag}: {entry!r}"
            else:
                assert re.search(r"\(default: [^)]*\)$", entry), f"{command} {flag}: {entry!r}"


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_help_never_breaks_a_hyphenated_name(command, capsys):
    """``peer-only``, ``sga-fixed``, ``--max-params``: a wrapped help line does not end
    inside a name, at its hyphen."""
    with pytest.raises(SystemExit):
        main([command, "--help"])
    lines = capsys.readouterr().out.splitlines()
    for line, after in zip(lines, lines[1:]):
        assert not (re.search(r"\w-$", line) and after.strip()[:1].isalpha()), (line, after)


def test_paper_defaults_are_shown_as_decimals(capsys):
    with pytest.raises(SystemExit):
        main(["equilibria", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "lambda (default: 1.5)" in text and "eta (default: 0.55)" in text
    assert "coefficient c (default: 0.35)" in text


@pytest.mark.parametrize("argv", [["derive", "no-such-game"], ["basins", "stag-hunt"],
                                  ["equilibria", "stag-hunt", "--lam", "x"]])
def test_one_error_prefix_and_status_2(argv, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert err.startswith("eqselect: error: ") and err.count("\n") == 1


def test_convert_between_formats(tmp_path, capsys):
    nfg, toml, js = tmp_path / "pd.nfg", tmp_path / "pd.toml", tmp_path / "pd.json"
    assert run(["convert", "prisoners-dilemma", str(nfg)], capsys)[0] == 0
    assert run(["convert", str(nfg), str(toml)], capsys)[0] == 0
    assert run(["convert", str(toml), str(js)], capsys)[0] == 0
    doc = json.loads(js.read_text())
    assert doc["payoffs"] == [[[3, 0], [5, 1]], [[3, 5], [0, 1]]]
    assert doc["actions"] == [["C", "D"], ["C", "D"]]
    code, out, _ = run(["equilibria", str(js), "--param", "direct", "--json"], capsys)
    assert code == 0 and len(json.loads(out)["equilibria"]) == 1  # (D, D) only


def test_convert_refuses_substituting_symbols_unless_lossy(tmp_path, capsys):
    spec = tmp_path / "g.toml"
    spec.write_text('payoffs = [[["a", 0], [3, 2]], [["a", 3], [0, 2]]]\n[symbols]\na = 4\n')
    code, _, err = run(["convert", str(spec), str(tmp_path / "g.nfg")], capsys)
    assert code == 2 and err.count("\n") == 1 and "payoff symbols a" in err
    assert "--allow-lossy" in err and not (tmp_path / "g.nfg").exists()
    code, _, err = run(["convert", str(spec), str(tmp_path / "g.nfg"), "--allow-lossy"], capsys)
    assert code == 0 and "does not hold the payoff symbols a" in err
    assert (tmp_path / "g.nfg").read_text().split()[-8:] == "4 4 3 0 0 3 2 2".split()


@pytest.mark.parametrize("suffix", [".toml", ".json", ".nfg"])
def test_convert_refuses_the_ipd_unless_lossy(tmp_path, capsys, suffix):
    out = tmp_path / f"x{suffix}"
    code, _, err = run(["convert", "ipd", str(out)], capsys)
    assert code == 2 and err.startswith("eqselect: error: ") and err.count("\n") == 1
    assert "repeated game" in err and "--allow-lossy" in err
    assert list(tmp_path.iterdir()) == []
    code, _, err = run(["convert", "ipd", str(out), "--allow-lossy"], capsys)
    assert code == 0 and "does not hold the 5-state repeated game" in err and out.exists()


@pytest.mark.parametrize("source,target,match", [
    ("missing.toml", "out.json", "game file not found"),
    ("stag-hunt", "out.xlsx", "unknown game file type"),
    ("tandem", "out.toml", "no payoff tensors"),
    ("bad.toml", "out.nfg", "not valid TOML"),
])
def test_convert_refuses_and_writes_nothing(tmp_path, capsys, monkeypatch, source, target,
                                            match):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.toml").write_text("payoffs = [[\n")
    code, out, err = run(["convert", source, target], capsys)
    assert code == 2 and match in err and err.startswith("eqselect: error: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


def test_convert_reads_any_shape_and_keeps_a_stated_parameterization(tmp_path, capsys):
    rps = tmp_path / "rps.nfg"
    rps.write_text('NFG 1 R "rock paper scissors" { "A" "B" }\n'
                   '{ { "R" "P" "S" } { "R" "P" "S" } }\n""\n\n'
                   '0 0 1 -1 -1 1 -1 1 0 0 1 -1 1 -1 -1 1 0 0\n')
    assert run(["convert", str(rps), str(tmp_path / "rps.toml")], capsys)[0] == 0
    text = (tmp_path / "rps.toml").read_text()
    assert 'actions = [["R", "P", "S"], ["R", "P", "S"]]' in text
    assert "parameterization" not in text
    soft = tmp_path / "soft.json"
    soft.write_text(json.dumps({"parameterization": "softmax", "payoffs":
                                [[[1, 0, 0], [0, 1, 0], [0, 0, 1]]] * 2}))
    assert run(["convert", str(soft), str(tmp_path / "soft.toml")], capsys)[0] == 0
    assert 'parameterization = "softmax"' in (tmp_path / "soft.toml").read_text()


@pytest.mark.parametrize("argv", [
    ["derive", "stag-hunt"], ["equilibria", "stag-hunt"],
    ["continue", "stag-hunt", "--method", "peer-only", "--lam", "0:1"],
    ["basins", "stag-hunt", "--method", "pg", "--grid", "5", "--backend", "numpy"],
    ["check", "stag-hunt", "--param", "direct", "--method", "peer-only"],
    ["replay", "estimator"]])
def test_every_json_document_carries_the_schema_and_its_inputs(argv, printed):
    doc = json.loads(printed([*argv, "--json"]))
    assert doc["schema_version"] == SCHEMA_VERSION and doc["kind"] == argv[0]
    assert doc["eqselect_version"] == package_version()
    assert isinstance(doc["inputs"], dict) and doc["inputs"]


def test_param_on_the_command_line_wins_over_the_game_files(tmp_path, capsys):
    """Guards `eqselect equilibria FILE --param logit` for a file stating
    parameterization = "direct": it used to run (and print) direct."""
    f = tmp_path / "g.toml"
    f.write_text('parameterization = "direct"\n'
                 'payoffs = [[[4, 0], [3, 2]], [[4, 3], [0, 2]]]\n')
    code, out, _ = run(["derive", str(f), "--param", "logit"], capsys)
    assert code == 0 and out.startswith("g (logit); parameters theta1, theta2")
    code, out, _ = run(["derive", str(f)], capsys)
    assert code == 0 and out.startswith("g (direct); parameters p1, p2")


def test_a_folder_named_like_a_game_file_is_called_a_folder(tmp_path, capsys):
    """Guards `eqselect derive DIR.toml`: it said "game file not found"."""
    (tmp_path / "d.toml").mkdir()
    code, _, err = run(["derive", str(tmp_path / "d.toml")], capsys)
    assert code == 2 and err.startswith("eqselect: error: ") and "is a folder" in err


def test_an_unknown_option_is_named_with_its_subcommand(capsys):
    """Guards `eqselect equilibria stag-hunt --symbolic`: the error said
    "eqselect: unrecognized arguments", naming no subcommand."""
    code, out, err = run(["equilibria", "stag-hunt", "--symbolic"], capsys)
    assert code == 2 and out == ""
    assert err == ("eqselect: error: eqselect equilibria: unrecognized arguments: --symbolic "
                   "(see eqselect equilibria --help)\n")


def test_tau_on_the_command_line_wins_over_the_game_files(tmp_path, capsys):
    f = tmp_path / "g.toml"
    f.write_text('tau = "1/10"\nparameterization = "direct"\n'
                 'payoffs = [[[4, 0], [3, 2]], [[4, 3], [0, 2]]]\n')
    code, out, _ = run(["derive", str(f), "--json"], capsys)
    assert code == 0 and "log" in json.loads(out)["values"][0]
    code, out, _ = run(["derive", str(f), "--tau", "0", "--json"], capsys)
    assert code == 0 and json.loads(out)["values"][0] == "3*p1*p2 - 2*p1 + p2 + 2"
