"""Sweeps on dask equal serial sweeps; interrupted sweeps resume to the same bytes.

The sweeps carry the alignment verdicts (the checker, called for every cell), so
these properties hold for them too."""

import json
from dataclasses import replace

import pytest

from eqselect.theory.errors import OptionsError
from eqselect.theory.rules import PAPER
from eqselect.theory.rules import Rule
from eqselect.studies.sweep.cell import GameSpec
from eqselect.studies.sweep.grid import SweepSpec, parse_axis
from eqselect.studies.sweep.runner import CELLS, run_sweep
from eqselect.studies.sweep.store import CHUNKS, MANIFEST
from eqselect.studies.sweep.verdicts import AlignmentVerdicts, cell_verdicts

PLAIN = SweepSpec("stag-hunt", "direct", (parse_axis("a=3:5:3"),), parse_axis("0:2:4", "lam"),
                  ("pg", "peer-only"), PAPER.eta, PAPER.own, 5, 20, "paper", 4)
VERDICTS = AlignmentVerdicts.for_game(GameSpec("stag-hunt", "direct"))
SPEC = replace(PLAIN, verdicts=VERDICTS)
#: The argument hashes sweep folders of PLAIN and SPEC record in their manifests.
GOLDEN_PLAIN = "dce6ecf941c5c1aae6cca9bb37ccfb9c8e8e7a01c879510eed9de8b673dd8780"
GOLDEN_VERDICTS = "cf4e3e428a5f68e7bc505e12c551b802dd6ac1f3023fffa2b236edaed84fc7d0"


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    run = run_sweep(SPEC, out, workers=0)
    return out, run


def test_serial_sweep_writes_every_chunk_and_the_cells(serial):
    out, run = serial
    assert run.computed_chunks == SPEC.n_chunks == 6 and run.computed_cells == 24
    assert sorted(p.name for p in (out / CHUNKS).iterdir()) == [
        f"chunk-{k:06d}.json" for k in range(6)]
    doc = json.loads((out / CELLS).read_text())
    assert doc["schema_version"] >= 1 and doc["kind"] == "sweep"
    assert [c["index"] for c in doc["cells"]] == list(range(24))
    assert doc["alignment"]["status"] == "computed"
    assert doc["inputs"]["spec"]["extension"] == VERDICTS.to_json()
    for c in doc["cells"]:  # each cell's verdicts are the checker's at its payoffs and rule
        method, values, lam = SPEC.cell(c["index"])
        assert c["alignment"] == cell_verdicts(GameSpec("stag-hunt", "direct"), values,
                                               Rule(method, lam=lam, own_coef=PAPER.own),
                                               PAPER.eta)
    holds = {(c["method"], c["symbols"]["a"]): c["alignment"]["conditions"]["A3"]["holds"]
             for c in doc["cells"]}
    assert holds == {("pg", "3"): None, ("pg", "4"): None, ("pg", "5"): None,
                     ("peer-only", "3"): None, ("peer-only", "4"): True,
                     ("peer-only", "5"): True}  # a = 3: (1, 1) not strict, no R


def test_local_cluster_with_two_workers_equals_serial(serial, tmp_path):
    out, ref = serial
    run = run_sweep(SPEC, tmp_path, workers=2)
    assert run.workers == 2 and run.computed_chunks == 6
    assert run.document["cells"] == ref.document["cells"]
    assert (tmp_path / CELLS).read_bytes() == (out / CELLS).read_bytes()


def test_interrupted_sweep_resumes_to_the_same_bytes(serial, tmp_path):
    out, _ = serial
    seen = []

    def stop_after_two(k, n):
        seen.append(k)
        if len(seen) == 2:
            raise KeyboardInterrupt  # as Ctrl-C between two chunks

    with pytest.raises(KeyboardInterrupt):
        run_sweep(SPEC, tmp_path, workers=0, on_chunk=stop_after_two)
    assert len(list((tmp_path / CHUNKS).glob("chunk-*.json"))) == 2
    assert not (tmp_path / CELLS).exists()
    # a kill during a write leaves only a temporary file, which is not a chunk
    (tmp_path / CHUNKS / ".chunk-000003.json.tmp123").write_text('{"chunk": 3, "cel')
    redone = []
    run = run_sweep(SPEC, tmp_path, workers=0, on_chunk=lambda k, n: redone.append(k))
    assert sorted(redone) == [k for k in range(6) if k not in seen]
    assert run.computed_chunks == 4
    assert (tmp_path / CELLS).read_bytes() == (out / CELLS).read_bytes()
    again = run_sweep(SPEC, tmp_path, workers=0)
    assert again.computed_chunks == 0 and again.cells_per_second is None


def test_other_arguments_into_the_same_folder_are_refused(serial, tmp_path):
    out, _ = serial
    other = SweepSpec("stag-hunt", "direct", (parse_axis("a=3:5:3"),),
                      parse_axis("0:2:4", "lam"), ("pg", "peer-only"), PAPER.eta, PAPER.own,
                      5, 21, "paper", 4, verdicts=VERDICTS)
    before = (out / MANIFEST).read_bytes()
    with pytest.raises(OptionsError, match="other arguments"):
        run_sweep(other, out, workers=0)
    assert (out / MANIFEST).read_bytes() == before
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(OptionsError, match="not empty"):
        run_sweep(SPEC, tmp_path, workers=0)


def test_whether_and_how_verdicts_are_computed_is_part_of_the_argument_hash(serial, tmp_path):
    out, _ = serial
    digests = {replace(PLAIN, verdicts=v).digest() for v in (
        None, VERDICTS, AlignmentVerdicts.for_game(GameSpec("stag-hunt", "direct"), "welfare"),
        AlignmentVerdicts.for_game(GameSpec("stag-hunt", "direct"), seconds=5))}
    assert len(digests) == 4
    with pytest.raises(OptionsError, match="other arguments"):
        run_sweep(PLAIN, out, workers=0)  # the same sweep without verdicts
    plain = run_sweep(PLAIN, tmp_path, workers=0)
    assert plain.document["alignment"]["status"] == "not computed"
    assert all(c["alignment"]["status"] == "not computed" for c in plain.document["cells"])
    assert [{k: v for k, v in c.items() if k != "alignment"} for c in plain.document["cells"]] \
        == [{k: v for k, v in c.items() if k != "alignment"}
            for c in json.loads((out / CELLS).read_text())["cells"]]


def test_the_argument_hash_and_the_recorded_verdicts_keep_their_form():
    """Sweep folders already on disk resume: the spec's JSON, and so its hash,
    is the one they recorded (key ``extension``, procedure name, options)."""
    recorded = {"slot": "alignment", "function": "eqselect.proofs_check.atlas.cell_verdicts",
                "options": {"preferred": "payoff-dominant", "seconds": 30.0}}
    assert SPEC.to_json()["extension"] == recorded and "verdicts" not in SPEC.to_json()
    assert PLAIN.to_json()["extension"] is None
    assert PLAIN.digest() == GOLDEN_PLAIN and SPEC.digest() == GOLDEN_VERDICTS


def test_pure_profile_labels_are_named_by_the_actions_whose_payoffs_they_hold(serial):
    """cells.json's ``outcome_names`` reads a label (probability coordinates) as the
    profile of action names; checked against the game: the value J_i at a cell's
    exact pure fixed point is the payoff of the named profile, for every player."""
    import sympy as sp

    from eqselect.studies.sweep.atlas import read_atlas
    from eqselect.studies.sweep.plots import quantity_title
    from eqselect.theory import builtin

    out, _ = serial
    doc = json.loads((out / CELLS).read_text())
    names = doc["outcome_names"]
    assert sorted(names) == ["(0, 0)", "(0, 1)", "(1, 0)", "(1, 1)"]
    game = builtin("stag-hunt", "direct", symbolic=True)
    checked = 0
    for c in doc["cells"]:
        at = {sp.Symbol(k): sp.Rational(v) for k, v in c["symbols"].items()}
        for e in c["equilibria"]:
            if e["label"] not in names:
                continue  # a mixed fixed point
            point = dict(zip(game.parameters, map(sp.Rational, e["exact"])))
            profile = [game.action_names[i].index(a) for i, a in
                       enumerate(names[e["label"]].strip("()").split(", "))]
            for i, table in enumerate(game.payoffs):
                for a in profile:
                    table = table[a]
                value = game.values[i].xreplace(point).xreplace(at)
                assert sp.expand(value - table.xreplace(at)) == 0
            checked += 1
    assert checked >= 12
    atlas = read_atlas(doc)
    assert quantity_title(atlas, "pg", "share (0, 0)") == \
        f"stag-hunt, pg: share (0, 0) = {names['(0, 0)']}"
