"""Fuzzing the command line with valid and hostile game files, expressions and
option values.

Every run must finish within its budget with exit status 0 or 2, print no
traceback (an error is one line), and write nothing outside its output folder.
The CI profile runs 25 examples per test; ``EQSELECT_FUZZ=10`` runs ten times
as many (the larger local profile).
"""

import contextlib
import io
import json
import os
import time

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from eqselect.cli import main

SCALE = int(os.environ.get("EQSELECT_FUZZ", "1"))
BUDGET_SECONDS = 60
FUZZ = settings(settings.get_profile(os.environ.get("EQSELECT_HYPOTHESIS", "ci")),
                max_examples=25 * SCALE,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

HOSTILE_TEXT = ["9^9^9^9", "(" * 200 + "1" + ")" * 200, "-" * 500 + "1", "9" * 400,
                "exp(1000)", "sqrt(-1)", "log(0)", "1/0", "__import__('os')", "a^1000",
                "p1", "theta1", "eta", "\\input{/etc/passwd}", "1e999", "2^a", "a/(a-4)",
                "", " ", "0.1" * 300, "((a)", "a**-1", "exp(a)^99"]
NUMBERS = st.one_of(st.integers(-10, 10), st.fractions(max_denominator=7).map(str),
                    st.floats(-10, 10, allow_nan=False).map(lambda x: round(x, 3)))


@st.composite
def expressions(draw, depth=3, names=("a", "b", "p1", "zz")):
    """Payoff entries: numbers, declared or undeclared symbols, operators."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return str(draw(st.one_of(NUMBERS, st.sampled_from(names))))
    op = draw(st.sampled_from(["+", "-", "*", "/", "^", "f", "()"]))
    left = draw(expressions(depth=depth - 1, names=names))
    right = draw(expressions(depth=depth - 1, names=names))
    if op == "f":
        return f"{draw(st.sampled_from(['exp', 'log', 'sqrt']))}({left})"
    if op == "()":
        return f"({left})"
    return f"{left}{op}{right}"


VALID_ENTRY = st.one_of(st.integers(-9, 9), st.integers(-9, 9).map(str),
                        expressions(depth=2, names=("a",)))
ENTRY = st.one_of(NUMBERS, expressions(), st.sampled_from(HOSTILE_TEXT),
                  st.text(max_size=20), st.sampled_from([1e308, -1e308, 10 ** 320, None, True]))
NAMES = st.one_of(st.text(max_size=30), st.sampled_from(
    ["# $ % & ~ _ ^ \\ { }", "\\input{/etc/passwd}", "a\n\nb", "x" * 2000]))


@st.composite
def game_files(draw):
    """(suffix, text) of a .json, .toml or .nfg game, mostly 2x2."""
    kind = draw(st.sampled_from(["json", "json", "toml", "nfg", "raw"]))
    shape = draw(st.sampled_from([(2, 2), (2, 2), (2, 3), (2, 2, 2), (1, 2), (0,)]))
    if kind in ("json", "toml") and draw(st.booleans()):
        shape = (2, 2)
    n = len(shape)
    entry = draw(st.sampled_from([VALID_ENTRY, ENTRY]))

    def tensor(axes):
        if not axes:
            return draw(entry)
        return [tensor(axes[1:]) for _ in range(axes[0])]

    payoffs = [tensor(shape) for _ in range(n)]
    symbols = draw(st.dictionaries(st.sampled_from(["a", "a", "b", "p1", "c", "exp", "x y"]),
                                   st.one_of(NUMBERS, st.sampled_from([10 ** 6, 1e300, "1"])),
                                   max_size=2))
    valid = entry is VALID_ENTRY
    if valid:  # a game that should be accepted, with a name full of LaTeX specials
        symbols = {"a": draw(st.integers(-5, 5))}
    name = draw(st.sampled_from(["# $ % & ~ _ ^ \\ { }", "\\input{/etc/passwd}"])
                if valid else NAMES)
    spec = {"payoffs": payoffs, "symbols": symbols, "name": name}
    if kind == "json":
        text = json.dumps(spec)
        if not valid and draw(st.booleans()):
            text = text.replace("{", '{"name": "dup", ', 1)
        return "json", text
    if kind == "toml":
        body = "\n".join(f"{k} = {json.dumps(v)}" for k, v in symbols.items()
                         if isinstance(v, (int, float)) and abs(v) < 1e18)
        return "toml", (f"name = {json.dumps(str(spec['name']))}\n"
                        f"payoffs = {json.dumps(payoffs)}\n[symbols]\n{body}\n")
    if kind == "nfg":
        counts = " ".join(str(m) for m in shape)
        nums = " ".join(str(draw(st.one_of(NUMBERS, st.sampled_from(HOSTILE_TEXT))))
                        for _ in range(draw(st.integers(0, 10))))
        head = draw(st.sampled_from(['NFG 1 R "g" { "1" "2" } ', "NFG 1 R ", 'NFG 1 R "g" {']))
        return "nfg", f"{head}{{ {counts} }}\n{nums}\n"
    return draw(st.sampled_from(["json", "toml", "nfg"])), draw(st.text(max_size=300))


OPTION_VALUES = st.one_of(NUMBERS.map(str), st.sampled_from(
    ["1e999999", "9" * 60, "-0", "1/0", "nan", "inf", "", "0x10", "1_000", "2/3", "-5"]))


@st.composite
def command_lines(draw, game):
    command = draw(st.sampled_from(["derive"] * 5 + ["equilibria"]))
    argv = [command, game]
    if draw(st.booleans()):
        argv += ["--param", draw(st.sampled_from(["direct", "logit", "softmax", "bogus", ""]))]
    for opt in ("--eta", "--tau") + (("--lam", "--own") if command == "equilibria" else ()):
        if draw(st.integers(0, 3 if opt != "--tau" else 9)) == 0:  # entropy derives slowly
            argv += [opt, draw(OPTION_VALUES)]
    if command == "derive":
        argv += draw(st.sampled_from([[], ["--json"], ["--latex"], ["--latex", "--standalone"],
                                      ["--symbolic"], ["--standalone"]]))
    if draw(st.integers(0, 4)) == 0:
        argv += [draw(st.sampled_from(["--max-params", "--max-entries", "--time-limit"])),
                 draw(OPTION_VALUES)]
    if "--time-limit" not in argv:
        argv += ["--time-limit", str(BUDGET_SECONDS // 2)]
    return argv


def _listing(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if "out" not in p.parts)


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue(), time.perf_counter() - start


def _assert_contract(code, err, seconds):
    assert code in (0, 2), (code, err)
    assert "Traceback" not in err
    if code == 2:
        assert len(err.strip().splitlines()) == 1 and err.startswith("eqselect: error: "), err
    assert seconds < BUDGET_SECONDS


@FUZZ
@given(data=st.data())
def test_fuzz_game_files_and_options(tmp_path, monkeypatch, data):
    monkeypatch.chdir(tmp_path)
    suffix, text = data.draw(game_files())
    game = tmp_path / f"game.{suffix}"
    game.write_text(text)
    before = _listing(tmp_path)
    argv = data.draw(command_lines(str(game)))
    code, _, err, seconds = _run(argv)
    event(f"{argv[0]} exit {code}")
    _assert_contract(code, err, seconds)
    assert _listing(tmp_path) == before


@FUZZ
@given(name=st.one_of(st.text(max_size=40), st.sampled_from(
           ["x" * 300, "a/" + "b" * 300, "game.json/x", "/", ".", "..", "out/../../x"])),
       suffix=st.sampled_from([".png", ".PNG", ".pdf", "", "/"]))
def test_fuzz_output_paths(tmp_path, monkeypatch, name, suffix):
    """Hostile --plot paths: refused before the work, or written inside out/."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "game.json").write_text("{}")
    (tmp_path / "out").mkdir(exist_ok=True)
    before = _listing(tmp_path)
    path = f"out/{name}{suffix}"
    code, _, err, seconds = _run(["basins", "stag-hunt", "--method", "pg", "--grid", "3",
                                  "--steps", "3", "--plot", path])
    event(f"plot exit {code}")
    _assert_contract(code, err, seconds)
    assert _listing(tmp_path) == before
    if code == 0:
        assert os.path.realpath(path).startswith(str((tmp_path / "out").resolve()))


@pytest.mark.parametrize("argv", [["derive", "stag-hunt", "--eta", "1e999999999"],
                                  ["basins", "stag-hunt", "--method", "pg", "--steps", "9" * 30]])
def test_fuzz_examples_from_the_issue(argv):
    code, _, err, seconds = _run(argv)
    _assert_contract(code, err, seconds)
    assert code == 2
