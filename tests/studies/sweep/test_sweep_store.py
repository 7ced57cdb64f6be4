"""The sweep store trusts nothing on disk: damaged, truncated,
tampered and linked chunks are computed again with a note, the store's files
as folders or links are refused with one line before anything is written, a
full disk is one error that leaves what was stored whole, and cells.json is
streamed from the chunks with the bytes of the whole document."""

import errno
import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from eqselect.theory.errors import OptionsError
from eqselect.theory.rules import PAPER
from eqselect.studies.sweep import files
from eqselect.studies.sweep.grid import SweepSpec, parse_axis
from eqselect.studies.sweep.runner import run_sweep
from eqselect.studies.sweep.store import (
    CELLS, CHUNKS, INDEX, MANIFEST, StoreWriteError, SweepStore, cell_text, chunk_tail, dumps)

SPEC = SweepSpec("stag-hunt", "direct", (parse_axis("a=3:5:3"),), parse_axis("0:2:2", "lam"),
                 ("peer-only",), PAPER.eta, PAPER.own, 3, 10, "paper", 2)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference")
    run_sweep(SPEC, out, workers=0)
    return out


@pytest.fixture
def copy(reference, tmp_path):
    """A copy of the finished reference store, to damage."""
    out = tmp_path / "atlas"
    (out / CHUNKS).mkdir(parents=True)
    for name in (MANIFEST, INDEX, CELLS):
        (out / name).write_bytes((reference / name).read_bytes())
    for p in (reference / CHUNKS).iterdir():
        (out / CHUNKS / p.name).write_bytes(p.read_bytes())
    return out


def test_a_chunk_file_is_the_json_of_its_record_and_cells_json_the_whole_document(reference):
    store = SweepStore(reference, SPEC)
    cells = store.chunk_cells(1)
    text = (reference / CHUNKS / "chunk-000001.json").read_text()
    record = json.loads(text)
    assert text == dumps(record) and record["chunk"] == 1 and record["n_cells"] == 2
    body = ",\n".join(cell_text(c) for c in cells)
    assert text.endswith(chunk_tail(1, 2, record["sha256"]))
    assert record["sha256"] == __import__("hashlib").sha256(body.encode()).hexdigest()
    doc = json.loads((reference / CELLS).read_text())
    assert (reference / CELLS).read_text() == dumps(doc)  # streamed, yet the one text form
    assert [c["index"] for c in doc["cells"]] == list(range(SPEC.n_cells))
    assert doc["cells"] == list(store.iter_cells())


@pytest.mark.parametrize("damage,why", [
    ("truncate", "wrong size"),
    ("same-size", "checksum mismatch"),
    ("garbage", "not a chunk of this sweep"),
    ("link", "not a regular file"),
    ("folder", "not a regular file"),
])
def test_a_damaged_chunk_is_computed_again_with_a_note(reference, copy, damage, why):
    path = copy / CHUNKS / "chunk-000001.json"
    data = path.read_bytes()
    path.unlink()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "same-size":
        path.write_bytes(data.replace(b'"n_starts": 9', b'"n_starts": 7', 1))
    elif damage == "garbage":
        path.write_bytes(b"\x00\xff" * (len(data) // 2) + b"x" * (len(data) % 2))
    elif damage == "link":
        os.symlink("/dev/zero", path)  # read whole, it would never end
    else:
        path.mkdir()
    if damage == "folder":  # a folder where a chunk goes cannot be removed: one line
        with pytest.raises(OptionsError, match="chunk-000001.json is damaged and cannot be "
                                               "removed"):
            run_sweep(SPEC, copy, workers=0)
        return
    run = run_sweep(SPEC, copy, workers=0)
    assert run.computed_chunks == 1
    assert run.notes == (f"chunk 1 was not whole ({why}) and is computed again",)
    assert (copy / CELLS).read_bytes() == (reference / CELLS).read_bytes()


def test_an_unreadable_index_recomputes_what_it_no_longer_vouches_for(reference, copy):
    lines = (copy / INDEX).read_text().splitlines()
    junk = ["{not json", '{"chunk": 99}', "[1, 2]", "\x00\xff",
            '{"bytes": 1, "chunk": 1e400, "n_cells": 2, "sha256": "00"}']
    (copy / INDEX).write_text("\n".join(lines[:2] + junk) + "\n")
    run = run_sweep(SPEC, copy, workers=0)
    assert run.computed_chunks == SPEC.n_chunks - 2
    assert run.notes[0] == f"5 unreadable line(s) of {INDEX} ignored"
    assert (copy / CELLS).read_bytes() == (reference / CELLS).read_bytes()


@pytest.mark.parametrize("name,make", [
    (CELLS, "folder"), (MANIFEST, "folder"), (CHUNKS, "file"), (INDEX, "link"),
])
def test_a_store_file_of_the_wrong_kind_is_refused_before_anything_is_written(
        tmp_path, name, make):
    out = tmp_path / "atlas"
    out.mkdir()
    if make == "folder":
        (out / name).mkdir()
    elif make == "file":
        (out / name).write_text("x")
    else:
        os.symlink("/dev/zero", out / name)
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(OptionsError, match=f"{name} is a"):
        run_sweep(SPEC, out, workers=0)
    assert sorted(p.name for p in out.iterdir()) == before


def test_out_as_a_link_or_a_garbage_manifest_is_refused(tmp_path, reference):
    (tmp_path / "link").symlink_to(reference)
    with pytest.raises(OptionsError, match="is not a folder"):
        run_sweep(SPEC, tmp_path / "link", workers=0)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / MANIFEST).write_bytes(b"\xff\xfe[")
    with pytest.raises(OptionsError, match="not a readable sweep manifest"):
        run_sweep(SPEC, bad, workers=0)


def test_a_sweep_that_fails_before_its_first_chunk_leaves_no_folder(tmp_path, monkeypatch):
    from eqselect.studies.sweep import tasks

    def broken(spec, k):
        raise RuntimeError("cell failed")

    monkeypatch.setattr(tasks, "evaluate_chunk", broken)
    with pytest.raises(RuntimeError, match="cell failed"):
        run_sweep(SPEC, tmp_path / "atlas", workers=0)
    assert not (tmp_path / "atlas").exists()
    (tmp_path / "mine").mkdir()  # a folder the user made: kept, and left empty
    with pytest.raises(RuntimeError, match="cell failed"):
        run_sweep(SPEC, tmp_path / "mine", workers=0)
    assert list((tmp_path / "mine").iterdir()) == []
    monkeypatch.undo()  # the corrected rerun is not refused
    other = run_sweep(replace(SPEC, steps=11), tmp_path / "mine", workers=0)
    assert other.computed_chunks == SPEC.n_chunks


def test_a_full_disk_is_one_error_and_what_was_stored_stays(reference, tmp_path, monkeypatch):
    real = files.open_temporary
    calls = []

    def full_after_two(path):
        calls.append(Path(path).name)
        if len([c for c in calls if c.startswith("chunk-")]) > 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path)

    monkeypatch.setattr(files, "open_temporary", full_after_two)
    out = tmp_path / "atlas"
    with pytest.raises(StoreWriteError, match="No space left on device"):
        run_sweep(SPEC, out, workers=0)
    assert sorted(p.name for p in (out / CHUNKS).iterdir()) == [
        "chunk-000000.json", "chunk-000001.json"]
    assert not (out / CELLS).exists() and not (out / ".lock").exists()
    monkeypatch.setattr(files, "open_temporary", real)
    run = run_sweep(SPEC, out, workers=0)
    assert run.computed_chunks == SPEC.n_chunks - 2 and run.notes == ()
    assert (out / CELLS).read_bytes() == (reference / CELLS).read_bytes()


def test_a_folder_of_the_earlier_layout_resumes_to_the_same_bytes(reference, copy):
    """Chunk files without an index (eqselect 0.2) are not trusted: computed again."""
    (copy / INDEX).unlink()
    (copy / CELLS).unlink()
    run = run_sweep(SPEC, copy, workers=0)
    assert run.computed_chunks == SPEC.n_chunks
    assert run.notes[0] == "chunk 0 was not whole (not in the index) and is computed again"
    assert (copy / CELLS).read_bytes() == (reference / CELLS).read_bytes()


def test_a_time_limit_stops_the_sweep_with_its_chunks_kept(reference, tmp_path, monkeypatch):
    """--time-limit bounds the whole sweep, however many cells it has."""
    from eqselect.studies.sweep import tasks
    from eqselect.theory.budget import TimeBudgetExceeded

    clock = iter(range(0, 1000, 10))  # every look at the clock: 10 s later
    monkeypatch.setattr(tasks.time, "perf_counter", lambda: float(next(clock)))
    out = tmp_path / "atlas"
    with pytest.raises(TimeBudgetExceeded, match=r"did not finish within --time-limit 25 s: "
                                                 r"[12] of 3 chunks are stored; rerun") as err:
        run_sweep(SPEC, out, workers=0, time_limit=25)
    stored = int(str(err.value).split(": ")[1].split(" of ")[0])
    assert len(list((out / CHUNKS).iterdir())) == stored
    assert not (out / CELLS).exists() and not (out / ".lock").exists()
    monkeypatch.undo()
    run = run_sweep(SPEC, out, workers=0)
    assert run.computed_chunks == 3 - stored
    assert (out / CELLS).read_bytes() == (reference / CELLS).read_bytes()
