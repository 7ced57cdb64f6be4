"""``eqselect basins --per-start --json``: the rows streamed part by part are the
document one ``json.dumps`` writes."""

import json
import math

import pytest

from eqselect.cli import main
from eqselect.commands import basins as command


@pytest.mark.parametrize("argv", [
    ["chicken", "--method", "pg", "--samples", "50", "--seed", "4"],
    ["stag-hunt", "--method", "meta-mapg", "--grid", "6", "--steps", "30"]])
def test_streamed_rows_are_the_whole_document(argv, capsys, monkeypatch):
    """Parts of 7 rows, then one part of every row: the same bytes; and the
    document is the one `basins_json` builds with the rows in it (one dumps)."""
    texts = {}
    built = []
    whole = command.basins_json

    def keep(bm, game, inputs, notes, search, per_start=None):
        doc = whole(bm, game, inputs, notes, search, per_start)
        built.append((bm, game, inputs, notes, search))
        return doc

    monkeypatch.setattr(command, "basins_json", keep)
    for part in (7, 10 ** 6):
        monkeypatch.setattr(command, "PER_START_PART", part)
        assert main(["basins", *argv, "--per-start", "--json"]) == 0
        texts[part] = capsys.readouterr().out
    assert texts[7] == texts[10 ** 6]
    bm, game, inputs, notes, search = built[0]
    assert bm.problem.per_start is False  # the lean map: its rows were streamed
    from dataclasses import replace

    full = replace(bm, problem=replace(bm.problem, per_start=True))
    assert texts[7] == json.dumps(whole(full, game, inputs, notes, search)) + "\n"
    doc = json.loads(texts[7])
    rows = doc["per_start"]
    assert len(rows) == doc["n"] > 7 and list(doc).index("per_start") < list(doc).index(
        "fixed_points")
    for row, start, end in zip(rows, full.starts, full.final):
        assert row["start"] == start.tolist() and all(
            a == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(row["end"], end))
    counted = {}
    for row in rows:
        counted[row["attractor"]] = counted.get(row["attractor"], 0) + 1
    for i, a in enumerate(doc["attractors"]):  # each row's index counts toward its outcome
        assert counted.get(i, 0) == doc["outcomes"].get(a["name"], 0)
    assert counted.get(-1, 0) == doc["outcomes"].get("still moving", 0)
