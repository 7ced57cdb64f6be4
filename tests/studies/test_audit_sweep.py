"""The selection atlas checked from outside: a sweep's cells against the same cell
computed alone, a sweep resumed after a kill against an uninterrupted one, the
store's files as readable as any file the user writes, dask's logs kept off the
one-line contract, and the scheduler probe telling a foreign server from a
malformed address."""

import json
import logging
import os
import socket
import stat
import sys
import threading
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from eqselect.theory.errors import OptionsError
from eqselect.theory.rules import PAPER
from eqselect.studies.sweep.grid import SweepSpec, parse_axis
from eqselect.studies.sweep.runner import CELLS, run_sweep
from eqselect.studies.sweep.store import CHUNKS, MANIFEST

#: Direct Stag Hunt over a (row payoff [[a, 0], [3, 2]]) and lambda, no verdicts.
SPEC = SweepSpec("stag-hunt", "direct", (parse_axis("a=4:6:2"),), parse_axis("0:1/2:2", "lam"),
                 ("pg", "meta-mapg"), PAPER.eta, PAPER.own, 9, 60, "paper", 3)


@pytest.fixture(scope="module")
def atlas(tmp_path_factory):
    """(folder, cells) of SPEC run serially under the umask 022."""
    out = tmp_path_factory.mktemp("atlas") / "run"
    old = os.umask(0o022)
    try:
        run_sweep(SPEC, out, workers=0)
    finally:
        os.umask(old)
    return out, json.loads((out / CELLS).read_text())["cells"]


def _stag_hunt(tmp_path: Path, a: int):
    """Direct Stag Hunt with row payoff [[a, 0], [3, 2]], read from a game file."""
    from eqselect.theory import Decomposition
    from eqselect.theory.io.resolve import load_game

    path = tmp_path / f"stag-{a}.toml"
    path.write_text(f'name = "stag {a}"\nplayers = ["row", "col"]\n'
                    f'actions = [["C", "D"], ["C", "D"]]\n'
                    f'payoffs = [[[{a}, 0], [3, 2]], [[{a}, 3], [0, 2]]]\n')
    return Decomposition(load_game(str(path), "direct"), eta=PAPER.eta)


def test_each_cell_equals_the_basin_map_of_the_same_game_alone(atlas, tmp_path):
    """The fraction and the share of each corner equal `eqselect.basin_map` on a game
    file holding the cell's payoffs (no symbol, no sweep machinery)."""
    import eqselect as eq

    _, cells = atlas  # not a = 5: its separatrix p1 + p2 = 1 holds the grid's anti-diagonal
    games = {a: _stag_hunt(tmp_path, a) for a in (4, 6)}
    for cell in cells:
        dec = games[int(cell["symbols"]["a"])]
        alone = eq.basin_map(dec, cell["method"], lam=Fraction(cell["lam"]), grid=9, steps=60)
        assert cell["fraction"] == pytest.approx(alone.fraction, abs=0), cell["index"]
        assert cell["outcomes"].get("(1, 1)", 0) == alone.outcomes["success"]
        assert cell["outcomes"].get("(0, 0)", 0) == alone.outcomes["failure"]


def test_the_cells_fixed_points_are_the_closed_forms(atlas):
    """Direct Stag Hunt [[a, 0], [3, 2]]: under pg the saddle is p1 = p2 = 2 / (a - 1)
    (indifference: a p = 3 p + 2 (1 - p)); under Meta-MAPG at lambda = 1/2 the corner
    (0, 0) stays while F_1(0, 0) = -2 + lambda eta S (3 - 2) < 0, S = a - 1."""
    _, cells = atlas
    for cell in cells:
        a, lam = int(cell["symbols"]["a"]), Fraction(cell["lam"])
        labels = {e["label"]: e["stability"] for e in cell["equilibria"]}
        assert labels["(1, 1)"] == "stable"
        dd_exists = -2 + lam * Fraction(11, 20) * (a - 1) < 0 or cell["method"] == "pg"
        assert ("(0, 0)" in labels) == dd_exists
        if cell["method"] == "pg":
            s = Fraction(2, a - 1)
            assert labels[f"({s}, {s})"] == "saddle"


def test_a_sweep_killed_mid_write_resumes_to_the_same_bytes(atlas, tmp_path):
    """What a kill -9 leaves (a chunk missing, a half-written cells.json and manifest
    temporary, a heat-map staging folder) is cleared and the atlas is the same."""
    import shutil

    out, _ = atlas
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / CELLS).unlink()
    (copy / CHUNKS / "chunk-000001.json").unlink()
    (copy / ".cells.json.k1ll3d").write_bytes((out / CELLS).read_bytes()[:100])
    (copy / f".{MANIFEST}.k1ll3d").write_text("{")
    (copy / CHUNKS / ".chunk-000001.json.k1ll3d").write_text('{\n "cells": [')
    (copy / ".maps-k1ll3d").mkdir()
    (copy / ".maps-k1ll3d" / "pg-fraction.png").write_bytes(b"\x89PNG")
    run = run_sweep(SPEC, copy, workers=0)
    assert run.computed_chunks == 1
    assert (copy / CELLS).read_bytes() == (out / CELLS).read_bytes()
    assert sorted(p.name for p in copy.rglob(".*")) == []


def test_store_files_are_as_readable_as_any_file_the_user_creates(atlas):
    out, _ = atlas
    old = os.umask(0o022)
    try:
        probe = out.parent / "probe"
        probe.write_text("x")
        want = stat.S_IMODE(probe.stat().st_mode)
    finally:
        os.umask(old)
    assert want == 0o644
    for path in [out / MANIFEST, out / CELLS, *sorted((out / CHUNKS).iterdir())]:
        assert stat.S_IMODE(path.stat().st_mode) == want, path.name


def test_every_dask_logger_is_silent_while_a_cluster_is_open(capfd):
    """dask's logging configuration gives distributed.client its own level and handler
    (no propagation): a lost scheduler's traceback must not reach stderr."""
    pytest.importorskip("distributed")
    from eqselect.studies.sweep.cluster import ClusterOptions, open_cluster

    capfd.readouterr()
    with open_cluster(ClusterOptions(workers=2)):  # not started: no get()
        named = [n for n, lg in logging.Logger.manager.loggerDict.items()
                 if isinstance(lg, logging.Logger) and n.split(".")[0] in ("distributed",
                                                                            "tornado")]
        assert "distributed.client" in named
        loud = [n for n in named if logging.getLogger(n).isEnabledFor(logging.CRITICAL)]
        logging.getLogger("distributed.client").error("a lost scheduler")
        logging.getLogger("tornado.application").error("a closed stream")
    assert loud == []
    assert capfd.readouterr().err == ""
    assert logging.getLogger("distributed.client").isEnabledFor(logging.ERROR)  # restored


def _serve_once(reply: bytes):
    """A TCP server on a free loopback port answering every connection with ``reply``."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.sendall(reply)
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return server


@pytest.mark.parametrize("reply", [b"\xff" * 64, b"\x00" * 7 + b"\x7f" + b"\xff" * 56],
                         ids=["0xff bytes", "an absurd frame count"])
def test_a_server_speaking_another_protocol_is_not_called_a_bad_address(reply):
    pytest.importorskip("distributed")
    from eqselect.studies.sweep.cluster import check_scheduler

    server = _serve_once(reply)
    try:
        address = "tcp://127.0.0.1:%d" % server.getsockname()[1]
        with pytest.raises(OptionsError) as info:
            check_scheduler(address, 3.0)
    finally:
        server.close()
    assert "answered, but is not a dask scheduler" in str(info.value)
    for bad in ("127.0.0.1:87x6", "http://127.0.0.1:8786", "inproc://x", "tcp://127.0.0.1"):
        with pytest.raises(OptionsError, match="is not a dask scheduler address"):
            check_scheduler(bad, 3.0)


def test_a_closed_stdout_is_not_a_disk_error(tmp_path, monkeypatch, capsys):
    """``eqselect sweep ... | head -1``: the reader going away is status 0 and silent,
    as for every command, not 'cannot write the sweep's files' with status 1."""
    from eqselect.cli import main
    from eqselect.commands import sweep

    monkeypatch.setattr(sweep, "_write_maps", lambda *args: [])  # drawing is not the point

    class Closed:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Closed())
    code = main(["sweep", "stag-hunt", "--param", "direct", "--over", "a=4:4:1", "--lam",
                 "0:0:1", "--grid", "3", "--steps", "5", "--workers", "0", "--no-verdicts",
                 "--out", str(tmp_path / "atlas")])
    assert (code, capsys.readouterr().err) == (0, "")


def test_an_empty_out_is_refused_not_replaced_by_the_default(tmp_path, monkeypatch, capsys):
    """``--out ""`` (an unset shell variable) names no folder: one line, status 2, and
    no sweep-GAME folder appears in its place."""
    from eqselect.cli import main

    monkeypatch.chdir(tmp_path)
    code = main(["sweep", "stag-hunt", "--param", "direct", "--over", "a=4:4:1", "--lam",
                 "0:0:1", "--grid", "3", "--steps", "5", "--workers", "0", "--no-verdicts",
                 "--out", " "])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "--out" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("methods", [(), "meta-mapg"])
def test_a_spec_without_a_tuple_of_methods_is_refused(methods, tmp_path):
    """No method means no cell: refused before a folder of zero cells is written; a
    bare string is not read letter by letter as methods 'm', 'e', ..."""
    from dataclasses import replace

    with pytest.raises(OptionsError, match="one or more methods"):
        run_sweep(replace(SPEC, methods=methods), tmp_path / "none", workers=0)
    assert not (tmp_path / "none").exists()


def test_every_axis_label_of_a_two_symbol_map_lies_inside_the_figure(tmp_path, monkeypatch):
    """A two-symbol sweep draws one row of panels (4.6 inches high): the x-axis label
    of each panel must not be cut off at the bottom edge of the PNG."""
    import io

    from eqselect.studies.sweep import plots
    from eqselect.studies.sweep.atlas import read_atlas

    spec = SweepSpec("stag-hunt", "direct", (parse_axis("a=3:4:2"), parse_axis("d=1:2:2")),
                     parse_axis("0:1:2", "lam"), ("pg",), PAPER.eta, PAPER.own, 3, 5,
                     "paper", 8)
    run = run_sweep(spec, tmp_path / "two", workers=0)
    atlas = read_atlas(json.loads((run.out / CELLS).read_text()))
    figures = []
    monkeypatch.setattr(plots.plt, "close", figures.append)
    plots.plot_quantity(atlas, "pg", "fraction", np.zeros((2, 2, 2)), io.BytesIO())
    [fig] = figures
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        if ax.get_visible() and ax.get_xlabel():
            box = ax.xaxis.label.get_window_extent(renderer)
            assert box.y0 >= 0, ax.get_xlabel()
    plots.plt.close(fig)


def test_a_ctrl_c_while_local_workers_start_is_not_lost(monkeypatch):
    """A Ctrl-C that comes while the LocalCluster starts its workers stops the sweep
    once they are up (and closes them) instead of being dropped, which let the
    sweep run to its end with status 0; the workers started meanwhile see only a
    handler that does nothing (a Ctrl-C reaches the whole process group)."""
    import signal

    pytest.importorskip("distributed")
    import dask.distributed  # the names Cluster.start imports, bound before they are patched

    from eqselect.studies.sweep.cluster import Cluster, ClusterOptions

    closed, during = [], []

    class Starting:  # a LocalCluster whose start is hit by Ctrl-C
        def __init__(self, **kwargs):
            signal.raise_signal(signal.SIGINT)
            during.append(signal.getsignal(signal.SIGINT))

        def close(self, timeout=None):
            closed.append("cluster")

    class Connected:
        def __init__(self, cluster, **kwargs):
            pass

        def close(self, timeout=None):
            closed.append("client")

    monkeypatch.setattr(dask.distributed, "LocalCluster", Starting)
    monkeypatch.setattr(dask.distributed, "Client", Connected)
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        Cluster.start(ClusterOptions(workers=2))
    assert closed == ["client", "cluster"]
    assert during[0] not in (signal.SIG_IGN, signal.SIG_DFL, before)  # held, not ignored
    assert signal.getsignal(signal.SIGINT) is before


def test_a_game_of_three_actions_is_refused_by_name_before_any_file(tmp_path, capsys):
    """Under the direct parameterisation an agent of three actions has two probabilities
    on a simplex; the sweep's square grid of starts would leave it, so the sweep says
    so in one line (status 2) instead of a message about one start's probabilities."""
    from eqselect.cli import main

    game = tmp_path / "coord3.toml"
    game.write_text('name = "coord3"\nplayers = ["row", "col"]\n'
                    'actions = [["A", "B", "C"], ["A", "B", "C"]]\n'
                    'payoffs = [[["u", 0, 0], [0, 2, 0], [0, 0, 1]], '
                    '[["u", 0, 0], [0, 2, 0], [0, 0, 1]]]\n[symbols]\nu = 3\n')
    code = main(["sweep", str(game), "--param", "direct", "--over", "u=1:4:2", "--lam", "0:1:2",
                 "--grid", "3", "--steps", "5", "--workers", "0", "--no-verdicts",
                 "--out", str(tmp_path / "atlas")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "two actions per agent" in err and "3 actions" in err
    assert not (tmp_path / "atlas").exists()


@pytest.mark.parametrize("doc", [{"kind": "basins", "fraction": 0.5}, [], {"kind": "sweep"}])
def test_a_foreign_document_is_not_read_as_an_atlas(doc):
    """`read_atlas` on another command's JSON (or a damaged cells.json) says what it
    got in one error of the toolkit's kind, not a bare KeyError from deep inside."""
    from eqselect.studies.sweep.atlas import read_atlas

    with pytest.raises(OptionsError, match="not a sweep document"):
        read_atlas(doc)


def test_the_atlas_of_a_real_sweep_still_reads(atlas):
    from eqselect.studies.sweep.atlas import read_atlas

    out, cells = atlas
    read = read_atlas(json.loads((out / CELLS).read_text()))
    assert [c.fraction for c in read.cells] == [c["fraction"] for c in cells]
    assert read.shape == (2, 2, 2)
