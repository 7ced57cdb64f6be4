"""Fused compiled basin kernels: a rule's field and schedule generated as numba code.

`run_kernel` advances every start through all steps of a discrete schedule
in compiled code, in parallel over the starts (chunks of starts on one
thread per core, the compiled loop releasing the GIL), with no Python work
per step and no temporaries over the grid; the starts are streamed in
chunks, so memory stays flat as the grid grows. It computes
exactly what `eqselect.numerics.dynamics.schedules.run_schedule` computes
(the numpy reference, which stays the fallback): for k = 0 .. K - 1,

    u_k = F_0(theta_k) + lambda_k (F_1(theta_k) - F_0(theta_k))   (annealed)
    u_k = F(theta_k)                                               (otherwise)
    theta_{k+1} = proj(theta_k + lr_k u_k),  lr_k = base / (k + offset)^power,

with proj the clip to [-clip, clip] (logits), the box [0, 1]^d, or the
Euclidean projection onto each capped simplex block (direct), and it
records the first k at which the paper's success predicate holds (every
agent's probability of its first action in the first state >= threshold).

The generated text is `eqselect.numerics.dynamics.kernels.source.
kernel_source`, in one of two layouts (`KernelForm`, chosen by
`eqselect.numerics.dynamics.kernels.choice.choose_layout`): blocks of
starts stepped by a vectorised loop (`eqselect.numerics.dynamics.kernels.
simd`, float64 or float32) or one start at a time; the disk cache is
`eqselect.numerics.dynamics.kernels.cache` (keyed by a hash of the field
after common-subexpression elimination, the schedule, the region, the
predicate, the form and the text of ``vexp.py``). A float32 run is checked
against float64 on a sample of its starts (`float32_check`). A field may keep symbols
(payoffs, lambda) as run-time values (`compiled_kernel` with ``extras``):
such a kernel is compiled once per game, method and schedule and reused
for every value, as the sweeps do (`KernelRun`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import symengine as se

from eqselect.theory import PAPER, GameError
from eqselect.theory.engine import to_engine
from eqselect.numerics.disk_cache import digest
from eqselect.numerics.dynamics.kernels.cache import FORMAT, cached_kernel
from eqselect.numerics.dynamics.kernels.run import CHUNK, available, run_compiled, threads
from eqselect.numerics.dynamics.kernels.source import (
    KernelForm, KernelSpec, annealing_code, form_files, schedule_code)

__all__ = ["CHECK_SAMPLE", "KernelForm", "KernelSpec", "available", "compiled_kernel",
           "float32_check", "form_kernel", "kernel_key", "problem_kernel",
           "problem_kernel_values", "run_compiled", "run_kernel"]

def _spec(fields, parameters, schedule, annealing, region, coop, threshold, extras,
          form=KernelForm()) -> str:
    """Everything a kernel's text depends on, cheap to compute for large fields.

    The field enters through its common-subexpression form (symengine's
    ``cse`` works on the shared expression graph, whereas printing the
    expression tree of a field like the discounted IPD's takes minutes).
    """
    names = [str(s) for s in parameters] + ["|"] + [str(s) for s in extras]
    reps, reduced = se.cse([to_engine(e) for f in fields for e in f])
    lr_code, clip = schedule_code(schedule)
    blocks = getattr(region, "blocks", None)
    return "\n".join([
        " ".join(names), str(len(fields)), *(f"{s} = {v}" for s, v in reps),
        *(str(e) for e in reduced), "coop", *(str(to_engine(c)) for c in (coop or [])),
        f"{coop is None} {float(threshold)!r}", lr_code, repr(clip),
        annealing_code(annealing), f"{region.kind} {blocks!r}",
        f"form {form.layout} {form.precision}", _vexp_text_digest()])


def _vexp_text_digest() -> str:
    """SHA-256 of ``vexp.py``: numba's cache of a kernel does not see changes in the
    exponential it inlines, so the kernel's key does."""
    if not _VEXP_DIGEST:  # read beside this file: importing vexp would import numba
        text = Path(__file__).with_name("vexp.py").read_bytes()
        _VEXP_DIGEST.append(hashlib.sha256(text).hexdigest())
    return _VEXP_DIGEST[0]


_VEXP_DIGEST: list = []


def kernel_key(fields, parameters, schedule, annealing, region, coop=None,
               threshold: float = PAPER.success, extras=()) -> str:
    """The disk-cache key of a kernel (parameters of `kernel_source`), without building it."""
    return digest(FORMAT + "\n" + _spec(fields, parameters, schedule, annealing, region, coop,
                                         threshold, extras))


def compiled_kernel(fields, parameters, schedule, annealing, region, coop=None,
                    threshold: float = PAPER.success, extras=()):
    """The kernel module of a field and schedule, from the disk cache or generated once.

    Parameters are those of `kernel_source`. The module's ``run(x0, steps,
    q, final, first_hit)`` reads the values of ``extras`` from ``q``.
    """
    return form_kernel(KernelSpec(fields, parameters, schedule, annealing, region, coop,
                                  threshold, extras))


def form_kernel(spec: KernelSpec, form: KernelForm = KernelForm()):
    """`compiled_kernel` of a `KernelSpec` in a `KernelForm` (layout, precision)."""
    s = spec
    key = _spec(s.fields, s.parameters, s.schedule, s.annealing, s.region, s.coop,
                s.threshold, s.extras, form)
    return cached_kernel(key, lambda: form_files(spec, form))


#: Kernel modules already found in this process, by (decomposition, rule,
#: schedule, predicate): the field's derivation and cse are then skipped.
_MODULES: dict = {}


def problem_kernel(problem, sched, with_success: bool, form: KernelForm = KernelForm()):
    """The kernel module of a basin problem's rule, schedule and region."""
    return problem_kernel_values(problem, sched, with_success, form)[0]


def problem_kernel_values(problem, sched, with_success: bool,
                          form: KernelForm = KernelForm()) -> tuple:
    """(kernel module, its run-time values ``q``) of a basin problem.

    ``form`` other than the default applies to the generic kernel only (the
    IPD's chain kernel has one form).
    """
    rule = problem.rule
    key = (id(problem.dec), rule.method, rule.lam, rule.own_coef, repr(rule.annealing),
           repr(sched), with_success, form)
    if key not in _MODULES or _MODULES[key][0] is not problem.dec:
        _MODULES[key] = (problem.dec, _problem_module(problem, sched, with_success, form))
    return _MODULES[key][1]


def _problem_module(problem, sched, with_success: bool, form: KernelForm) -> tuple:
    from eqselect.numerics.dynamics.kernels.chain import chain_kernel
    from eqselect.numerics.sources.symbolic import SymbolicSource

    threshold = float(PAPER.success)  # the paper's success predicate
    structured = chain_kernel(problem, sched, with_success, threshold)
    if structured is not None:  # the IPD on its Markov chain
        if form.precision != "float64":
            raise GameError("the IPD's chain kernel steps in float64 only (no float32 form)")
        return structured
    rule, game = problem.rule, problem.game
    src = SymbolicSource(problem.dec)
    fields = ((src.field_expressions(rule),) if rule.annealing is None else
              (src.field_expressions(rule.with_(lam=0)), src.field_expressions(rule.with_(lam=1))))
    coop = [s[0] for s in game.strategies] if with_success else None
    return form_kernel(KernelSpec(fields, game.parameters, sched, rule.annealing, game.region,
                                  coop, threshold), form), ()


def run_kernel(problem, sched, x0, success, progress=None):
    """Step every start of a basin problem with its compiled kernel.

    The paper's success predicate (the judge's ``success_predicate`` None) is compiled in;
    any other predicate is evaluated on the end points only, so first-hit
    steps are then unknown (-1) and a note says so.

    Returns
    -------
    final : ndarray, shape (n, d)
    first_hit : ndarray of int, shape (n,)
    notes : tuple of str
    """
    if not available():
        raise GameError("the compiled kernel needs numba (pip install numba); "
                        "use the numpy kernel")
    builtin_success = problem.judge.success_predicate is None and success is not None
    precision = getattr(problem, "precision", "float64")
    if precision == "float32" and int(problem.steps) > 1 << 24:
        raise GameError("the float32 kernel records first-hit steps up to 2^24 (a float32 "
                        f"counts integers exactly that far); got steps = {problem.steps}")
    module, values = problem_kernel_values(problem, sched, builtin_success,
                                           KernelForm(precision=precision))
    final, hit = run_compiled(module, x0, int(problem.steps), values, progress)
    notes = []
    if precision != "float64":
        notes.append(float32_check(problem, sched, x0, (final, hit), builtin_success))
    if success is not None and not builtin_success:
        hit[:] = -1
        notes.append("first-hit steps are not recorded for a custom success predicate "
                     "on the compiled kernel")
    bad = int(np.sum(~np.isfinite(final).all(axis=1)))
    if bad:
        notes.append(f"{bad} trajectories became non-finite")
    return final, hit, tuple(notes)


#: Starts of a float32 run stepped again in float64 to count differing outcomes.
CHECK_SAMPLE = 4096


def float32_check(problem, sched, x0, run, builtin_success: bool) -> str:
    """A note: how many sampled starts end differently in float32 than in float64.

    The sample is every s-th start from the first, s = ceil(n / `CHECK_SAMPLE`)
    (all starts when n <= `CHECK_SAMPLE`), stepped again by the float64 block
    kernel from the same starting points. An outcome is the success predicate
    (reached or not) when the kernel tests it, else the end point: one whose
    coordinates differ by more than ``problem.tol`` counts as differing.
    """
    final, hit = run
    stride = max(1, -(-len(x0) // CHECK_SAMPLE))
    rows = np.arange(0, len(x0), stride)
    module, values = problem_kernel_values(problem, sched, builtin_success, KernelForm("block"))
    f64, h64 = run_compiled(module, np.ascontiguousarray(x0)[rows], int(problem.steps), values)
    if builtin_success:
        differ, what = int(np.sum((h64 >= 0) != (hit[rows] >= 0))), "success"
    else:
        differ = int(np.sum(np.abs(f64 - final[rows]).max(axis=1) > problem.tol))
        what = f"end point (by more than tol = {problem.tol})"
    which = "all starts" if stride == 1 else f"one start in {stride}, from the first"
    return (f"float32 kernel: {differ} of {len(rows)} starts ({which}) differ in {what} "
            "from a float64 run of the same starts")
