"""An exponential the loop vectoriser can widen: no libm call, no branch.

numba's ``math.exp`` is a call into libm (numba from pip has no SVML), so a
loop that calls it runs one lane at a time. `vexp` computes e^x with
additions, multiplications and integer bit operations only, all of which
LLVM widens to 4 doubles (AVX2) or 8 floats:

1. clamp x to [-746, 710] (a select: NaN passes through, +-inf are clamped);
2. Cody-Waite reduction x = n ln2 + r, |r| <= ln2 / 2 (plus rounding):
   n = round(x / ln2) by adding and subtracting 1.5 * 2^52 (no conversion
   to an integer, which AVX2 lacks for 64 bits), r_hi = x - n ln2_hi is
   exact (ln2_hi has 21 trailing zero bits), r = r_hi - n ln2_lo, and
   c = (r_hi - r) - n ln2_lo its rounding error;
3. e^r = 1 + r + (c + r^2 P(r)), P the Taylor polynomial 1/2 + r/6 + ...
   + r^11/13! (remainder below 2^-57 relative on |r| <= 0.35) by Horner's
   rule, 1 + r split exactly into its rounded sum and error (Fast2Sum), so
   the last addition rounds once;
4. 2^n as two powers of two 2^n1 2^n2, n1 = n >> 1, n2 = n - n1, built
   from their bits ((n_i + 1023) << 52) after converting n to int32 (one
   AVX2 instruction for 4 doubles): the first product is exact, the second
   rounds once, so results in the subnormal range are rounded once and
   e^x >= 2^1024 is +inf.

Outside the domain the kernels need (clipped logits, |x| <= 8, and their
small integer multiples) the function still agrees with ``math.exp``:
x > 709.79 gives +inf, x < -745.14 gives 0.0 (both exactly as correctly
rounded), +inf gives +inf, -inf gives
0.0, NaN gives NaN; no exception is raised (overflow is not reported, as
with numba's ``error_model='numpy'``).

Accuracy (float64), measured against mpmath at 60 digits over 2 x 10^5
points (uniform, on [-8, 8] and beside every k ln2 / 2;
``tests/numerics/dynamics/kernels/test_vexp.py`` checks the bounds): at
most 0.66 units in the last place where e^x is normal (x >= -708.39),
`ULP_NORMAL` the tested bound; where e^x is subnormal the polynomial's
rounding and the final one add up, 0.75 ulp observed and `ULP_BOUND` = 1
the bound; e^0 = 1 exactly. It differs from glibc's ``math.exp`` by at
most one ulp, on 1.6 % of points. The float32 version (`vexp32`, the same steps in float32 with a
degree-7 polynomial, ln2_hi with 9 trailing zero bits, exact for |n| <= 150,
1.5 * 2^23 as the rounding constant) is within 0.71 float32 ulps on
[-87, 88.5], `ULP_BOUND32` the tested bound.

The functions are compiled without fastmath: reassociation would undo the
rounding constant, the Cody-Waite split and Fast2Sum. LLVM does not contract
a * b + c into an FMA under numba's default flags, so every core computes
the same bits; with contraction (``fastmath={"contract"}``) each Horner step
would round once instead of twice, the last bits would change and the
bounds would have to be measured again.
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

__all__ = ["ULP_BOUND", "ULP_BOUND32", "ULP_NORMAL", "vexp", "vexp32"]

#: Largest error of `vexp` (units in the last place), the tests' bound.
ULP_BOUND = 1.0
#: Largest error of `vexp` where e^x is a normal float64 (x >= -708.39).
ULP_NORMAL = 0.7
#: Largest error of `vexp32` (float32 units in the last place).
ULP_BOUND32 = 0.75


@intrinsic
def _scale_f64(typingctx, y, nf):
    """y 2^n1 2^n2 for the integer-valued float64 nf = n, n1 = n >> 1, n2 = n - n1.

    n is converted to a 32-bit integer (AVX2 converts 4 doubles to 4 int32 in
    one instruction, but has no conversion to int64 and no 64-bit arithmetic
    shift), and each power of two is built in 64 bits: ((n_i + 1023) << 52).
    """
    if not (isinstance(y, types.Float) and isinstance(nf, types.Float)):
        return None

    def codegen(context, builder, sig, args):
        i32, i64, f64 = ir.IntType(32), ir.IntType(64), ir.DoubleType()
        n = builder.fptosi(args[1], i32)
        n1 = builder.ashr(n, ir.Constant(i32, 1))
        bias, shift = ir.Constant(i32, 1023), ir.Constant(i64, 52)

        def power(k):
            wide = builder.sext(builder.add(k, bias), i64)
            return builder.bitcast(builder.shl(wide, shift), f64)

        return builder.fmul(builder.fmul(args[0], power(n1)), power(builder.sub(n, n1)))

    return types.float64(types.float64, types.float64), codegen


@intrinsic
def _scale_f32(typingctx, y, nf):
    """y 2^n1 2^n2 for the integer-valued float32 nf = n, n1 = n >> 1, n2 = n - n1.

    In 32-bit integer operations only (AVX2 has no 64-bit arithmetic shift or
    float-to-int64 conversion, which would keep the loop scalar).
    """
    if not (isinstance(y, types.Float) and isinstance(nf, types.Float)):
        return None

    def codegen(context, builder, sig, args):
        i32, f32 = ir.IntType(32), ir.FloatType()
        n = builder.fptosi(args[1], i32)
        n1 = builder.ashr(n, ir.Constant(i32, 1))
        bias, shift = ir.Constant(i32, 127), ir.Constant(i32, 23)

        def power(k):
            return builder.bitcast(builder.shl(builder.add(k, bias), shift), f32)

        return builder.fmul(builder.fmul(args[0], power(n1)), power(builder.sub(n, n1)))

    return types.float32(types.float32, types.float32), codegen


_SHIFT = 6755399441055744.0  # 1.5 * 2^52: x + _SHIFT rounds x to an integer
_INV_LN2 = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01  # 0x3fe62e42fee00000
_LN2_LO = 1.90821492927058770002e-10
_LOW, _HIGH = -746.0, 710.0


@numba.njit(cache=True, nogil=True, error_model="numpy")
def vexp(x):
    """e^x in float64 without libm (see the module docstring)."""
    x = _HIGH if x > _HIGH else x
    x = _LOW if x < _LOW else x
    nf = (x * _INV_LN2 + _SHIFT) - _SHIFT  # round(x / ln2), exactly an integer
    hi = x - nf * _LN2_HI
    lo = nf * _LN2_LO
    r = hi - lo
    c = (hi - r) - lo
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    s = c + (r * r) * p
    a = 1.0 + r
    y = a + (((1.0 - a) + r) + s)  # 1 + r split exactly (Fast2Sum, |r| < 1)
    return _scale_f64(y, nf)


_SHIFT32 = np.float32(12582912.0)  # 1.5 * 2^23
_INV_LN2_32 = np.float32(1.44269504)
_LN2_HI32 = np.float32(0.693145752)  # 0x3f317200
_LN2_LO32 = np.float32(1.42860677e-06)
_LOW32, _HIGH32 = np.float32(-104.0), np.float32(89.0)
_C32 = tuple(np.float32(1.0 / f) for f in (5040.0, 720.0, 120.0, 24.0, 6.0, 2.0))
_ONE32 = np.float32(1.0)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def vexp32(x):
    """e^x in float32 without libm (see the module docstring)."""
    x = _HIGH32 if x > _HIGH32 else x
    x = _LOW32 if x < _LOW32 else x
    nf = (x * _INV_LN2_32 + _SHIFT32) - _SHIFT32
    hi = x - nf * _LN2_HI32
    lo = nf * _LN2_LO32
    r = hi - lo
    c = (hi - r) - lo
    p = _C32[0]
    p = p * r + _C32[1]
    p = p * r + _C32[2]
    p = p * r + _C32[3]
    p = p * r + _C32[4]
    p = p * r + _C32[5]
    s = c + (r * r) * p
    a = _ONE32 + r
    y = a + (((_ONE32 - a) + r) + s)
    return _scale_f32(y, nf)
