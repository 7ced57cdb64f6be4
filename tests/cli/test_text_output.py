"""Every command's human-readable output (without --json): runs, exits 0, and
agrees with the JSON document of the same call."""

import json

import pytest


CASES = [
    ["derive", "stag-hunt", "--param", "direct"],
    ["equilibria", "stag-hunt", "--param", "direct", "--method", "pg"],
    ["continue", "stag-hunt", "--param", "direct", "--method", "peer-only", "--lam", "0:3"],
    ["basins", "stag-hunt", "--method", "pg", "--grid", "5", "--steps", "20"],
    ["check", "stag-hunt", "--param", "direct", "--method", "peer-only"],
]


@pytest.mark.parametrize("args", CASES, ids=[c[0] for c in CASES])
def test_text_output_runs(args, printed):
    text = printed(args)  # exit status 0
    assert text.strip() and "Traceback" not in text
    doc = json.loads(printed(args + ["--json"]))
    assert doc["kind"] == args[0]


def test_continue_text_counts_the_json_branches(printed):
    args = CASES[2]
    doc = json.loads(printed(args + ["--json"]))
    text = printed(args)
    assert f"{len(doc['branches'])} branch(es)" in text.splitlines()[0]
    listed = [ln for ln in text.splitlines() if ln.startswith("  branch ") and ln[9].isdigit()]
    assert len(listed) == len(doc["branches"])
    assert text.count(" at lambda = ") == len(doc["events"])
    switched = [b for b in doc["branches"] if b["origin"] == "branch-switch"]
    assert switched and text.count("(branch switch, lambda = ") == len(switched)


def test_text_prints_no_negative_zero_and_no_trailing_spaces(printed):
    """Guards `equilibria matching-pennies` (printed mu=-0 at the centre) and
    `check` (verdict lines without a reason ended in spaces)."""
    text = printed(["equilibria", "matching-pennies", "--method", "pg"])
    assert "mu=0 " in text and "-0 " not in text
    text = printed(["check", "stag-hunt", "--method", "peer-only"])
    assert all(line == line.rstrip() for line in text.splitlines())


def test_check_names_pure_profiles_at_infinity_by_their_actions(printed):
    """Guards `check stag-hunt` under logit: P and R were "0,0" and "1,1"
    (indices) where the game's actions are C and D."""
    lines = printed(["check", "stag-hunt", "--method", "peer-only"]).splitlines()
    assert lines[1].startswith("P: C,C at (inf, inf)")
    assert lines[2].startswith("R: D,D at (-inf, -inf)")


def test_an_exact_coordinate_too_long_for_a_line_is_printed_to_six_digits():
    """Guards `equilibria` on a three-player face under LOLA: an interior point's
    exact coordinate (a degree-20 polynomial in a CRootOf of degree 21) made a
    line of 41 824 characters. Past 60 characters the text prints six digits of
    it, marked ``~``, and says where the exact form is."""
    from types import SimpleNamespace

    import sympy as sp

    from eqselect.commands.equilibria import (
        EXACT_WIDTH, LONG_EXACT_NOTE, _long_exact, _where)
    from eqselect.theory import builtin

    x = sp.Symbol("x")
    root = sp.CRootOf(3 * x**9 - 17 * x**5 + 11 * x**4 - 2 * x - 1, 1)
    long = (root**3 - 5 * root) / 7
    assert len(str(long)) > EXACT_WIDTH
    value = float(sp.N(long, 30))
    eq = SimpleNamespace(exact=(long, sp.Rational(1, 3)), point=(value, 1 / 3),
                         strategies=None)
    game = builtin("stag-hunt", "direct")
    assert _where(eq, game, ["p1", "p2"]) == f"(p1~{value:.6g}, p2=1/3)"
    assert _long_exact([eq]) and "--json" in LONG_EXACT_NOTE
    short = SimpleNamespace(exact=(sp.Rational(1, 3), sp.sqrt(2) / 2), point=(1 / 3, 0.707),
                            strategies=None)
    assert _where(short, game, ["p1", "p2"]) == "(p1=1/3, p2=sqrt(2)/2)"
    assert not _long_exact([short])
