"""Sweeps on an external dask cluster: a scheduler and two ``dask worker`` processes
started in another folder on localhost.

The workers never see the game file: it travels as its text and digest. An
edited file gives the new numbers, a killed worker's chunks are recomputed by
the others, a damaged chunk is recomputed with a note, a second sweep into a
folder in use is refused, an unreachable scheduler is one line within its
timeout, and a worker without eqselect is named before any task runs.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace

import pytest

from eqselect.theory.errors import OptionsError
from eqselect.theory.rules import PAPER
from eqselect.studies.sweep.cluster import ClusterError
from eqselect.studies.sweep.grid import SweepSpec, parse_axis, read_game_file
from eqselect.studies.sweep.runner import CELLS, run_sweep
from eqselect.studies.sweep.store import CHUNKS

pytest.importorskip("distributed")

GAME = """name = "stag-file"
actions = [["C", "D"], ["C", "D"]]
parameterization = "direct"
payoffs = [[["a", 0], [3, DD]], [["a", 3], [0, DD]]]
[symbols]
a = 4
"""
#: A worker preload that makes eqselect impossible to import (a worker without it).
NO_EQSELECT = """import sys
class _Refuse:
    def find_spec(self, name, path=None, target=None):
        if name == "eqselect" or name.startswith("eqselect."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None
for _name in [m for m in sys.modules if m == "eqselect" or m.startswith("eqselect.")]:
    del sys.modules[_name]
sys.meta_path.insert(0, _Refuse())
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args, cwd):
    return subprocess.Popen([sys.executable, "-m", "distributed.cli." + args[0], *args[1:]],
                            cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def _worker(address, cwd, *extra):
    return _start(["dask_worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                   "--local-directory", str(cwd), *extra], cwd)


def _wait_for(address, n, timeout=60.0):
    from distributed import Client

    with Client(address, timeout=timeout, set_as_default=False) as client:
        client.wait_for_workers(n, timeout=timeout)


def _stop(*procs):
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        p.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """(scheduler address, workers' folder, [worker processes])."""
    home = tmp_path_factory.mktemp("workers-home")
    address = f"tcp://127.0.0.1:{_free_port()}"
    scheduler = _start(["dask_scheduler", "--host", "127.0.0.1", "--port",
                        address.rsplit(":", 1)[1], "--no-dashboard"], home)
    workers = [_worker(address, home) for _ in range(2)]
    try:
        _wait_for(address, 2)
        yield address, home, workers
    finally:
        _stop(*workers, scheduler)


def _spec(path, **kw):
    text, digest = read_game_file(str(path))
    spec = SweepSpec(str(path), None, (parse_axis("a=3:5:2"),), parse_axis("0:2:2", "lam"),
                     ("meta-mapg",), PAPER.eta, PAPER.own, 3, 5, "paper", 1, digest,
                     game_text=text)
    return replace(spec, **kw)


def _game(tmp_path, dd="2"):
    path = tmp_path / "games" / "stag.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(GAME.replace("DD", dd))
    return path


def _cells(out):
    return json.loads((out / CELLS).read_text())["cells"]


def test_a_game_file_sweeps_on_workers_that_never_see_it_and_an_edit_shows(cluster, tmp_path):
    address, home, _ = cluster
    path = _game(tmp_path)
    spec = _spec(path)
    path.unlink()  # the workers (and the client) work from the spec's text only
    run = run_sweep(spec, tmp_path / "first", scheduler=address)
    assert run.computed_cells == 4 and run.workers is None
    edited = _spec(_game(tmp_path, dd="1"))  # (D, D) pays 1: other cells, same path
    run_sweep(edited, tmp_path / "second", scheduler=address)
    serial = run_sweep(edited, tmp_path / "serial", workers=0)
    assert (tmp_path / "second" / CELLS).read_bytes() == (tmp_path / "serial" / CELLS).read_bytes()
    assert _cells(tmp_path / "first") != serial.document["cells"]
    assert [c["symbols"] for c in _cells(tmp_path / "first")] == [
        c["symbols"] for c in serial.document["cells"]]
    assert not list(home.glob("*.toml"))


def test_a_damaged_chunk_is_recomputed_with_a_note(cluster, tmp_path):
    address, _, _ = cluster
    spec = _spec(_game(tmp_path))
    out = tmp_path / "atlas"
    run_sweep(spec, out, scheduler=address)
    before = (out / CELLS).read_bytes()
    chunk = out / CHUNKS / "chunk-000002.json"
    text = chunk.read_text()
    assert '"n_starts": 9' in text
    chunk.write_text(text.replace('"n_starts": 9', '"n_starts": 8', 1))  # same size, valid JSON
    redo = run_sweep(spec, out, scheduler=address)
    assert redo.computed_chunks == 1 and redo.notes == (
        "chunk 2 was not whole (checksum mismatch) and is computed again",)
    assert (out / CELLS).read_bytes() == before


def test_a_second_sweep_into_a_folder_in_use_is_refused(cluster, tmp_path):
    address, _, _ = cluster
    spec = _spec(_game(tmp_path))
    out = tmp_path / "atlas"
    started, release, errors = threading.Event(), threading.Event(), []

    def hold(k, n):
        started.set()
        release.wait(30)

    def first():
        try:
            run_sweep(spec, out, scheduler=address, on_chunk=hold)
        except BaseException as exc:  # noqa: BLE001 -- reported by the assertion below
            errors.append(exc)

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert started.wait(60)
        with pytest.raises(OptionsError, match="being written by another eqselect sweep"):
            run_sweep(spec, out, workers=0)
        with pytest.raises(OptionsError, match="holds a sweep with other arguments"):
            run_sweep(replace(spec, steps=6), out, workers=0)
    finally:
        release.set()
        thread.join(60)
    assert not errors and len(_cells(out)) == 4 and not (out / ".lock").exists()


@pytest.mark.skipif(os.environ.get("EQSELECT_FULL_SCALE") != "1",
                    reason="starts a third worker (about 10 s): EQSELECT_FULL_SCALE=1")
def test_a_killed_worker_costs_only_its_tasks(cluster, tmp_path):
    address, home, _ = cluster
    victim = _worker(address, home)
    try:
        _wait_for(address, 3)
        spec = _spec(_game(tmp_path), chunk_size=1, over=(parse_axis("a=3:5:3"),))
        killed = []

        def kill_once(k, n):
            if not killed:
                killed.append(k)
                os.killpg(victim.pid, signal.SIGKILL)

        run = run_sweep(spec, tmp_path / "atlas", scheduler=address, on_chunk=kill_once)
    finally:
        _stop(victim)
    serial = run_sweep(spec, tmp_path / "serial", workers=0)
    assert killed and run.computed_chunks == spec.n_chunks
    assert (tmp_path / "atlas" / CELLS).read_bytes() == (tmp_path / "serial" / CELLS).read_bytes()
    assert serial.computed_chunks == spec.n_chunks


def test_an_unreachable_scheduler_is_one_line_within_its_timeout(tmp_path):
    spec = _spec(_game(tmp_path))
    start = time.monotonic()
    with pytest.raises(OptionsError, match="cannot reach a dask scheduler|no dask scheduler"):
        run_sweep(spec, tmp_path / "atlas", scheduler="tcp://127.0.0.1:1", connect_timeout=1)
    assert time.monotonic() - start < 8 and not (tmp_path / "atlas").exists()


def test_something_that_is_not_a_scheduler_is_refused(tmp_path):
    spec = _spec(_game(tmp_path))
    with socket.socket() as server:  # accepts connections, never answers
        server.bind(("127.0.0.1", 0))
        server.listen()
        address = "tcp://127.0.0.1:%d" % server.getsockname()[1]
        start = time.monotonic()
        with pytest.raises(OptionsError, match="no dask scheduler answered within 1 s"):
            run_sweep(spec, tmp_path / "atlas", scheduler=address, connect_timeout=1)
    assert time.monotonic() - start < 5 and not (tmp_path / "atlas").exists()


def test_a_worker_without_eqselect_is_named_before_any_task(tmp_path):
    home = tmp_path / "bare"
    home.mkdir()
    (home / "no_eqselect.py").write_text(NO_EQSELECT)
    address = f"tcp://127.0.0.1:{_free_port()}"
    scheduler = _start(["dask_scheduler", "--host", "127.0.0.1", "--port",
                        address.rsplit(":", 1)[1], "--no-dashboard"], home)
    worker = _worker(address, home, "--preload", str(home / "no_eqselect.py"))
    try:
        _wait_for(address, 1)
        spec = _spec(_game(tmp_path))
        with pytest.raises(ClusterError, match="cannot run eqselect: ModuleNotFoundError"):
            run_sweep(spec, tmp_path / "atlas", scheduler=address)
    finally:
        _stop(worker, scheduler)
    assert not (tmp_path / "atlas").exists()


def test_maps_drawn_by_the_workers_are_the_maps_drawn_here(cluster, tmp_path):
    from distributed import Client

    from eqselect.studies.sweep.plots import write_atlas

    address, _, _ = cluster
    run = run_sweep(_spec(_game(tmp_path)), tmp_path / "atlas", workers=0)
    (tmp_path / "here").mkdir()
    (tmp_path / "there").mkdir()
    here = write_atlas(run.atlas, tmp_path / "here")
    with Client(address, set_as_default=False) as client:
        there = write_atlas(run.atlas, tmp_path / "there", client)
    assert [p.name for p in here] == [p.name for p in there] and len(here) >= 5
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(here, there))


@pytest.mark.skipif(os.environ.get("EQSELECT_FULL_SCALE") != "1",
                    reason="its own scheduler and worker (about 10 s): EQSELECT_FULL_SCALE=1")
def test_a_cluster_that_loses_every_worker_stops_with_one_line(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    address = f"tcp://127.0.0.1:{_free_port()}"
    scheduler = _start(["dask_scheduler", "--host", "127.0.0.1", "--port",
                        address.rsplit(":", 1)[1], "--no-dashboard"], home)
    worker = _worker(address, home)
    try:
        _wait_for(address, 1)
        spec = _spec(_game(tmp_path), over=(parse_axis("a=3:5:3"),))

        def kill(k, n):
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)

        start = time.monotonic()
        with pytest.raises(ClusterError, match="no dask worker has been connected for 2 s|"
                                               "the cluster dropped chunk"):
            run_sweep(spec, tmp_path / "atlas", scheduler=address, connect_timeout=2,
                      on_chunk=kill)
        assert time.monotonic() - start < 60
    finally:
        _stop(worker, scheduler)
    stored = list((tmp_path / "atlas" / CHUNKS).iterdir())
    assert stored and not (tmp_path / "atlas" / ".lock").exists()
