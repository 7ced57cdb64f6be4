"""The text of a block basin kernel: B starts stepped together, one SIMD lane each.

For a small field (`eqselect.numerics.dynamics.kernels.codegen.scalar_block`
output: the normal-form games on logit, softmax or direct with the box)
`block_loop` writes the loop of ``_run`` in structure-of-arrays form:

    for each block of nb = min(B, starts left) starts:     (B = `BLOCK`)
        S[j * B + b] = clip(x0[i0 + b, j]);  S[d * B + b] = -1
        for k in 0 .. K - 1:                          (time outside)
            for b in 0 .. nb - 1:                     (the vectorised loop)
                p = S[. * B + b]
                e_i, g_i = vexp(p_i), 1 / (1 + vexp(-p_i))
                ok = success test on p (in logit space where it can)
                S[d * B + b] = k if S[d * B + b] < 0 and ok   (first hit, a select)
                u = F(p; q);  S[. * B + b] = proj(p + lr_k u)
        the same test on the final state (k = K), then final and first_hit

The body of the inner loop has no call and no branch: the exponential is
`eqselect.numerics.dynamics.kernels.vexp.vexp` (inlined by LLVM), the
clip and the box are ``min``/``max``, the first-hit record is a select and
the success test uses ``&`` and ``|`` on booleans (no short circuit). All
rows, the first hit's included, live in one array at constant offsets
j * B, so LLVM proves the stores independent without runtime alias
checks; the trip count nb is known only at run time, so the loop is not
unrolled before the loop vectoriser widens it to 4 doubles (AVX2) or 8
floats (a constant count of 16 was unrolled, and the unrolled body stayed
scalar).

How to check: numba inspects only code it compiled in the process, so
compile the module's text again without ``cache=True``; then
``_run.inspect_llvm(sig)`` holds ``fmul <4 x double>`` (``<8 x float>``)
and ``_run.inspect_asm(sig)`` ``vdivpd`` (``vdivps``) on ``ymm`` registers
and no call of an exponential; ``tests/numerics/dynamics/kernels/
test_simd.py`` asserts this.

The block computes what the lane-interleaved kernel of
`eqselect.numerics.dynamics.kernels.source` computes, with `vexp` for
``math.exp`` (within 1 ulp of it): the outcomes agree start for start (the
tests compare them). In float32 (``precision="float32"``) every constant,
coordinate and intermediate is a float32 and the rows are 8 wide.
"""

from __future__ import annotations

import re

from eqselect.theory import GameError
from eqselect.numerics.dynamics.kernels.choice import PRECISIONS
from eqselect.numerics.dynamics.kernels.codegen import (
    step_quantity, success_test)

__all__ = ["BLOCK", "block_loop", "float32_line", "float32_text"]

#: Starts per block: 4 AVX2 vectors of doubles (2 of floats). The trip count
#: is not a compile-time constant, so the block size does not change the code;
#: 8, 16, 32 and 64 step Stag Hunt equally fast in float64, 8 is slower in float32.
BLOCK = 16

_EXP = re.compile(r"\bmath\.exp\(")


def _vector_lines(lines) -> list:
    """Lines with the libm exponential replaced by `vexp`."""
    return [_EXP.sub("vexp(", ln) for ln in lines]


def block_loop(parts, coop, params, threshold: float, precision: str = "float64") -> str:
    """The source of ``_run(x0, rates, lams, q, final, first_hit, _S)`` (module docstring;
    ``_S``: (d + 1) B values of ``precision``, the work array, allocated by the caller).

    Parameters
    ----------
    parts : object
        With ``d``, ``m`` (coordinates and run-time values), ``field_lines``
        (`scalar_block` lines assigning ``_u<j>``, and ``_v<j>`` when
        annealed), ``used`` (step quantities ``_e<i>``, ``_g<i>`` the field
        reads), ``proj`` (lines projecting ``_p<i>``: clip or box, not the
        simplex) and ``annealed``, as `eqselect.numerics.dynamics.kernels.
        source` assembles them.
    coop, params, threshold
        The success predicate in the renamed coordinates (``coop`` None: none).
    precision : "float64" or "float32"
    """
    d, m, field_lines, used, proj, annealed = (parts.d, parts.m, parts.field_lines, parts.used,
                                               parts.proj, parts.annealed)
    if precision not in PRECISIONS:
        raise GameError(f"unknown precision {precision!r}; valid: {', '.join(PRECISIONS)}")
    s_lines, s_test, s_used = success_test(coop, params, float(threshold), branch_free=True)
    quantities = [step_quantity(x) for x in sorted(used | s_used)]
    test_q = [step_quantity(x) for x in sorted(s_used)]
    step = [f"_p{j} = _p{j} + rate * " + (f"(_u{j} + lam * (_v{j} - _u{j}))" if annealed
                                         else f"_u{j}") for j in range(d)]
    hit = f"_S[{d * BLOCK} + b]"  # the first-hit step, a row like the coordinates
    record = ["_ok = " + s_test, f"_h = {hit}", f"{hit} = kf if (_h < 0) & _ok else _h"] \
        if coop is not None else []
    load = [f"_p{j} = _S[{j * BLOCK} + b]" for j in range(d)]
    store = [f"_S[{j * BLOCK} + b] = _p{j}" for j in range(d)]
    body = _vector_lines(load + quantities + s_lines + record + field_lines + step + proj + store)
    last = _vector_lines(load + test_q + s_lines + record)
    f32 = precision == "float32"
    cast = "np.float32" if f32 else ""
    head = ["def _run(x0, rates, lams, q, final, first_hit, _S):",
            "    n = x0.shape[0]", "    steps = rates.shape[0]"]
    head += [f"    _q{i} = {cast}(q[{i}])" for i in range(m)]
    # a trip count unknown to the compiler (module docstring)
    block = [f"nb = min({BLOCK}, n - i0)", "for b in range(nb):"]
    block += ["    " + ln for ln in [f"_p{j} = {cast}(x0[i0 + b, {j}])" for j in range(d)]
              + proj + store + [f"{hit} = -1.0"]]
    block += ["for k in range(steps):", f"    rate = {cast}(rates[k])",
              f"    kf = {cast}(float(k))"]
    block += [f"    lam = {cast}(lams[k])"] if annealed else []
    block += ["    for b in range(nb):"] + ["        " + ln for ln in body]
    block += [f"kf = {cast}(float(steps))", "for b in range(nb):"] + ["    " + ln for ln in last]
    block += ["for b in range(nb):"]
    block += [f"    final[i0 + b, {j}] = _S[{j * BLOCK} + b]" for j in range(d)]
    block += [f"    first_hit[i0 + b] = int({hit})"]
    head += [f"    for i0 in range(0, n, {BLOCK}):"] + ["        " + ln for ln in block]
    text = "\n".join(head) + "\n"
    return float32_text(text) if f32 else text


_NUMBER = re.compile(r"(?<![\w.])(\d+\.\d*(?:e[-+]?\d+)?|\d+(?:e[-+]?\d+)?)(?![\w.\[(]| \+ b\])")


def float32_line(line: str) -> str:
    """A line of generated float64 code with every number literal a float32 constant.

    Integer powers ``x**k`` become products (a float32 to an int64 power
    is a float64 in numba); indices, ranges and shifts keep their integers.
    """
    line = line.replace("vexp(", "vexp32(")
    line = re.sub(r"(_[a-z]\d+|\([^()]*\))\*\*(\d+)",
                  lambda mt: "(" + "*".join([mt.group(1)] * int(mt.group(2))) + ")", line)
    return _NUMBER.sub(lambda mt: f"np.float32({mt.group(1)})", line)


def float32_text(text: str) -> str:
    """`float32_line` on the arithmetic lines of a block loop (not on its indexing)."""
    out = []
    for ln in text.splitlines():
        code = ln.strip()
        indexing = (code.startswith(("for ", "def ", "n =", "steps =", "nb =",
                                     "kf = ", "first_hit", "final", "_q"))
                    or re.match(r"_p\d+ = (np\.float32\()?x0|_p\d+ = _S\[|_S\[\d+ \+ b\] = _p",
                                code))
        out.append(ln if indexing else ln.replace(code, float32_line(code)))
    return "\n".join(out) + "\n"
