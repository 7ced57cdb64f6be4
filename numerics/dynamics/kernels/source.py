"""The text of a fused basin kernel: field, schedule, projection and predicate in one loop.

Two layouts share the header, the schedule and the field's lines
(`KernelForm`): the block layout of `eqselect.numerics.dynamics.kernels.simd`
(16 starts in structure of arrays, a vectorised loop; the default for a
field of scalar lines on the clip or the box) and the lanes layout this
module writes, described below (the simplex projection, native fields).

`kernel_source` writes one module whose ``run(x0, steps, q, final,
first_hit, start=0)`` (`eqselect.numerics.dynamics.kernels.entry`) advances
every start of x0 through all steps inside one compiled loop over the
starts, which releases the GIL (the caller runs
chunks of starts on several threads: a serial loop compiles faster than a
numba ``prange`` and runs as fast). The coordinates live in scalar locals
``_p0 .. _p{d-1}`` (no array per start and step), the run-time symbols
(payoffs, lambda, ...) are read once from ``q`` into ``_q0 .. _q{m-1}``,
and each step

    e_i     = exp(p_i)                      (only the e_i the field reads)
    u       = F(p; q)                       (or F_0 + lambda_k (F_1 - F_0))
    p       = proj(p + lr_k u)

is the straight-line code of `eqselect.numerics.dynamics.kernels.codegen.
scalar_block` (or a call of symengine's code for a large field,
`eqselect.numerics.dynamics.kernels.native`), with lr_k and lambda_k
computed once per call, in Python floats like the reference. The success
predicate (every agent's probability of its first action in the first
state >= threshold) is tested on each state before its step; a coordinate
that is the logistic function of one logit is tested in logit space
(no exponential). Compiled without fastmath, the kernel computes what the
numpy reference (`eqselect.numerics.dynamics.schedules.run_schedule`)
computes: for small fields the same mathematics written more cheaply
(rounding differs in the last bits; outcomes agree start for start), for
large fields the same machine code for the field (bit for bit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import symengine as se

from eqselect.theory import PAPER, GameError, RegionKind
from eqselect.numerics.codegen import refuse_unknown
from eqselect.theory.engine import to_engine
from eqselect.numerics.dynamics.kernels.codegen import (
    coordinate, logistic_form, runtime, scalar_block, step_quantity, success_test)
from eqselect.numerics.dynamics.kernels import choice
from eqselect.numerics.dynamics.kernels.choice import LAYOUTS, PRECISIONS, choose_layout
from eqselect.numerics.dynamics.kernels.simd import BLOCK, block_loop

_JIT = "numba.njit(cache=True, nogil=True, error_model='numpy', boundscheck=False)"

#: The end of every kernel module: ``_compiled`` imports numba and what the loop
#: calls (a process that loads the machine code never runs it), and the entry
#: point every caller uses (`eqselect.numerics.dynamics.kernels.entry`).
_COMPILED = '''
def _compiled():
    """``_run`` compiled by numba (numba is imported here, and only here)."""
    import numba
{imports}
    return {jit}(_run)


run = KernelEntry(globals(), __file__)
'''


def module_tail(imports=(), jit: str = _JIT) -> str:
    """`_COMPILED` with ``imports`` (lines run inside ``_compiled`` before the loop
    is compiled: the numba functions it calls, made globals of the module)."""
    body = "\n".join("    " + ln for ln in imports) if imports else "    pass"
    return _COMPILED.format(imports=body, jit=jit)


def schedule_code(sched) -> tuple[str, object]:
    """(source of ``lr(k)``, the clip bound or None).

    The schedule is read by its fields (``base, offset, power``: the paper's
    lr_k = base / (k + offset)^power; ``rate``: constant), so the kernels need
    nothing from the dynamics that define and run them.
    """
    if all(hasattr(sched, a) for a in ("base", "offset", "power", "clip")):
        body = (f"return {float(sched.base)!r} / (k + {float(sched.offset)!r}) "
                f"** {float(sched.power)!r}")
        return f"def lr(k):\n    {body}\n", sched.clip
    if all(hasattr(sched, a) for a in ("rate", "clip")):
        return f"def lr(k):\n    return {float(sched.rate)!r}\n", sched.clip
    raise GameError(f"the compiled kernel runs the paper's or a constant schedule, not {sched!r}")


def annealing_code(annealing) -> str:
    """Source of ``lam_k(k)`` (the paper's two-phase annealing, or 0)."""
    if annealing is None:
        return "def lam_k(k):\n    return 0.0\n"
    a = annealing
    try:
        lam_c, n0, tau, pw = (float(a.lam_c), int(a.n0), float(a.tau), float(a.power))
    except AttributeError:
        raise GameError("the compiled kernel knows the paper's two-phase annealing "
                        f"(lam_c, n0, tau, power); got {a!r}") from None
    return ("def lam_k(k):\n"
            f"    if k < {n0}:\n        return {lam_c!r}\n"
            f"    return {lam_c!r} / (1 + (k - {n0}) / {tau!r}) ** {pw!r}\n")


def _projection(region, clip, d: int) -> list:
    """Lines projecting the scalars _p<i> onto the region (or clipping logits)."""
    if region.kind is RegionKind.BOX:
        return [f"_p{i} = min(max(_p{i}, 0.0), 1.0)" for i in range(d)]
    if region.kind is RegionKind.SIMPLEX:
        lines = []
        for b in region.blocks:
            b = [int(i) for i in b]
            lines += [f"_y[{j}] = _p{i}" for j, i in enumerate(b)]
            lines.append(f"project_capped(_y, {len(b)})")
            lines += [f"_p{i} = _y[{j}]" for j, i in enumerate(b)]
        return lines
    if clip is None:
        return []
    c = float(clip)
    return [f"_p{i} = min(max(_p{i}, {-c!r}), {c!r})" for i in range(d)]


_PROJECT_CAPPED = '''
def project_capped(y, m):
    """Euclidean projection of y[:m] onto {x >= 0, sum x <= 1} (as project_capped_simplex)."""
    total = 0.0
    for j in range(m):
        total += max(y[j], 0.0)
    if total <= 1.0:
        for j in range(m):
            y[j] = max(y[j], 0.0)
        return
    u = -np.sort(-y[:m])
    css = 0.0
    rho = 0
    theta = 0.0
    for j in range(m):
        css += u[j]
        if u[j] - (css - 1.0) / (j + 1) > 0:
            rho = j + 1
            theta = (css - 1.0) / rho
    for j in range(m):
        y[j] = max(y[j] - theta, 0.0)
'''


@dataclass
class _Parts:
    """The pieces `_loop` assembles."""

    d: int
    m: int
    annealed: bool
    field_lines: list
    used: set
    lanes: int
    s_lines: list
    s_test: str
    s_used: set
    proj: list
    simplex: bool
    native_io: tuple = ()  # (inputs, outputs) sizes of a native field
    start_lines: tuple = ()  # run once per start before its steps
    work: tuple = ()  # names of work arrays the caller passes after first_hit


def kernel_source(fields, parameters, schedule, annealing, region, coop=None,
                  threshold: float = PAPER.success, extras=()) -> str:
    """The text of a kernel module (see the module docstring).

    Parameters
    ----------
    fields : (F,) or (F_0, F_1)
        Field expressions (symengine or sympy), one list per field; two for
        an annealed rule (lambda = 0 and lambda = 1).
    parameters : sequence of symbols
        The coordinates, in the order of x0's columns.
    schedule : PaperSchedule or ConstantSchedule
    annealing : PaperAnnealing or None
    region : Region
    coop : sequence of expressions or None
        Each agent's probability of its first action in the first state
        (the success predicate); None: no predicate.
    threshold : float
    extras : sequence of symbols
        Symbols the fields may hold besides the coordinates, valued at run
        time from ``q`` (in this order).

    A field too large for numba (`eqselect.numerics.dynamics.kernels.native`)
    also needs the side file `kernel_files` returns with the text.
    """
    return kernel_files(fields, parameters, schedule, annealing, region, coop, threshold,
                        extras)[0]


@dataclass(frozen=True)
class KernelForm:
    """How a kernel's loop is laid out and in which floating-point type it steps.

    Attributes
    ----------
    layout : "auto", "block" or "lanes"
        "block": B starts in structure of arrays, vectorised
        (`eqselect.numerics.dynamics.kernels.simd`); "lanes": one start at
        a time, 4 interleaved in the text (this module's `_loop`); "auto":
        "block" wherever it applies (a field of `scalar_block` lines on the
        clip or the box), "lanes" otherwise (the simplex projection, a
        native field).
    precision : "float64" or "float32"
        float32 needs the block layout (8 lanes a vector).
    """

    layout: str = "auto"
    precision: str = "float64"

    def __post_init__(self):
        if self.layout not in LAYOUTS:
            raise GameError(f"unknown kernel layout {self.layout!r}; valid: {', '.join(LAYOUTS)}")
        if self.precision not in PRECISIONS:
            raise GameError(f"unknown precision {self.precision!r}; valid: "
                            f"{', '.join(PRECISIONS)}")
        if self.precision != "float64" and self.layout == "lanes":
            raise GameError("float32 kernels have the block layout; got layout='lanes'")


def kernel_files(fields, parameters, schedule, annealing, region, coop=None,
                 threshold: float = PAPER.success, extras=()) -> tuple[str, dict]:
    """(module text, {file suffix: bytes}) of a kernel; see `kernel_source`."""
    return form_files(KernelSpec(fields, parameters, schedule, annealing, region, coop,
                                 threshold, extras))


@dataclass(frozen=True)
class KernelSpec:
    """What a kernel computes: the parameters of `kernel_source`, in its order."""

    fields: tuple
    parameters: tuple
    schedule: object
    annealing: object
    region: object
    coop: object = None
    threshold: float = PAPER.success
    extras: tuple = ()


def form_files(spec: KernelSpec, form: KernelForm = KernelForm()) -> tuple[str, dict]:
    """`kernel_files` of a `KernelSpec` in a `KernelForm` (the module's ``LAYOUT``
    names the layout built).

    Raises
    ------
    GameError
        ``form.layout`` "block" (or float32) where only the lanes apply.
    """
    fields, parameters, schedule, annealing, region, coop, threshold, extras = (
        spec.fields, spec.parameters, spec.schedule, spec.annealing, spec.region, spec.coop,
        spec.threshold, spec.extras)

    d = len(parameters)
    ren = {to_engine(s): coordinate(i) for i, s in enumerate(parameters)}
    ren.update({to_engine(s): runtime(i) for i, s in enumerate(extras)})
    params = [coordinate(i) for i in range(d)]
    flat = [to_engine(e).xreplace(ren) for f in fields for e in f]
    coop_r = None if coop is None else [to_engine(c).xreplace(ren) for c in coop]
    refuse_unknown(flat + (coop_r or []), list(ren.values()))
    s_lines, s_test, s_used = success_test(coop_r, params, float(threshold))
    lr_code, clip = schedule_code(schedule)
    parts = _Parts(d, len(extras), len(fields) > 1, [], set(), 1, s_lines, s_test, s_used,
                   _projection(region, clip, d), region.kind is RegionKind.SIMPLEX)
    small = logistic_form(flat, params)
    side, loader = {}, ""
    if small is None and len(se.cse(flat)[0]) > choice.NATIVE_LINES:
        # numba's extension API, imported only for a field on this route
        from eqselect.numerics.dynamics.kernels.native import LOADER, native_field

        # the game's own symbols, in the numpy backend's order: the same machine code
        blob, parts.used = native_field([to_engine(e) for f in fields for e in f],
                                        [to_engine(s) for s in parameters],
                                        [to_engine(s) for s in extras])
        side[".field"] = blob
        loader = LOADER + "EXTRA = (ADDR, USER)\n"
        parts.native_io = (2 * d + len(extras), len(flat))
        parts.field_lines = _native_lines(d, len(extras), len(flat), parts.used)
    else:
        targets = [f"_u{j}" for j in range(d)] + [f"_v{j}" for j in range(d)][:len(flat) - d]
        parts.field_lines, parts.used = scalar_block(small or flat, targets, params, "_a")
        parts.lanes = lanes_for(len(parts.field_lines))
    block = choose_layout(form.layout, form.precision, not (side or parts.simplex)) == "block"
    loop = (block_loop(parts, coop_r, params, float(threshold), form.precision) if block
            else _loop(parts))
    layout = f"block{BLOCK}-{form.precision}" if block else f"lanes{parts.lanes}"
    work = ((d + 1) * BLOCK, form.precision) if block else None
    imports = ["from eqselect.numerics.dynamics.kernels.vexp import vexp, vexp32",
               "globals().update(vexp=vexp, vexp32=vexp32)"]
    if parts.simplex:
        imports += ["if not hasattr(project_capped, 'py_func'):",
                    f"    globals()['project_capped'] = {_JIT}(project_capped)"]
    text = "\n".join([
        "import math", "import numpy as np", "",
        "from eqselect.numerics.dynamics.kernels.entry import KernelEntry", "",
        f"LAYOUT = {layout!r}", f"WORK = {(work,) if work else ()!r}",
        loader, lr_code, annealing_code(annealing),
        _PROJECT_CAPPED if parts.simplex else "", loop, module_tail(imports)])
    return text, side


def _native_lines(d: int, m: int, n_out: int, used: set) -> list:
    """Fill the native field's inputs (p, e, q), call it, read u (and v)."""
    lines = [f"_in[{j}] = _p{j}" for j in range(d)]
    lines += [f"_in[{d + int(x[2:])}] = math.exp(_p{x[2:]})" for x in sorted(used)]
    lines.append("call_native(addr, _out, _in, user)")
    lines += [f"_u{j} = _out[{j}]" for j in range(d)]
    lines += [f"_v{j} = _out[{d + j}]" for j in range(n_out - d)]
    return lines


def _loop(pt: _Parts) -> str:
    """The source of ``run`` (see the module docstring).

    Each iteration advances `lanes` starts side by side: their
    straight-line code is interleaved, so the processor overlaps the long
    dependency chains (exponentials, divisions) of independent starts.
    """
    lanes, d = pt.lanes, pt.d
    exps = [step_quantity(x) for x in sorted(pt.s_used | (set() if pt.native_io else pt.used))]
    step = []
    for j in range(d):
        u = f"(_u{j} + lam * (_v{j} - _u{j}))" if pt.annealed else f"_u{j}"
        step.append(f"_p{j} = _p{j} + rate * {u}")
    test = pt.s_lines + [f"if {pt.s_test}:", "    hit = k"]
    inner = (_interleave(exps if pt.s_used else [], lanes)
             + [ln for lane in range(lanes)
                for ln in _lane(["if hit < 0:"] + _ind(test, 1), lane)]
             + ["if k == steps:", "    break", "rate = rates[k]"]
             + (["lam = lams[k]"] if pt.annealed else [])
             + _interleave(([] if pt.s_used else exps) + pt.field_lines + step + pt.proj,
                           lanes))
    start = [f"_i_{lane} = min(i * {lanes} + {lane}, n - 1)" for lane in range(lanes)]
    if pt.native_io:
        start += [f"_in = np.zeros({pt.native_io[0]})", f"_out = np.empty({pt.native_io[1]})"]
        start += [f"_in[{2 * d + i}] = _q{i}" for i in range(pt.m)]
    start += list(pt.start_lines)
    start += _interleave([f"_p{j} = x0[_i, {j}]" for j in range(d)]
                         + (["_y = np.empty(%d)" % d] if pt.simplex else []) + pt.proj
                         + ["hit = -1"], lanes)
    start += ["for k in range(steps + 1):"] + _ind(inner, 1)
    start += _interleave([f"final[_i, {j}] = _p{j}" for j in range(d)]
                         + ["first_hit[_i] = hit"], lanes)
    args = ["x0", "rates", "lams", "q", "final", "first_hit", *pt.work]
    args += ["addr", "user"] if pt.native_io else []
    head = [f"def _run({', '.join(args)}):", "    n = x0.shape[0]", "    steps = rates.shape[0]"]
    head += [f"    _q{i} = q[{i}]" for i in range(pt.m)]
    head += [f"    for i in range((n + {lanes - 1}) // {lanes}):"] + _ind(start, 2)
    return "\n".join(head) + "\n"


def lanes_for(n_lines: int) -> int:
    """Starts advanced side by side: 4 for small fields, 2 for medium, 1 for large ones.

    Interleaving hides the latency of a small field's dependency chain; a
    large field has enough independent work in one start, and interleaving
    it would only multiply the compile time.
    """
    return 4 if n_lines <= 120 else 2 if n_lines <= 400 else 1


_LOCAL = re.compile(r"\b(_[pegauvcsyi]\d*|hit)\b")


def _lane(lines, lane: int) -> list:
    """The lines with every per-start local renamed for one lane."""
    return [_LOCAL.sub(lambda mt: f"{mt.group(1)}_{lane}", ln) for ln in lines]


def _interleave(lines, lanes: int) -> list:
    """Straight-line code for several lanes, line by line."""
    return [ln for line in lines for ln in (_lane([line], lane)[0] for lane in range(lanes))]


def _ind(lines, n: int) -> list:
    return ["    " * n + ln for ln in lines]
