"""The cycle test as one compiled loop: a map kernel's steps and the recurrence test together.

The cycle test (`eqselect.numerics.dynamics.recurrence`) steps each run that
reached no attractor ``window`` more times and asks whether it went away
from its first point s_0 (d_k = |s_k - s_0|_inf > 5 eps) and came back
(d_k < max(eps, share D_k), D_k = max_{j <= k} d_j). `cycle_text` writes a
kernel module whose loop does all of it, `CHUNK` runs at a time, one call
for the whole window:

    for each chunk of runs:
        for k in 0 .. window - 1, while a run of the chunk is open:
            x = step(x; lr_{K + k}, lambda_{K + k})     (the map kernel's step)
            need = open & (gone away | x outside the stay box)      (the screen)
            where need: s = s(x), d_k, D_k, came back?, gone away?

The step is the map kernel's, bit for bit as its ``run`` computes it one
call a step: in the block layout (`eqselect.numerics.dynamics.kernels.simd`)
the lines of its step are taken from its text, with its state rows (x_j at
``j * CHUNK + b``) shared with the test's; in the lanes layout the map
kernel's loop itself (renamed ``_step``, inlined) runs one step on the
chunk. Projecting at every step, as the map kernel's ``run`` does when
called one step at a time, changes nothing: the projection is idempotent.

The screen is `ParameterRecurrence`'s: a run that has not gone away and
whose x_k lies in its stay box (`eqselect.numerics.dynamics.recurrence.
stay_box`, computed by numpy with s_0 = `parameters_to_strategies`, both
passed in with the runs) is not tested that step. The strategies s(x) are
straight-line code for the game's parameterisation: two-action logits
sigma(x) = 1 / (1 + e^-x), softmax blocks with the last logit pinned at 0,
direct blocks, the last action of each block 1 - the others; the
exponential is `eqselect.numerics.dynamics.kernels.vexp.vexp`, and the test
of a chunk has selects only, no branch, so the loop vectoriser widens it.

These strategies agree with numpy's to rounding, not bit for bit (numpy's
sigma is 1/2 (1 + tanh(x / 2)) in its own SIMD code). A comparison that
decides a verdict (d_k against 5 eps before the run went away, against
max(eps, share D_k) after) and comes within `TIE` of its threshold is
therefore not decided here: the run is undecided (``first_hit`` -2), and its
caller judges it with the numpy test on the same steps. Every other
comparison comes out as numpy's would, so the verdicts are
`ParameterRecurrence`'s, hence `Recurrence`'s, on every run.

The loop ``_run(x, rates, lams, q, final, first_hit, *work)`` keeps the
interface of every kernel (`eqselect.numerics.dynamics.kernels.entry`):
``x`` holds a run a row, [x_0 (d) | lo (d) | hi (d) | s_0 (S)];
``first_hit`` says the window step at which the run came back (1 ..
window), -1 (it did not) or -2 (undecided); ``final`` holds its parameters
at that step or at the window's end. The loop allocates nothing and calls
no library, so the module keeps its machine code as the map kernels do
(`eqselect.numerics.dynamics.kernels.machine_code`) where the map kernel's
step does too.
"""

from __future__ import annotations

import ast
import re

from eqselect.numerics.dynamics.kernels.simd import BLOCK
from eqselect.numerics.dynamics.kernels.source import module_tail

__all__ = ["CHUNK", "TIE", "cycle_text", "strategy_lines"]

#: Runs tested together: one block of the block layout (its state rows are
#: shared with the test's), four groups of the lanes layout's four starts.
CHUNK = BLOCK
#: Closest a deciding comparison may come to its threshold and be decided in
#: compiled code: far above the rounding of a strategy (a few 1e-16), far
#: below anything a run's path resolves.
TIE = 1e-12

#: A chunk's test runs vectorised over all its rows when at least one row in
#: this many needs it, else on those rows only.
_DENSE = 4

_ENTRY = "run = KernelEntry(globals(), __file__)"
_JIT_TAIL = re.compile(r"\)\(_step\)\n$")


def strategy_lines(kind: str, blocks) -> tuple[list, int]:
    """(lines assigning ``_s0 .. _s{S-1}`` from ``_x0 .. _x{d-1}``, S): the strategies
    `parameters_to_strategies` computes, block by block.

    Parameters
    ----------
    kind : "logit", "softmax" or "direct"
        `eqselect.numerics.dynamics.starts.start_kind` of the game.
    blocks : sequence of sequences of int
        Each agent's and state's parameter indices
        (`eqselect.numerics.dynamics.starts.action_blocks`), in order.
    """
    lines, col = [], 0
    for b in blocks:
        b = [int(i) for i in b]
        if kind == "logit":
            probs = [f"1.0 / (1.0 + vexp(-_x{i}))" for i in b]
        elif kind == "direct":
            probs = [f"_x{i}" for i in b]
        else:
            lines.append(f"_t = _x{b[0]}")
            for i in b[1:]:  # numpy's maximum: a NaN wins
                lines.append(f"_t = _x{i} if (_x{i} > _t) | (_x{i} != _x{i}) else _t")
            lines.append("_t = _t if (_t > 0.0) | (_t != _t) else 0.0")  # the pinned logit 0
            lines += [f"_f{j} = vexp(_x{i} - _t)" for j, i in enumerate(b)]
            lines.append("_z = vexp(-_t) + " + _sum([f"_f{j}" for j in range(len(b))]))
            probs = [f"_f{j} / _z" for j in range(len(b))]
        first = col
        for p in probs:
            lines.append(f"_s{col} = {p}")
            col += 1
        lines.append(f"_s{col} = 1.0 - " + _sum([f"_s{j}" for j in range(first, col)]))
        col += 1
    return lines, col


def _sum(terms) -> str:
    """A sum in numpy's order for a short row (left to right)."""
    text = terms[0]
    for t in terms[1:]:
        text = f"({text} + {t})"
    return text


def cycle_text(kernel_text: str, kernel_key: str, kind: str, blocks, d: int,
               eps: float = 0.02, share: float = 0.25) -> str:
    """The module text of the cycle test on a map kernel (module docstring).

    Parameters
    ----------
    kernel_text : str
        The map kernel module's text (`eqselect.numerics.dynamics.kernels.
        source`), without its checksum line. A native field's module reads
        its field from the side file ``.field`` beside it: the cycle module
        needs a copy beside its own.
    kernel_key : str
        Its cache key (written into the text: the cycle module's key, a hash
        of its text, then covers what the map kernel's key covers).
    kind, blocks
        As for `strategy_lines`.
    d : int
        Parameters of the game.
    eps, share : float
        As for `eqselect.numerics.dynamics.recurrence.Recurrence`.

    Raises
    ------
    ValueError
        For a text that is not a map kernel's.
    """
    if _ENTRY not in kernel_text:
        raise ValueError("the cycle test runs on a map kernel of eqselect's source form")
    head, _, _ = kernel_text.partition("\ndef _compiled():")
    step = block_step(kernel_text, d)
    head = re.sub(r"\b_run\b", "_step", head)
    found = re.search(r"^WORK = (.*)$", head, flags=re.M)
    s_lines, n_s = strategy_lines(kind, blocks)
    state = (_rows(d, n_s)["count"] * CHUNK, "float64")
    if step is None:  # the lanes layout: the map kernel's loop, one step on a chunk
        step_work = tuple(ast.literal_eval(found.group(1)))
        work = step_work + (((CHUNK, d), "float64"), ((CHUNK, d), "float64"),
                            (CHUNK, "int64"), (1, "float64"), (1, "float64"), state)
        step = _call_step(d, [f"_w{i}" for i in range(len(step_work))],
                          "\nEXTRA = " in kernel_text)
    else:
        work = (state,)
    head = head[:found.start()] + f"WORK = {work!r}" + head[found.end():]
    return "\n".join([
        f"# the cycle test on the steps of the map kernel k_{kernel_key}", head,
        "def _compiled_step():\n    import numba\n" + _original_compiled(kernel_text),
        _loop(d, n_s, s_lines, step, float(eps), float(share)),
        module_tail(["from eqselect.numerics.dynamics.kernels.vexp import vexp",
                     "globals().update(vexp=vexp, _step=_compiled_step())"])])


def _original_compiled(kernel_text: str) -> str:
    """The body of the map kernel's ``_compiled`` after ``import numba`` (its imports
    and its compiled loop, renamed ``_step``)."""
    _, _, tail = kernel_text.partition("\ndef _compiled():")
    body = tail.split(_ENTRY)[0]
    lines = [ln for ln in body.splitlines()[1:] if ln.strip() != "import numba"]
    text = re.sub(r"\b_run\b", "_step", "\n".join(lines).rstrip()) + "\n"
    # inlined into the window loop: a call passing arrays would count references
    # through numba's runtime, which keeps a loop from its machine code
    return _JIT_TAIL.sub(", inline='always')(_step)\n", text)


def block_step(kernel_text: str, d: int) -> dict | None:
    """The step of a float64 block kernel as lines on the test's state, or None for
    another layout.

    Returns
    -------
    dict
        ``args`` (the loop's work arrays after ``first_hit``), ``values`` (the
        run-time values read from ``q``), ``load`` (a run's x from ``x0`` into
        its rows, projected), ``per_step`` (lr_k, lambda_k), ``body`` (one step
        of run b), ``x`` (text of row j of run b), all on the array ``_U``.
    """
    if f"LAYOUT = 'block{BLOCK}-float64'" not in kernel_text:
        return None
    lines = kernel_text.split("\ndef _run(", 1)[1].split("\n\n", 1)[0].splitlines()
    try:
        first = lines.index("        for b in range(nb):")
        k_at = lines.index("        for k in range(steps):")
        inner = lines.index("            for b in range(nb):", k_at)
    except ValueError:
        return None
    end = next((i for i in range(inner + 1, len(lines))
                if not lines[i].startswith(" " * 16)), len(lines))
    # the first-hit row, where the test's rows go: its record is left out (what the
    # success test computes then goes unused, and the compiler drops it)
    hit = f"_S[{d * BLOCK} + b]"
    load = [ln[12:] for ln in lines[first + 1:k_at] if hit not in ln]
    body = [ln[16:] for ln in lines[inner + 1:end] if hit not in ln]
    to_u = lambda ls: [ln.replace("_S[", "_U[") for ln in ls]  # noqa: E731
    return {"args": ["_U"], "values": [ln.strip() for ln in lines if re.match(r" {4}_q\d+ =", ln)],
            "load": to_u(load), "per_step": [ln[12:] for ln in lines[k_at + 1:inner]],
            "body": to_u(body), "x": lambda j: f"_U[{j * CHUNK} + b]"}


def _call_step(d: int, step_work: list, native: bool = False) -> dict:
    """The step as a call of the map kernel's loop (``_step``, inlined) on the chunk's
    rows ``_Y`` (padded with the last run), its result copied into ``_U``; a
    native field's address and user data (``EXTRA``) passed on."""
    extra = ["addr", "user"] if native else []
    call = f"_step(_Y, _R, _L, q, _Z, _H{''.join(', ' + w for w in step_work + extra)})"
    copy = [f"for b in range({CHUNK}):", f"    for j in range({d}):",
            "        _Y[b, j] = _Z[b, j]", f"        _U[j * {CHUNK} + b] = _Z[b, j]"]
    return {"args": [*step_work, "_Y", "_Z", "_H", "_R", "_L", "_U", *extra], "values": [],
            "pad": [f"for b in range({CHUNK}):", "    r = i0 + min(b, nb - 1)",
                    f"    for j in range({d}):", "        _Y[b, j] = x0[r, j]"],
            "load": [], "per_step": ["_R[0] = rates[k]", "_L[0] = lams[k]", call] + copy,
            "body": None, "x": lambda j: f"_Y[b, {j}]"}


def _rows(d: int, n_s: int) -> dict:
    """Row offsets of a chunk's state in the work array ``_U`` (row r of run b at
    ``r * CHUNK + b``): x, the stay box (lo, hi), s_0, D, gone away, verdict,
    tested this step, x at the verdict."""
    names = [("x", d), ("lo", d), ("hi", d), ("s0", n_s), ("D", 1), ("left", 1),
             ("verdict", 1), ("need", 1), ("at", d)]
    rows, at = {}, 0
    for name, size in names:
        rows[name], at = at, at + size
    rows["count"] = at
    return rows


def _ref(d: int, n_s: int):
    """``u(name, j)``: the text of row ``name`` (+ j) of run b in ``_U``."""
    at = _rows(d, n_s)
    return lambda name, j=0: f"_U[{(at[name] + j) * CHUNK} + b]"


def _screen_lines(d: int, n_s: int) -> list:
    """Whether run b needs its strategies this step (`ParameterRecurrence`'s screen):
    open, and gone away or outside its stay box."""
    u = _ref(d, n_s)
    inside = " & ".join(f"({u('x', j)} >= {u('lo', j)}) & ({u('x', j)} <= {u('hi', j)})"
                        for j in range(d))
    return [f"_in = {inside}",
            f"_n = ((~_in) | ({u('left')} != 0.0)) & ({u('verdict')} == -1.0)",
            f"{u('need')} = 1.0 if _n else 0.0", "need += 1 if _n else 0"]


def _test_lines(d: int, n_s: int, s_lines: list, eps: float, share: float) -> list:
    """`Recurrence.update` of run b where it needs it: its strategies, d_k, D_k, gone
    away, and the verdict (-1 open, k + 1 came back, -2 undecided: a comparison
    within `TIE` of its threshold), in rows of ``_U``. Selects only, no branch,
    every row at a constant offset: the loop vectoriser widens it."""
    u, away = _ref(d, n_s), 5 * eps
    lines = [f"_x{j} = {u('x', j)}" for j in range(d)] + s_lines
    lines.append(f"_dk = abs(_s0 - {u('s0')})")
    for j in range(1, n_s):  # numpy's maximum: a NaN wins
        lines += [f"_a = abs(_s{j} - {u('s0', j)})",
                  "_dk = _a if (_a > _dk) | (_a != _a) else _dk"]
    lines += [f"_open = {u('need')} != 0.0", f"_w = {u('D')}",
              "_w = _dk if _open & ((_dk > _w) | (_dk != _dk)) else _w",
              f"_th = {share!r} * _w",
              f"_bound = _th if (_th > {eps!r}) | (_th != _th) else {eps!r}",
              f"_left = {u('left')} != 0.0",
              f"_near = _left & (abs(_dk - _bound) <= {TIE!r})",
              f"_edge = (~_left) & (abs(_dk - {away!r}) <= {TIE!r})",
              "_v = -2.0 if _near | _edge else (kf if _left & (_dk < _bound) else -1.0)",
              f"_v = _v if _open else {u('verdict')}", "_now = _open & (_v != -1.0)",
              f"{u('D')} = _w",
              f"{u('left')} = 1.0 if _left | (_open & (_dk > {away!r})) else 0.0",
              f"{u('verdict')} = _v"]
    lines += [f"{u('at', j)} = _x{j} if _now else {u('at', j)}" for j in range(d)]
    return lines + ["live -= 1 if _now else 0"]


def _loop(d: int, n_s: int, s_lines: list, step: dict, eps: float, share: float) -> str:
    """The text of the window loop ``_run`` (module docstring); ``step`` from
    `block_step` or `_call_step`."""
    at = {name: row * CHUNK for name, row in _rows(d, n_s).items()}
    ind = lambda n, ls: [" " * n + ln for ln in ls]  # noqa: E731
    args = ", ".join(["x0", "rates", "lams", "q", "final", "first_hit", *step["args"]])
    lines = [f"def _run({args}):", "    n = x0.shape[0]", "    steps = rates.shape[0]"]
    lines += ind(4, step["values"])
    lines += [f"    for i0 in range(0, n, {CHUNK}):", f"        nb = min({CHUNK}, n - i0)"]
    lines += ind(8, step.get("pad", []))
    lines += ["        for b in range(nb):"] + ind(12, step["load"])
    lines += [f"            for j in range({2 * d + n_s}):",
              f"                _U[{at['lo']} + j * {CHUNK} + b] = x0[i0 + b, {d} + j]",
              f"            _U[{at['D']} + b] = 0.0", f"            _U[{at['left']} + b] = 0.0",
              f"            _U[{at['verdict']} + b] = -1.0",
              "        live = nb", "        for k in range(steps):",
              "            if live == 0:", "                break"]
    lines += ind(12, step["per_step"]) + ["            need = 0", "            for b in range(nb):"]
    lines += ind(16, (step["body"] or []) + _screen_lines(d, n_s))  # one pass: step, screen
    test = _test_lines(d, n_s, s_lines, eps, share)
    # many runs to test: all rows, vectorised; a few: those only, one by one
    lines += ["            if need == 0:", "                continue",
              "            kf = float(k + 1)", f"            if need * {_DENSE} >= nb:",
              "                for b in range(nb):"] + ind(20, test)
    lines += ["            else:", "                for b in range(nb):",
              f"                    if _U[{at['need']} + b] == 0.0:",
              "                        continue"] + ind(20, test)
    lines += ["        for b in range(nb):",
              f"            first_hit[i0 + b] = int(_U[{at['verdict']} + b])",
              f"            closed = _U[{at['verdict']} + b] != -1.0"]
    lines += [f"            final[i0 + b, {j}] = _U[{at['at'] + j * CHUNK} + b] if closed "
              f"else {step['x'](j)}" for j in range(d)]
    return "\n".join(lines) + "\n"
