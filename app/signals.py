"""Signals turned into one line and a clean exit.

- SIGINT (Ctrl-C) raises ``KeyboardInterrupt`` as usual; SIGTERM raises
  `Terminated`. The command line catches both after cleanup has run (staging
  folders removed, the previous output left as it was) and prints one line:
  ``eqselect: interrupted`` (status 130) or ``eqselect: terminated`` (143).
- A signal whose exception Python swallows in a callback (garbage
  collection) is delivered again: see :func:`redeliver_swallowed`.
- While the package's heavy modules are imported (about a second, before any
  cleanup can be needed) either signal ends the process at once with the same
  line and status: see :func:`guard_imports`.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

#: Exit status per signal (128 + the signal number, as shells report it).
STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143}
MESSAGE = {signal.SIGINT: "eqselect: interrupted", signal.SIGTERM: "eqselect: terminated"}


class Terminated(BaseException):
    """SIGTERM, turned into an exception so that cleanup runs."""


def raise_terminated(signum, frame):
    """The SIGTERM handler installed while a command runs."""
    raise Terminated()


def _exit_now(signum, frame):  # one line, no traceback
    sys.stderr.write(MESSAGE[signum] + "\n")
    os._exit(STATUS[signum])


def _is_the_command() -> bool:
    """Whether this process is the ``eqselect`` command (not a library user's
    interpreter, notebook kernel or test runner, whose signals are left alone)."""
    argv0 = (getattr(sys, "argv", None) or [""])[0]
    return os.path.basename(argv0) == "eqselect" or argv0 == "-m" \
        or argv0.endswith("__main__.py")


def start_import_guard() -> dict:
    """In the ``eqselect`` command, make SIGINT and SIGTERM end the process with
    one line; returns the handlers to restore with :func:`stop_import_guard`."""
    if threading.current_thread() is not threading.main_thread() or not _is_the_command():
        return {}
    return {sig: signal.signal(sig, _exit_now) for sig in STATUS}


def stop_import_guard(saved: dict) -> None:
    """Restore the handlers saved by :func:`start_import_guard`."""
    for sig, handler in saved.items():
        if signal.getsignal(sig) is _exit_now:
            signal.signal(sig, handler)


def redeliver_swallowed(previous):
    """A ``sys.unraisablehook`` for the time a command runs.

    A signal's exception raised while Python runs a callback it cannot
    propagate from (a weakref callback or ``__del__`` during garbage
    collection) is swallowed there and printed as "Exception ignored in ...",
    and the command would go on. This hook prints nothing for those and
    sends the signal again 10 ms later, when the callback has returned, so
    it ends the command the usual way; everything else goes to ``previous``.
    """
    def hook(unraisable):
        exc = unraisable.exc_value
        sig = (signal.SIGINT if isinstance(exc, KeyboardInterrupt)
               else signal.SIGTERM if isinstance(exc, Terminated) else None)
        if sig is None:
            previous(unraisable)
            return
        timer = threading.Timer(0.01, os.kill, (os.getpid(), sig))
        timer.daemon = True
        timer.start()

    return hook
