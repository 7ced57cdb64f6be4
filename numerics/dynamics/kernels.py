"""Fused compiled basin kernels: a rule's field and schedule generated as numba code.

`run_kernel` advances every start through all steps of a discrete schedule
in compiled code, in parallel over the starts (numba ``prange``), with no
Python work per step and no temporaries over the grid; the starts are
streamed in chunks, so memory stays flat as the grid grows. It computes
exactly what `eqselect.numerics.dynamics.schedules.run_schedule` computes
(the numpy reference, which stays the fallback): for k = 0 .. K - 1,

    u_k = F_0(theta_k) + lambda_k (F_1(theta_k) - F_0(theta_k))   (annealed)
    u_k = F(theta_k)                                               (otherwise)
    theta_{k+1} = proj(theta_k + lr_k u_k),  lr_k = base / (k + offset)^power,

with proj the clip to [-clip, clip] (logits), the box [0, 1]^d, or the
Euclidean projection onto each capped simplex block (direct), and it
records the first k at which the paper's success predicate holds (every
agent's probability of its first action in the first state >= threshold).

Code generation: the field's expressions (after common-subexpression
elimination in symengine) are printed as scalar Python by sympy's code
printer into one module whose text also fixes the schedule, the annealing,
the projection and the predicate. The module is written under the cache
folder (``$XDG_CACHE_HOME/eqselect/kernels``, else ``~/.cache/eqselect/
kernels``; ``EQSELECT_CACHE_DIR`` overrides) with the SHA-256 of its text
in its name, and compiled with numba's ``cache=True``: a second run loads
the machine code from disk, and a changed field or schedule gives a new
text, hence a new hash and a new kernel.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from pathlib import Path

import numpy as np
import symengine as se
from sympy.printing.pycode import pycode

from eqselect.theory import PAPER, GameError, RegionKind, as_rule
from eqselect.numerics.codegen import refuse_loose_symbols
from eqselect.theory.engine import to_engine
from eqselect.numerics.dynamics.schedules import ConstantSchedule, PaperSchedule
from eqselect.numerics.dynamics.starts import chunks

#: Starts per chunk handed to one kernel call.
CHUNK = 1 << 16


def available() -> bool:
    """Whether numba can be imported (the compiled kernel's only requirement)."""
    return importlib.util.find_spec("numba") is not None


def cache_dir() -> Path:
    """Where generated kernels and their compiled code live."""
    if os.environ.get("EQSELECT_CACHE_DIR"):
        return Path(os.environ["EQSELECT_CACHE_DIR"]) / "kernels"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "eqselect" / "kernels"


# -- code generation ----------------------------------------------------------
def scalar_function(name: str, exprs, parameters) -> str:
    """Source of ``name(t, out)``: out[j] = exprs[j](t), scalar code after cse.

    Parameters are renamed ``_p0, _p1, ...`` (so no game symbol can clash
    with Python names) and read from ``t``.
    """
    ren = {to_engine(s): se.Symbol(f"_p{i}") for i, s in enumerate(parameters)}
    renamed = [to_engine(e).xreplace(ren) for e in exprs]
    refuse_loose_symbols(renamed, list(ren.values()))  # only numbers and _p<i> are printed
    exprs, used = exp_as_powers(renamed, list(ren.values()))
    reps, reduced = se.cse(exprs)
    lines = [f"def {name}(t, out):"]
    lines += [f"    _p{i} = t[{i}]" for i in range(len(parameters))]
    lines += [f"    _e{i} = math.exp(_p{i})" for i in used]
    lines += [f"    {k} = {pycode(v._sympy_(), fully_qualified_modules=True)}"
              for k, v in reps]
    lines += [f"    out[{j}] = {pycode(e._sympy_(), fully_qualified_modules=True)}"
              for j, e in enumerate(reduced)]
    return "\n".join(lines) + "\n"


def exp_as_powers(exprs, params) -> tuple[list, list[int]]:
    """Write exp(k_1 p_1 + ... + k_d p_d + c), integer k, as exp(c) e_1^k_1 ... e_d^k_d.

    With e_i = exp(p_i) computed once, a step of a logit or softmax field costs
    one exponential per parameter: common-subexpression elimination alone does
    not see that exp(-2 p) = exp(-p)^2 or exp(-p_1 - p_2) = exp(-p_1) exp(-p_2).
    Other exponentials are left as they are.

    Returns
    -------
    exprs : list
        The rewritten expressions, in the symbols ``_e0, _e1, ...``.
    used : list of int
        The indices i whose e_i the expressions use.

    Examples
    --------
    >>> x, y = se.symbols("_p0 _p1")
    >>> out, used = exp_as_powers([se.exp(-2 * x) + 1 / (1 + se.exp(-x - y))], [x, y])
    >>> out[0] == _e(0) ** -2 + 1 / (1 + _e(0) ** -1 * _e(1) ** -1), used
    (True, [0, 1])
    """
    rep = {}
    for e in exprs:
        for a in e.atoms(se.Pow):
            if a.args[0] != se.E or a in rep:
                continue
            arg = se.expand(a.args[1])
            ks = [arg.diff(p) for p in params]
            if not all(getattr(k, "is_Integer", False) for k in ks):
                continue
            const = se.expand(arg - sum(k * p for k, p in zip(ks, params)))
            if const.free_symbols:
                continue
            term = se.exp(const) if const != 0 else se.Integer(1)
            for i, k in enumerate(ks):
                if k != 0:
                    term = term * _e(i) ** k
            rep[a] = term
    out = [e.xreplace(rep) for e in exprs]
    used = sorted({i for e in out for i in range(len(params)) if _e(i) in e.free_symbols})
    return out, used


def _e(i: int) -> se.Symbol:
    return se.Symbol(f"_e{i}")


def _schedule_code(sched) -> tuple[str, object]:
    """(source of ``lr(k)``, the clip bound or None)."""
    if isinstance(sched, PaperSchedule):
        body = f"return {float(sched.base)!r} / (k + {float(sched.offset)!r}) ** {float(sched.power)!r}"
        return f"def lr(k):\n    {body}\n", sched.clip
    if isinstance(sched, ConstantSchedule):
        return f"def lr(k):\n    return {float(sched.rate)!r}\n", sched.clip
    raise GameError(f"the compiled kernel runs the paper's or a constant schedule, not {sched!r}")


def _annealing_code(annealing) -> str:
    if annealing is None:
        return "ANNEALED = False\n\ndef lam_k(k):\n    return 0.0\n"
    a = annealing
    try:
        lam_c, n0, tau, power = (float(a.lam_c), int(a.n0), float(a.tau), float(a.power))
    except AttributeError:
        raise GameError("the compiled kernel knows the paper's two-phase annealing "
                        f"(lam_c, n0, tau, power); got {a!r}") from None
    return ("ANNEALED = True\n\ndef lam_k(k):\n"
            f"    if k < {n0}:\n        return {lam_c!r}\n"
            f"    return {lam_c!r} / (1 + (k - {n0}) / {tau!r}) ** {power!r}\n")


def _projection_code(region, clip) -> str:
    if region.kind is RegionKind.BOX:
        return "def project(t):\n    for i in range(t.shape[0]):\n" \
               "        t[i] = min(max(t[i], 0.0), 1.0)\n"
    if region.kind is RegionKind.SIMPLEX:
        blocks = tuple(tuple(int(i) for i in b) for b in region.blocks)
        return (f"BLOCKS = {blocks!r}\n\ndef project(t):\n"
                "    for b in BLOCKS:\n        project_capped(t, b)\n")
    if clip is None:
        return "def project(t):\n    pass\n"
    c = float(clip)
    return (f"def project(t):\n    for i in range(t.shape[0]):\n"
            f"        t[i] = min(max(t[i], {-c!r}), {c!r})\n")


_HELPERS = '''
def project_capped(t, block):
    """Euclidean projection of t[block] onto {x >= 0, sum x <= 1} (as project_capped_simplex)."""
    m = len(block)
    y = np.empty(m)
    total = 0.0
    for j in range(m):
        y[j] = t[block[j]]
        total += max(y[j], 0.0)
    if total <= 1.0:
        for j in range(m):
            t[block[j]] = max(y[j], 0.0)
        return
    u = -np.sort(-y)
    css = 0.0
    rho = 0
    theta = 0.0
    for j in range(m):
        css += u[j]
        if u[j] - (css - 1.0) / (j + 1) > 0:
            rho = j + 1
            theta = (css - 1.0) / rho
    for j in range(m):
        t[block[j]] = max(y[j] - theta, 0.0)


def succeeded(t, coop):
    if not HAS_SUCCESS:
        return False
    success_probabilities(t, coop)
    for j in range(coop.shape[0]):
        if not coop[j] >= THRESHOLD:
            return False
    return True


def run(x0, steps, final, first_hit):
    n, d = x0.shape
    rates = np.empty(steps)  # the schedule does not depend on the start: once per run
    lams = np.empty(steps)
    for k in range(steps):
        rates[k] = lr(k)
        lams[k] = lam_k(k)
    for i in numba.prange(n):
        t = x0[i].copy()
        u = np.empty(d)
        v = np.empty(d)
        coop = np.empty(N_AGENTS)
        project(t)
        hit = 0 if succeeded(t, coop) else -1
        for k in range(steps):
            field0(t, u)
            if ANNEALED:
                field1(t, v)
                lam = lams[k]
                for j in range(d):
                    u[j] = u[j] + lam * (v[j] - u[j])
            rate = rates[k]
            for j in range(d):
                t[j] = t[j] + rate * u[j]
            project(t)
            if hit < 0 and succeeded(t, coop):
                hit = k + 1
        for j in range(d):
            final[i, j] = t[j]
        first_hit[i] = hit
'''

_JIT = ("field0", "field1", "success_probabilities", "lr", "lam_k", "project",
        "project_capped", "succeeded")


def kernel_source(fields, parameters, schedule, annealing, region, coop=None,
                  threshold: float = PAPER.success) -> str:
    """The text of a kernel module (see the module docstring).

    Parameters
    ----------
    fields : (F,) or (F_0, F_1)
        Field expressions (symengine or sympy), one list per field; two for
        an annealed rule (lambda = 0 and lambda = 1).
    parameters : sequence of symbols
    schedule : PaperSchedule or ConstantSchedule
    annealing : PaperAnnealing or None
    region : Region
    coop : sequence of expressions or None
        Each agent's probability of its first action in the first state
        (the success predicate); None: no predicate.
    threshold : float
    """
    lr_code, clip = _schedule_code(schedule)
    second = scalar_function("field1", fields[1], parameters) if len(fields) > 1 else ""
    parts = ["import math", "import numba", "import numpy as np", "",
             f"HAS_SUCCESS = {coop is not None}", f"THRESHOLD = {float(threshold)!r}",
             f"N_AGENTS = {len(coop) if coop is not None else 1}", "",
             scalar_function("field0", fields[0], parameters), second,
             scalar_function("success_probabilities", coop if coop is not None else [0],
                             parameters),
             lr_code, _annealing_code(annealing), _projection_code(region, clip), _HELPERS]
    jit = "\n".join(f"{f} = numba.njit(cache=True)({f})" for f in _JIT
                    if len(fields) > 1 or f != "field1")
    if len(fields) == 1:  # not annealed: one field, never compiled twice
        jit += "\nfield1 = field0"
    return "\n".join(parts) + "\n" + jit + \
        "\nrun = numba.njit(cache=True, parallel=True)(run)\n"


_LOADED: dict = {}


def load_kernel(source: str):
    """Import the kernel module of ``source`` from the cache folder (writing it once).

    Returns
    -------
    module
        With ``run(x0, steps, final, first_hit)`` and ``key`` (the hash).
    """
    key = hashlib.sha256(source.encode()).hexdigest()[:24]
    if key in _LOADED:
        return _LOADED[key]
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # an unwritable cache: compile in a private folder instead
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="eqselect-kernels-"))
    path = folder / f"k_{key}.py"
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(source)
        os.replace(tmp, path)
    name = f"eqselect_kernel_{key}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    module.key = key
    _LOADED[key] = module
    return module


#: Kernel texts already generated in this process, by (decomposition, rule,
#: schedule, predicate): generation (cse and printing) is the slow part.
_TEXTS: dict = {}


def problem_kernel(problem, sched, with_success: bool):
    """The kernel module of a basin problem's rule, schedule and region."""
    rule = as_rule(problem.rule)
    key = (id(problem.dec), rule.method, rule.lam, rule.own_coef, repr(rule.annealing),
           repr(sched), with_success)
    if key not in _TEXTS or _TEXTS[key][0] is not problem.dec:
        _TEXTS[key] = (problem.dec, _problem_text(problem, sched, with_success))
    return load_kernel(_TEXTS[key][1])


def _problem_text(problem, sched, with_success: bool) -> str:
    from eqselect.numerics.dynamics.outcomes import SUCCESS_THRESHOLD
    from eqselect.numerics.sources.symbolic import SymbolicSource

    rule, game = as_rule(problem.rule), problem.dec.game
    src = SymbolicSource(problem.dec)
    fields = ((src.field_expressions(rule),) if rule.annealing is None else
              (src.field_expressions(rule.with_(lam=0)), src.field_expressions(rule.with_(lam=1))))
    coop = [s[0] for s in game.strategies] if with_success else None
    return kernel_source(fields, game.parameters, sched, rule.annealing, game.region, coop,
                         SUCCESS_THRESHOLD)


def run_kernel(problem, sched, x0, success, progress=None):
    """Step every start of a basin problem with its compiled kernel.

    The paper's success predicate (``problem.success`` None) is compiled in;
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
    builtin_success = problem.success is None and success is not None
    module = problem_kernel(problem, sched, builtin_success)
    x0 = np.ascontiguousarray(x0, dtype=float)
    final, hit = np.empty_like(x0), np.empty(len(x0), dtype=np.int64)
    for part in chunks(len(x0), CHUNK):
        module.run(x0[part], int(problem.steps), final[part], hit[part])
        if progress is not None:
            progress.update(part.stop - part.start)
    notes = []
    if success is not None and not builtin_success:
        hit[:] = -1
        notes.append("first-hit steps are not recorded for a custom success predicate "
                     "on the compiled kernel")
    bad = int(np.sum(~np.isfinite(final).all(axis=1)))
    if bad:
        notes.append(f"{bad} trajectories became non-finite")
    return final, hit.astype(int), tuple(notes)
