"""Which loop steps a basin problem when none is named: the fastest correct one.

A `BasinProblem` with ``kernel="auto"`` (the default) runs on the fused
numba kernel (`eqselect.numerics.dynamics.kernels.fused`) or on the numpy
reference (`eqselect.numerics.dynamics.schedules.run_schedule`), whichever
finishes first. Both compute the same schedule; the kernel's outcomes agree
with the reference's start for start on closed-form fields (the tests of
``kernels/`` compare them), so the choice changes the time, not the map.

The kernel pays a fixed price in every process before its first step:
loading its machine code from the disk cache, about 0.05 s
(`eqselect.numerics.dynamics.kernels.machine_code`; 0.8 s of CPU where
numba itself must load it), and compiling it into an empty cache costs
1-3 s, once. After that it steps a start 5-8 times faster than the numpy
reference. The choice depends on the problem only, never on what the cache
holds, so a map says the same ``kernel`` in every process. Hence:

- a discrete schedule with at least `NUMBA_MIN_WORK` start-steps, or a
  game with more than `SMALL_DIMENSION` parameters (whose closed-form field
  the numpy reference evaluates slowly and compiles for seconds; the IPD's
  kernel steps its Markov chain instead), runs on the kernel;
- a small map of a small game (the paper's 21 x 21 grid of Stag Hunt: 61 740
  start-steps, under 0.1 s in numpy) runs on the numpy reference;
- the flow, and a gradient source without a kernel of its own, run on
  numpy, their only loop;
- numba missing where the kernel was due: numpy, with a note saying so.

A problem asking for float32 (``precision="float32"``) runs on the kernel
whatever its size: float32 is a form of the compiled kernel only.

Inside the kernel, `choose_layout` picks the loop's layout: the block
layout (`eqselect.numerics.dynamics.kernels.simd`, 16 starts in structure of
arrays, vectorised) wherever the field is straight-line code on the clip or
the box, the lanes layout (one start at a time, 4 interleaved) for the
simplex projection and for fields called as native code. The kernel module
records the layout it was built with in ``LAYOUT`` ("block16-float64",
"block16-float32" or "lanes4"); the map's ``kernel`` stays "numba".

A rule without a compiled form (SOS, whose weight p is chosen pointwise)
is handed to the kernel path whatever its size: that path runs numpy and
says why in a note (`eqselect.numerics.dynamics.basins`), without importing
numba.
"""

from __future__ import annotations

import importlib.util

from eqselect.theory.errors import GameError

#: Start-steps from which the compiled kernel beats the numpy reference on a
#: small closed-form field (Stag Hunt: numpy about 60 ns a start-step, the
#: kernel about 10 ns after a fixed 0.8 s).
NUMBA_MIN_WORK = 10_000_000
#: Games with more parameters than this always take the kernel.
SMALL_DIMENSION = 4

KERNEL_CHOICES = ("auto", "numpy", "numba")
#: Floating-point types of the compiled kernel (float32: 8 lanes a vector).
PRECISIONS = ("float64", "float32")
#: Layouts of the compiled kernel's loop ("auto": `choose_layout` decides).
LAYOUTS = ("auto", "block", "lanes")
#: Fields with more common subexpressions than this are compiled by symengine and
#: called from the kernel's loop as native code (`eqselect.numerics.dynamics.
#: kernels.native`): numba compiles long straight-line functions slowly.
NATIVE_LINES = 400


def numba_installed() -> bool:
    """Whether numba can be imported (found without importing it)."""
    return importlib.util.find_spec("numba") is not None


def _discrete(schedule) -> bool:
    return schedule != "flow"


def choose_kernel(problem, n_starts: int) -> tuple[str, tuple[str, ...]]:
    """(kernel, notes): the loop that runs ``problem`` over ``n_starts`` starts.

    Parameters
    ----------
    problem : BasinProblem
        ``problem.kernel`` "numpy" or "numba" is kept as asked; "auto" is
        decided as the module docstring says.
    n_starts : int

    Returns
    -------
    kernel : {"numpy", "numba"}
    notes : tuple of str
        Why the kernel that was due did not run (numba not installed).

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> small = NS(kernel="auto", schedule="paper", source=None, steps=140,
    ...            game=NS(parameters=(1, 2)), rule=NS(spec=NS(adaptive=False)))
    >>> choose_kernel(small, 441)
    ('numpy', ())
    """
    if problem.kernel != "auto":
        return problem.kernel, ()
    if not _discrete(problem.schedule):
        return "numpy", ()
    if problem.source is not None and not hasattr(problem.source, "compiled"):
        return "numpy", ()
    if problem.rule.spec.adaptive:
        return "numba", ()
    if getattr(problem, "precision", "float64") != "float64":
        if not numba_installed():
            return "numpy", ("float32 needs the compiled kernel and numba is not installed: "
                             "the numpy kernel ran in float64",)
        return "numba", ()
    large = (n_starts * int(problem.steps) >= NUMBA_MIN_WORK
             or len(problem.game.parameters) > SMALL_DIMENSION)
    if not large:
        return "numpy", ()
    if not numba_installed():
        return "numpy", ("numba is not installed, so the numpy kernel ran "
                         "(pip install numba for the compiled one)",)
    return "numba", ()


def choose_layout(layout: str, precision: str, block_applies: bool) -> str:
    """"block" or "lanes": the compiled kernel's loop for a field (module docstring).

    Parameters
    ----------
    layout : "auto", "block" or "lanes"
        What was asked ("auto": the block wherever it applies).
    precision : "float64" or "float32"
        float32 exists in the block layout only.
    block_applies : bool
        Whether the field is straight-line code on the clip or the box.

    Raises
    ------
    GameError
        The block layout (or float32) asked where it does not apply.

    Examples
    --------
    >>> choose_layout("auto", "float64", True), choose_layout("auto", "float64", False)
    ('block', 'lanes')
    """
    if layout == "lanes" and precision == "float64":
        return "lanes"
    if block_applies:
        return "block"
    if layout == "block" or precision != "float64":
        raise GameError("the block kernel needs a field of scalar lines on the clip or the "
                        "box (not the simplex projection, not a native field)")
    return "lanes"


__all__ = ["KERNEL_CHOICES", "LAYOUTS", "NUMBA_MIN_WORK", "PRECISIONS", "SMALL_DIMENSION",
           "choose_kernel", "choose_layout", "numba_installed"]
