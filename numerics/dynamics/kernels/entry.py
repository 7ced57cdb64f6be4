"""The Python entry point of a generated basin kernel: machine code first, numba else.

A kernel module (`eqselect.numerics.dynamics.kernels.source`,
`eqselect.numerics.dynamics.kernels.chain`) defines, in plain Python, the
schedule ``lr(k)``, the annealing ``lam_k(k)``, the loop ``_run(x0, rates,
lams, q, final, first_hit, *work)``, the work arrays the loop uses
(``WORK``: (length, dtype) pairs, allocated by the caller so that the
compiled loop allocates nothing) and ``_compiled()``, which imports numba
and the numba functions the loop calls and returns the loop compiled. Its
last line is ``run = KernelEntry(globals(), __file__)``, the function every
caller uses:

    run(x0, steps, q, final, first_hit, start=0)

computes lr_k and lambda_k for k = start .. start + steps - 1 in Python
floats (as the numpy reference does) and calls the compiled loop. The
first call in a process finds the loop as

1. the machine code beside the module (``k_<key>.o``,
   `eqselect.numerics.dynamics.kernels.machine_code`): numba is not
   imported at all;
2. else numba's compiled function (compiled, or loaded from numba's cache,
   under the kernel's lock, `eqselect.numerics.dynamics.kernels.cache.
   key_lock`), whose machine code is then written, loaded and run, so that
   the compiling process and every later one run the same code; a
   loop that cannot be kept that way (it calls numba's runtime) leaves
   ``k_<key>.numba`` with the reason, and runs on numba from then on.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from eqselect.numerics.dynamics.kernels import machine_code
from eqselect.numerics.dynamics.kernels.cache import key_lock

__all__ = ["KernelEntry"]


class KernelEntry:
    """``run(x0, steps, q, final, first_hit, start=0)`` of a kernel module (module docstring).

    Attributes
    ----------
    route : str or None
        "machine code" or "numba" once the loop is loaded; None before.
    """

    def __init__(self, namespace: dict, file: str):
        self._ns, self._path = namespace, Path(file)
        self._loop, self.route = None, None
        self._lock = threading.Lock()

    @property
    def object_path(self) -> Path:
        return self._path.with_suffix(".o")

    def __call__(self, x0, steps, q, final, first_hit, start=0) -> None:
        ns, ks = self._ns, range(int(start), int(start) + int(steps))
        rates = np.array([ns["lr"](k) for k in ks], dtype=float)
        lams = np.array([ns["lam_k"](k) for k in ks], dtype=float)
        work = [np.empty(size, dtype=dtype) for size, dtype in ns["WORK"]]
        args = (x0, rates, lams, np.ascontiguousarray(q, dtype=float), final, first_hit,
                *work, *ns.get("EXTRA", ()))
        self._function(args)(*args)

    def _function(self, args):
        if self._loop is None:
            with self._lock:  # the chunks of one call start on several threads at once
                if self._loop is None:
                    self._loop = self._load(args)
        return self._loop

    def _load(self, args):
        """The loop: machine code from disk, else numba's (writing the machine code)."""
        refusal = self._path.with_suffix(".numba")
        loop = None if refusal.exists() else self._machine_code()
        if loop is None:
            with key_lock(self._path):  # another process may be writing it
                loop = None if refusal.exists() else self._machine_code()
                if loop is None:
                    loop = self._numba(args, refusal)
        return loop

    def _machine_code(self):
        """The loop from the object file beside the module, or None."""
        loop = machine_code.load(self.object_path)
        if loop is not None:
            self.route = "machine code"
        return loop

    def _numba(self, args, refusal: Path):
        """Compile (or load) the loop with numba for ``args``' types; keep its machine code
        for the next process, or the reason it cannot be kept. Runs under the key's lock."""
        import numba

        dispatcher = self._ns["_compiled"]()
        signature = tuple(numba.typeof(a) for a in args)
        dispatcher.compile(signature)
        self.route = "numba"
        if refusal.exists():
            return dispatcher
        symbol = "eqselect_" + self._path.stem
        why = machine_code.export(dispatcher.overloads[signature], self.object_path, symbol)
        if why is not None:
            try:
                refusal.write_text(why + "\n")
            except OSError:
                pass
            return dispatcher
        return self._machine_code() or dispatcher
