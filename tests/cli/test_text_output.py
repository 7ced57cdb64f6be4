"""Every command's human-readable output (without --json): runs, exits 0, and
agrees with the JSON document of the same call."""

import json

import pytest

from eqselect.cli import main

CASES = [
    ["derive", "stag-hunt", "--param", "direct"],
    ["equilibria", "stag-hunt", "--param", "direct", "--method", "pg"],
    ["continue", "stag-hunt", "--param", "direct", "--method", "peer-only", "--lam", "0:3"],
    ["basins", "stag-hunt", "--method", "pg", "--grid", "5", "--steps", "20"],
    ["check", "stag-hunt", "--param", "direct", "--method", "peer-only"],
]


@pytest.mark.parametrize("args", CASES, ids=[c[0] for c in CASES])
def test_text_output_runs(args, capsys):
    assert main(args) == 0
    text = capsys.readouterr().out
    assert text.strip() and "Traceback" not in text
    assert main(args + ["--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["kind"] == args[0]


def test_continue_text_counts_the_json_branches(capsys):
    args = CASES[2]
    assert main(args + ["--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert main(args) == 0
    text = capsys.readouterr().out
    assert f"{len(doc['branches'])} branch(es)" in text.splitlines()[0]
    listed = [ln for ln in text.splitlines() if ln.startswith("  branch ") and ln[9].isdigit()]
    assert len(listed) == len(doc["branches"])
    assert text.count(" at lambda = ") == len(doc["events"])
