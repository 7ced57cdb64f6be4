"""Signals turned into one line and a clean exit.

- SIGINT (Ctrl-C) raises ``KeyboardInterrupt`` as usual; SIGTERM raises
  `Terminated`. The command line catches both after cleanup has run (staging
  folders removed, the previous output left as it was) and prints one line:
  ``eqselect: interrupted`` (status 130) or ``eqselect: terminated`` (143).
- A signal whose exception Python swallows in a callback (garbage
  collection) is delivered again: see :func:`redeliver_swallowed`.
- The command's handlers are installed first thing in `eqselect.cli.main`,
  before the modules a command needs are imported (``eqselect.cli`` itself
  loads nothing heavier than argparse), so a signal while they load takes
  the same way out.
- Teardown: a signal that lands while an earlier one is being handled (its
  cleanup, its line) raises nothing, so the cleanup finishes and one line is
  printed; once the command has returned, the ``eqselect`` process keeps a
  handler that prints the line (unless one was printed) and exits with the
  signal's status; from the interpreter's exit handlers on, the signals are
  ignored and the command's own status stands. No signal ends the process
  silently: see :func:`command_handlers` and :func:`after_command`.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading

#: Exit status per signal (128 + the signal number, as shells report it).
STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143}
MESSAGE = {signal.SIGINT: "eqselect: interrupted", signal.SIGTERM: "eqselect: terminated"}


class Terminated(BaseException):
    """SIGTERM, turned into an exception so that cleanup runs."""


#: The signal whose line this run printed (None: none yet).
_SAID = {"signal": None}
#: Whether a command runs (set by `command_handlers`; `main` clears it with a
#: plain store, which no signal can interrupt, as its ``finally`` starts).
RUNNING = [False]


def say(sig) -> int:
    """Print the line of ``sig`` unless this run printed one; return the status
    of the signal whose line was printed."""
    if _SAID["signal"] is None:
        _SAID["signal"] = sig
        print(MESSAGE[sig], file=sys.stderr, flush=True)
    return STATUS[_SAID["signal"]]


def _tearing_down() -> bool:
    """Whether an earlier signal's exception is being handled (an ``except`` or
    ``finally`` block, a context manager's exit) or its line was printed."""
    return _SAID["signal"] is not None or isinstance(sys.exc_info()[1],
                                                     (KeyboardInterrupt, Terminated))


def command_signal(signum, frame):
    """The handler of SIGINT and SIGTERM around a command.

    While the command runs: KeyboardInterrupt or `Terminated`, so cleanup
    runs, unless an earlier signal is being handled (then nothing: its line
    comes). Once it has returned: in the ``eqselect`` process the line and
    the exit (`_exit_now`), elsewhere nothing.
    """
    if RUNNING[0]:
        if not _tearing_down():
            raise KeyboardInterrupt() if signum == signal.SIGINT else Terminated()
    elif _is_the_command():
        _exit_now(signum, frame)


def _exit_now(signum, frame):  # one line, no traceback
    try:
        sys.stdout.flush()
    except (OSError, ValueError):  # a closed or full stdout: the line still goes out
        pass
    if _SAID["signal"] is None:
        _SAID["signal"] = signum
        os.write(2, (MESSAGE[signum] + "\n").encode())
    os._exit(STATUS[_SAID["signal"]])


def command_handlers() -> dict:
    """Install the handlers of a running command (main thread only); returns the
    handlers to give back to :func:`after_command`."""
    _SAID["signal"] = None
    if threading.current_thread() is not threading.main_thread():
        return {}
    RUNNING[0] = True
    return {sig: signal.signal(sig, command_signal) for sig in STATUS}


def after_command(saved: dict) -> None:
    """When the command has returned: in the ``eqselect`` process a late signal
    prints its line (once) and exits with its status; elsewhere (a library
    user, a test runner) the handlers saved by :func:`command_handlers` return."""
    RUNNING[0] = False
    if not saved:
        return
    if _is_the_command():  # command_signal ends the process from here on
        atexit.unregister(_hold_late_signals)  # once, however many commands ran
        atexit.register(_hold_late_signals)
        return
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def _hold_late_signals() -> None:
    """At the interpreter's exit, the last Python code that runs: from here the
    signals are ignored, process-wide. The interpreter would otherwise give
    them their default action back, and one delivered to any of the
    process's threads (BLAS, numba) would end it silently; a signal that
    came before this point has printed its line (`command_signal`)."""
    for sig in STATUS:
        signal.signal(sig, signal.SIG_IGN)


def _is_the_command() -> bool:
    """Whether this process is the ``eqselect`` command (not a library user's
    interpreter, notebook kernel or test runner, whose signals are left alone)."""
    argv0 = (getattr(sys, "argv", None) or [""])[0]
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return os.path.basename(argv0) == "eqselect" or getattr(spec, "name", "") in (
        "eqselect.__main__", "eqselect.cli") or (argv0 == "-m" and spec is None)


def redeliver_swallowed(previous):
    """A ``sys.unraisablehook`` for the time a command runs.

    A signal's exception raised while Python runs a callback it cannot
    propagate from (a weakref callback or ``__del__`` during garbage
    collection) is swallowed there and printed as "Exception ignored in ...",
    and the command would go on. This hook prints nothing for those and
    sends the signal again 10 ms later, when the callback has returned, so
    it ends the command the usual way. A time budget's expiry is silenced
    too: its timer repeats and raises again where the command runs
    (`eqselect.theory.budget.is_timer_expiry`). Everything else goes to
    ``previous``.
    """
    def hook(unraisable):
        exc = unraisable.exc_value
        budget = sys.modules.get("eqselect.theory.budget")  # no budget loaded, no expiry
        if budget is not None and budget.is_timer_expiry(exc):
            return  # the budget's timer repeats: raised again in the command
        sig = (signal.SIGINT if isinstance(exc, KeyboardInterrupt)
               else signal.SIGTERM if isinstance(exc, Terminated) else None)
        if sig is None:
            previous(unraisable)
            return
        timer = threading.Timer(0.01, os.kill, (os.getpid(), sig))
        timer.daemon = True
        timer.start()

    return hook
