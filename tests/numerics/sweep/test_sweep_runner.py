"""Sweeps on dask equal serial sweeps; interrupted sweeps resume to the same bytes (issue 13)."""

import json

import pytest

from eqselect.theory.errors import OptionsError
from eqselect.theory.rules import PAPER
from eqselect.numerics.sweep.grid import SweepSpec, parse_axis
from eqselect.numerics.sweep.runner import CELLS, run_sweep
from eqselect.numerics.sweep.store import CHUNKS, MANIFEST

SPEC = SweepSpec("stag-hunt", "direct", (parse_axis("a=3:5:3"),), parse_axis("0:2:4", "lam"),
                 ("pg", "peer-only"), PAPER.eta, PAPER.own, 5, 20, "paper", 4)


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
    assert doc["alignment"]["status"] == "not computed"


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
                      5, 21, "paper", 4)
    before = (out / MANIFEST).read_bytes()
    with pytest.raises(OptionsError, match="other arguments"):
        run_sweep(other, out, workers=0)
    assert (out / MANIFEST).read_bytes() == before
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(OptionsError, match="not empty"):
        run_sweep(SPEC, tmp_path, workers=0)
