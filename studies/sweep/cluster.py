"""The dask cluster a sweep runs on: reached, checked and closed within bounds.

1. An existing scheduler (``--scheduler ADDRESS``) is first asked who it is
   over one plain connection, under ``connect_timeout`` seconds in all: an
   address that is malformed, unreachable, or answered by something that is
   not a dask scheduler (a web server, the dashboard's port) is one
   `OptionsError` line, before any client, folder or file exists.
2. A LocalCluster (``workers`` processes, one thread each, loopback only, no
   dashboard, forked from the client where the system can fork, so that they
   start with the toolkit loaded) is started with Ctrl-C held (`_SigintHeld`):
   its processes never act on a Ctrl-C, which reaches the whole process
   group; only the client answers it (with one line, also for a Ctrl-C that
   came while the workers started) and closes the cluster.
3. Before the first task, every worker says which eqselect it has
   (`eqselect.studies.sweep.probe`); a worker without eqselect, or with
   another version than the client, is one `ClusterError` line. Tasks check
   the version again, for workers that join later.
4. Closing never raises and never waits without bound; dask's own logs are
   silenced while the sweep runs, so a failure is the sweep's one line.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

from eqselect.theory.budget import SWEEP_CONNECT_TIMEOUT, SWEEP_MAX_CONNECT_TIMEOUT
from eqselect.theory.errors import OptionsError
from eqselect.theory.serialize import package_version

from eqselect.studies.sweep import probe

#: Seconds given to closing the client and the cluster.
CLOSE_TIMEOUT = 5.0
#: LocalCluster workers are forked from the client where the system can fork:
#: they start with eqselect and the game already loaded (measured on a loaded
#: 2-core machine: 1.5 s to two checked workers, against 18 s for spawned ones,
#: which import the toolkit again).
_START_METHOD = ({"distributed.worker.multiprocessing-method": "fork"}
                 if hasattr(os, "fork") else {})


class ClusterError(RuntimeError):
    """The cluster failed the sweep (workers died, none joined, another eqselect).

    One line; the command exits with status 1 and the chunks stored so far
    stay (rerun the same command to resume)."""


@dataclass(frozen=True)
class ClusterOptions:
    """Where a sweep's cells are computed.

    Attributes
    ----------
    workers : int or None
        0: serially in this process; n: a LocalCluster of n processes;
        None: one LocalCluster process per core.
    scheduler : str or None
        Address of an existing dask scheduler (``workers`` is then ignored).
    connect_timeout : float
        Seconds to reach the scheduler and to see a worker, in (0, 600].
    """

    workers: int | None = None
    scheduler: str | None = None
    connect_timeout: float = SWEEP_CONNECT_TIMEOUT

    def __post_init__(self):
        t = float(self.connect_timeout)
        if not 0 < t <= SWEEP_MAX_CONNECT_TIMEOUT:
            raise OptionsError(f"--connect-timeout must be in (0, {SWEEP_MAX_CONNECT_TIMEOUT:g}] "
                               f"seconds, got {self.connect_timeout}")
        object.__setattr__(self, "connect_timeout", t)
        if self.scheduler is not None and (not isinstance(self.scheduler, str)
                                           or not self.scheduler.strip()
                                           or len(self.scheduler) > 300):
            raise OptionsError(f"--scheduler needs an address such as tcp://HOST:PORT, got "
                               f"{str(self.scheduler)[:60]!r}")

    @property
    def serial(self) -> bool:
        """Whether the cells run in this process."""
        return self.workers == 0 and self.scheduler is None


async def _identity(address: str, timeout: float) -> dict:
    from distributed.comm import connect

    comm = await connect(address, timeout=timeout)
    try:
        await comm.write({"op": "identity", "reply": True})
        return await comm.read()
    finally:
        comm.abort()


def _check_address(address: str) -> None:
    """Refuse an address dask cannot read or that no other process can reach.

    Raises
    ------
    ValueError
        Unknown scheme, no HOST:PORT where the scheme needs one, or ``inproc://``
        (a scheduler inside one process only).
    """
    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port
    from distributed.comm.registry import get_backend

    scheme, location = parse_address(address)
    get_backend(scheme)
    if scheme == "inproc":
        raise ValueError("inproc:// names a scheduler inside one process")
    if scheme in ("tcp", "tls", "ws", "wss"):
        parse_host_port(location)


def check_scheduler(address: str, timeout: float) -> None:
    """Refuse ``address`` unless a dask scheduler answers there within ``timeout`` s.

    The address is read first, so that an answer dask cannot decode (a server
    speaking another protocol sends bytes that read as absurd frame sizes) is
    told apart from a malformed address.

    Raises
    ------
    OptionsError
        Malformed, unreachable, or not a dask scheduler (one line).
    """
    shown = address[:80]
    try:
        _check_address(address)
    except (ValueError, TypeError) as exc:
        raise OptionsError(f"--scheduler {shown!r} is not a dask scheduler address "
                           f"(tcp://HOST:PORT): {exc}") from None
    try:
        reply = asyncio.run(asyncio.wait_for(_identity(address, timeout), timeout))
    except (asyncio.TimeoutError, TimeoutError):
        raise OptionsError(f"--scheduler {shown!r}: no dask scheduler answered within "
                           f"{timeout:g} s (--connect-timeout)") from None
    except (ValueError, MemoryError, OverflowError) as exc:  # undecodable frames
        raise OptionsError(f"--scheduler {shown!r} answered, but is not a dask scheduler "
                           f"(its answer does not decode: {type(exc).__name__})") from None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 -- refused, reset, misconfigured: one line
        raise OptionsError(f"--scheduler {shown!r}: cannot reach a dask scheduler there "
                           f"({type(exc).__name__}: {str(exc)[:120]})") from None
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        raise OptionsError(f"--scheduler {shown!r} answered, but is not a dask scheduler")


#: The logger families a sweep silences: dask's, its network layer's and asyncio's.
_QUIET = ("distributed", "tornado", "asyncio")


def _dask_loggers() -> list:
    """The loggers of `_QUIET` and every existing logger below them: dask's logging
    configuration gives some children (``distributed.client``, ``tornado.application``)
    their own level and handler without propagation, so silencing the parents
    alone would let a child print a traceback (a lost scheduler)."""
    names = set(_QUIET) | {n for n, lg in list(logging.Logger.manager.loggerDict.items())
                           if isinstance(lg, logging.Logger)
                           and n.split(".", 1)[0] in _QUIET}
    return [logging.getLogger(n) for n in sorted(names)]


@contextmanager
def quiet_dask():
    """Silence dask's loggers in this process for the block, and its warning that
    port 8787 is taken: the scheduler serves HTTP there (health checks, metrics)
    even without a dashboard and moves to a free port when another program
    holds it; a sweep uses no dashboard, so the move changes nothing, and the
    warning would break the one-line / quiet-under --json contract."""
    loggers = _dask_loggers()
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Port \d+ is already in use",
                                    category=UserWarning)
            yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


class _SigintHeld:
    """Ctrl-C held while worker processes start, then delivered.

    Inside the block SIGINT only sets a flag. The workers are forked inside it, so
    they keep that handler and never stop on the Ctrl-C that reaches the whole
    process group (the command closes them); a Ctrl-C that reached this process
    meanwhile is raised again by `deliver` through the handler that was in place,
    so it is not lost (ignoring the signal here would drop it and let the sweep
    run to its end). Off the main thread nothing is changed.
    """

    def __init__(self):
        self.seen = False
        self._previous = None

    def _record(self, signum, frame):
        self.seen = True

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._record)
        return self

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False

    def deliver(self) -> None:
        """Raise the held Ctrl-C, if one came, through the restored handler."""
        if self.seen and self._previous is not None:
            self.seen = False
            signal.raise_signal(signal.SIGINT)


def _bounded(fn, timeout: float, message: str):
    """``fn()`` in a daemon thread, waited for at most ``timeout`` seconds.

    Raises
    ------
    ClusterError
        With ``message`` when ``fn`` has not returned in time (the thread is
        left behind and does not keep the process alive).
    """
    out = {}

    def call():
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 -- re-raised in the caller's thread
            out["error"] = exc

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise ClusterError(message)
    if "error" in out:
        raise out["error"]
    return out["value"]


class Cluster:
    """A connected dask client (and the LocalCluster it owns, if any)."""

    def __init__(self, client, cluster=None):
        self.client, self.cluster = client, cluster

    @classmethod
    def start(cls, options: ClusterOptions) -> "Cluster":
        """Connect (steps 1 and 2 of the module docstring); refuse what cannot be used."""
        import dask
        from dask.distributed import Client, LocalCluster

        if options.scheduler is not None:
            check_scheduler(options.scheduler, options.connect_timeout)
            try:
                client = Client(options.scheduler, timeout=options.connect_timeout,
                                set_as_default=True)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # noqa: BLE001
                raise OptionsError(f"--scheduler {options.scheduler[:80]!r}: cannot connect "
                                   f"({type(exc).__name__}: {str(exc)[:120]})") from None
            return cls(client)
        held = _SigintHeld()
        with held, dask.config.set(_START_METHOD):
            cluster = LocalCluster(n_workers=options.workers, threads_per_worker=1,
                                   processes=True, host="127.0.0.1", dashboard_address=None,
                                   silence_logs=logging.CRITICAL)
            try:
                client = Client(cluster, set_as_default=True)
            except BaseException:
                cluster.close(timeout=CLOSE_TIMEOUT)
                raise
        started = cls(client, cluster)
        try:
            held.deliver()
        except BaseException:
            started.close()
            raise
        return started

    def n_workers(self) -> int:
        """Workers connected now (0 when the scheduler is gone)."""
        try:
            return len(self.client.nthreads())
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # noqa: BLE001 -- a lost scheduler has no workers
            return 0

    def check_workers(self, timeout: float) -> int:
        """Step 3: wait up to ``timeout`` s for a worker, then check every worker's
        eqselect; returns the number of workers.

        Raises
        ------
        ClusterError
            No worker joined, or a worker has no eqselect or another version.
        """
        try:
            self.client.wait_for_workers(1, timeout=timeout)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # noqa: BLE001
            raise ClusterError(f"no dask worker joined the scheduler within {timeout:g} s "
                               f"(--connect-timeout)") from None
        import cloudpickle

        cloudpickle.register_pickle_by_value(sys.modules[probe.__name__])
        answers = _bounded(lambda: self.client.run(probe.worker_eqselect, on_error="return"),
                           timeout, f"the dask workers did not all answer within {timeout:g} s "
                                    f"(--connect-timeout)")
        mine = package_version()
        for worker, answer in sorted(answers.items()):
            if not isinstance(answer, str) or answer.startswith("!"):
                raise ClusterError(f"dask worker {worker} cannot run eqselect: "
                                   f"{str(answer).lstrip('!')[:200]}")
            if answer != mine:
                raise ClusterError(f"dask worker {worker} runs eqselect {answer}, this client "
                                   f"{mine}; install the same version on every worker")
        return len(answers)

    def close(self) -> None:
        """Close the client and the LocalCluster; never raises."""
        for thing in (self.client, self.cluster):
            if thing is None:
                continue
            try:
                thing.close(timeout=CLOSE_TIMEOUT)
            except BaseException:  # noqa: BLE001 -- closing is best effort, bounded
                pass


class ClusterHandle:
    """The cluster of one sweep command: started (and its workers checked) on first
    use, so a sweep with nothing left to compute starts none; closed by
    `open_cluster`. Serial options never start one."""

    def __init__(self, options: ClusterOptions):
        self.options, self._cluster = options, None

    def get(self) -> Cluster | None:
        """The started, checked cluster (None for a serial sweep).

        Raises
        ------
        OptionsError, ClusterError
            See `Cluster.start` and `Cluster.check_workers`.
        """
        if self.options.serial:
            return None
        if self._cluster is None:
            cluster = Cluster.start(self.options)
            try:
                cluster.check_workers(self.options.connect_timeout)
            except BaseException:
                cluster.close()
                raise
            self._cluster = cluster
        return self._cluster

    @property
    def client(self):
        """The dask client when the cluster was started, else None (never starts it)."""
        return None if self._cluster is None else self._cluster.client

    def close(self) -> None:
        """Close the cluster if it was started; never raises."""
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def _configure_dask_logging() -> None:
    """Import dask.distributed before its loggers are silenced: the import sets the
    levels of its configuration, which would otherwise undo `quiet_dask` for the
    loggers it names. Without dask nothing is done (`Cluster.start` says so)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        pass


@contextmanager
def open_cluster(options: ClusterOptions):
    """A `ClusterHandle` for the block, dask's logs silenced, closed at the end."""
    handle = ClusterHandle(options)
    if not options.serial:
        _configure_dask_logging()
    with quiet_dask():
        try:
            yield handle
        finally:
            handle.close()
