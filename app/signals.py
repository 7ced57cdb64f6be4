"""Signals turned into one line and a clean exit.

- SIGINT (Ctrl-C) raises ``KeyboardInterrupt`` as usual; SIGTERM raises
  `Terminated`. The command line catches both after cleanup has run (staging
  folders removed, the previous output left as it was) and prints one line:
  ``eqselect: interrupted`` (status 130) or ``eqselect: terminated`` (143).
- A signal whose exception Python swallows in a callback (garbage
  collection) is delivered again: see :func:`redeliver_swallowed`.
- The heavy modules are imported inside the command (`eqselect.cli.main`),
  so a signal while they load takes the same way out.
"""

from __future__ import annotations

import os
import signal
import threading

#: Exit status per signal (128 + the signal number, as shells report it).
STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143}
MESSAGE = {signal.SIGINT: "eqselect: interrupted", signal.SIGTERM: "eqselect: terminated"}


class Terminated(BaseException):
    """SIGTERM, turned into an exception so that cleanup runs."""


def raise_terminated(signum, frame):
    """The SIGTERM handler installed while a command runs."""
    raise Terminated()


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
