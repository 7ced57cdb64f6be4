"""Fuzzing the command line and the Python API with valid and hostile game
files, expressions, option values, arguments and file systems.

Every run must finish within its budget with exit status 0 or 2 (1 when the
file system refuses a write), print no traceback (an error is one line), and
write nothing outside its output folder; the previous output survives a
refused write. The surfaces: derive / equilibria on fuzzed game files,
--plot paths, check's options, convert's inputs and outputs, the API's
validated arguments (`eqselect.theory.validate`), and writers on a full or
read-only disk (a patched ``os.replace`` / plot writer / stdout).

Scale: the CI profile runs 25 examples per test (10 for check, whose runs
that pass the options take seconds); ``EQSELECT_FUZZ=N`` runs N times as
many (``EQSELECT_FUZZ=10``: the larger local profile, documented in the
README), and ``EQSELECT_HYPOTHESIS`` names the hypothesis profile.
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


# -- check's options, convert, the API's arguments, full disks --

UNICODE_DIGITS = ["\u00b2", "\u0663", "\uff11", "\u2167", "1\u00b2", "\u00bd"]
CHECK_VALUES = st.one_of(OPTION_VALUES, st.sampled_from(UNICODE_DIGITS),
                         st.text(max_size=8))
CHECK_FAST = settings(FUZZ, max_examples=10 * SCALE)


@CHECK_FAST
@given(data=st.data())
def test_fuzz_check_options(data):
    """check's options: refused in one line at once, or a check that answers."""
    argv = ["check", "stag-hunt", "--param", "direct"]
    for opt in ("--lam", "--eta", "--own", "--tau", "--preferred", "--method"):
        if data.draw(st.integers(0, 2)) == 0:
            argv += [opt, data.draw(CHECK_VALUES)]
    if not any(a in argv for a in ("--lam", "--eta", "--own", "--tau")):
        argv += ["--lam", data.draw(st.sampled_from(["0", "-1", "nan", "\u00b2"]))]
    code, _, err, seconds = _run(argv + ["--time-limit", str(BUDGET_SECONDS // 2)])
    event(f"check exit {code}")
    _assert_contract(code, err, seconds)


CONVERT_NAMES = st.one_of(st.text(max_size=20), st.sampled_from(
    ["x" * 300, "sub/g", "", ".", "..", "g.json/x"]))


@FUZZ
@given(source=st.sampled_from(["stag-hunt", "ipd", "tandem", "chicken", "game.json", "nope",
                               "game.toml"]),
       name=CONVERT_NAMES, suffix=st.sampled_from([".toml", ".json", ".nfg", ".txt", ""]),
       lossy=st.booleans())
def test_fuzz_convert(tmp_path, monkeypatch, source, name, suffix, lossy):
    """convert: a written file that reads back as a game, or one line."""
    from eqselect.theory.io.resolve import load_game

    import tempfile

    here = tempfile.mkdtemp(dir=tmp_path)  # one folder per example
    monkeypatch.chdir(here)
    with open("game.json", "w") as fh:
        fh.write(json.dumps({"payoffs": [[[4, "a"], [3, 2]], [[4, 3], ["a", 2]]],
                             "symbols": {"a": 0}}))
    os.mkdir("out")
    target = f"out/{name}{suffix}"
    code, _, err, seconds = _run(["convert", source, target] + (["--allow-lossy"] * lossy))
    event(f"convert exit {code}")
    _assert_contract(code, err, seconds)
    if code == 0:
        assert os.path.realpath(target).startswith(os.path.realpath("out"))
        load_game(target)  # what convert writes, eqselect reads
    written = os.listdir("out")
    assert written == [os.path.basename(target)] if code == 0 else not written, written


API_VALUES = st.one_of(st.integers(-2**65, 2**65), st.floats(allow_nan=True),
                       st.sampled_from(["5", None, True, 1e308, 2**64, -1, 0, 2.5, 10**12]))


@FUZZ
@given(data=st.data())
def test_fuzz_api_arguments(data):
    """The facade's arguments: a small answer or one `EqselectError` line, at once."""
    import eqselect as eq

    dec = _STAG_HUNT_DEC()
    keyword, call = data.draw(st.sampled_from([
        ("seed", lambda v: eq.find_equilibria(dec, "pg", seed=v)),
        ("n_seeds", lambda v: eq.find_equilibria(dec, "pg", n_seeds=v)),
        ("budget", lambda v: eq.find_equilibria(dec, "pg", budget=v)),
        ("grid", lambda v: eq.basin_map(dec, "pg", grid=v, steps=2)),
        ("steps", lambda v: eq.basin_map(dec, "pg", grid=2, steps=v)),
        ("n", lambda v: eq.basin_monte_carlo(dec, "pg", n=v, steps=2)),
        ("lam_range", lambda v: eq.continue_in_lambda(dec, "peer-only", lam_range=(0, v))),
        ("eta", lambda v: eq.Decomposition(dec.game, eta=v)),
        ("lam", lambda v: eq.Rule("peer-only", lam=v)),
        ("horizon", lambda v: eq.ipd(horizon=v)),
    ]))
    value = data.draw(API_VALUES)
    event(keyword)
    start = time.perf_counter()
    try:
        call(value)
    except eq.EqselectError as exc:
        assert "\n" not in str(exc)
        event(f"{keyword} refused")
    assert time.perf_counter() - start < 20


_DEC = []


def _STAG_HUNT_DEC():
    import eqselect as eq

    if not _DEC:
        _DEC.append(eq.Decomposition(eq.builtin("stag-hunt", "direct"), eta=eq.PAPER.eta))
    return _DEC[0]


WRITE_ERRNOS = st.sampled_from([28, 30, 13, 122])  # ENOSPC EROFS EACCES EDQUOT


@FUZZ
@given(errno_=WRITE_ERRNOS, writer=st.sampled_from(["convert", "json", "folder", "file"]))
def test_fuzz_full_disks(tmp_path, monkeypatch, errno_, writer):
    """A file system that refuses a write: status 1, one line, the previous output
    whole, nothing staged left. ``folder`` is the staged folder of report and
    replay, ``file`` the replaced file of every --plot."""
    import sys
    import tempfile

    import eqselect.theory.io.write as write
    from eqselect.output import StagedFolder, replaced_file
    from eqselect.theory.errors import OutputError

    def refuse(*args, **kwargs):
        raise OSError(errno_, os.strerror(errno_))

    here = tempfile.mkdtemp(dir=tmp_path)  # one folder per example
    monkeypatch.chdir(here)
    previous = "out" if writer == "folder" else "g.json"
    if writer == "folder":
        os.mkdir("out")
        with open("out/report.json", "w") as fh:
            fh.write("previous")
    else:
        with open(previous, "w") as fh:
            fh.write("previous")
    before = sorted(os.listdir("."))
    err = io.StringIO()
    if writer in ("folder", "file"):
        with pytest.raises(OutputError) as info:
            with (StagedFolder("out", "report.json") if writer == "folder"
                  else replaced_file("g.json")) as staged:
                target = os.path.join(staged, "report.json") if writer == "folder" else staged
                with open(target, "w") as fh:
                    fh.write("half")
                refuse()
        code, err = info.value.status, f"eqselect: error: {info.value}\n"
    else:
        if writer == "convert":
            monkeypatch.setattr(write.os, "replace", refuse)

        class Full(io.StringIO):
            def flush(self):
                if self.getvalue():
                    refuse()

        with contextlib.redirect_stderr(err):
            if writer == "json":
                monkeypatch.setattr(sys, "stdout", Full())
            code = main(["convert", "stag-hunt", "g.json"] if writer == "convert"
                        else ["derive", "stag-hunt", "--json"])
        err = err.getvalue()
    assert code == 1 and "Traceback" not in err, (code, err)
    assert len(err.strip().splitlines()) == 1 and err.startswith("eqselect: error: "), err
    assert sorted(os.listdir(".")) == before
    kept = "out/report.json" if writer == "folder" else previous
    with open(kept) as fh:
        assert fh.read() == "previous"
