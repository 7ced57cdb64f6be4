"""Large fields in basin kernels: symengine's LLVM code called from the numba loop.

numba compiles long straight-line functions slowly (minutes for the
discounted IPD's 1600 intermediates), while symengine's LLVM back end
compiles the same field in seconds. For a field past `NATIVE_LINES`
common subexpressions the kernel module therefore keeps only the loop
(schedule, projection, success test) in numba and evaluates the field
through a function pointer, ``f(out, in, user)`` with ``in = (p, e, q)``:
the coordinates, slots for e_i = exp(p_i), and the run-time symbols. The
compiled field is pickled next to the module (symengine keeps its machine
code in the pickle), so a cached kernel loads without compiling anything.
"""

from __future__ import annotations

import pickle

import symengine as se
from llvmlite import ir
from numba import types
from numba.core.extending import intrinsic

from eqselect.numerics.codegen import refuse_unknown
from eqselect.numerics.dynamics.kernels.choice import NATIVE_LINES  # noqa: F401
from eqselect.numerics.dynamics.kernels.codegen import power


@intrinsic
def call_native(typingctx, addr, out, inp, user):
    """Call ``void f(double *out, const double *in, void *user)`` at address ``addr``."""
    sig = types.void(types.intp, out, inp, types.intp)

    def codegen(context, builder, signature, args):
        dptr = ir.DoubleType().as_pointer()
        vptr = ir.IntType(8).as_pointer()
        fnty = ir.FunctionType(ir.VoidType(), [dptr, dptr, vptr])
        fn = builder.inttoptr(args[0], fnty.as_pointer())
        o = context.make_array(signature.args[1])(context, builder, args[1]).data
        i = context.make_array(signature.args[2])(context, builder, args[2]).data
        builder.call(fn, [o, i, builder.inttoptr(args[3], vptr)])
        return context.get_dummy_value()

    return sig, codegen


def native_field(exprs, params, extras) -> tuple[bytes, set]:
    """The pickled symengine LLVM function of ``exprs`` with inputs (p, e, q).

    The expressions go to symengine as they are, in the game's own symbols
    and order (the e inputs are left unused): the code is then the numpy
    backend's (`eqselect.numerics.codegen.compile_exprs`), so both agree to
    the last bit, even on trajectories that amplify rounding (a few percent
    of the IPD's random starts do).

    Returns
    -------
    blob : bytes
        ``pickle`` of the ``Lambdify`` object.
    used : set of str
        The e_i (`step_quantity` names) the field reads: none.
    """
    args = list(params) + [power(i) for i in range(len(params))] + list(extras)
    refuse_unknown(list(exprs), args)
    return pickle.dumps(se.Lambdify(args, list(exprs), cse=True, backend="llvm")), set()


#: Module text that loads the pickled field and exposes ``run`` (see kernel_source).
LOADER = '''
import ctypes
import pickle

from eqselect.numerics.disk_cache import load
from eqselect.numerics.dynamics.kernels.native import call_native

from pathlib import Path

# written with this module, framed with its checksum, checked before import
FIELD = pickle.loads(load(Path(__file__[:-3] + ".field")))
_FN, _USER = FIELD.as_ctypes()
ADDR = ctypes.cast(_FN, ctypes.c_void_p).value
USER = ctypes.cast(_USER, ctypes.c_void_p).value or 0
'''
