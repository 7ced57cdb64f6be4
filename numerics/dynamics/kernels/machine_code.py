"""A compiled kernel kept as machine code: written once by numba, loaded without it.

numba's own cache makes a second process skip compilation, but the
process still imports numba (a quarter of a second) and, at the first
call, builds numba's typing and lowering registries (longer still): that
fixed cost is most of a warm command's start-up. A kernel whose compiled
loop needs nothing from numba's runtime is therefore also kept as an
object file, and later processes load it with llvmlite (numba's code
generator, imported alone in a few hundredths of a second) and call it
through ctypes, which releases the GIL like numba's ``nogil`` functions.

`export` (in a process where numba compiled, or loaded, the loop) wraps the
compiled function in a C entry point

    int32 entry(void **data, int64 *shape)

that builds numba's array structures from the data pointers and shapes of
its C-contiguous array arguments (every argument must be an array) and
calls the compiled loop, linked in from numba's code library and optimised
with the entry point. Without contraction of multiply-adds the results are
numba's bit for bit (a test compares them); a loop compiled with fastmath
"contract" (the IPD's chain field) may contract otherwise once linked, and
agrees with numba's copy to rounding. The object file is
written only when its code calls nothing but the C library's math and
memory functions (`C_LIBRARY`): no allocation, no reference counting, no
exception raised through Python (the kernels allocate nothing and compile
with ``error_model='numpy'``). The undefined symbols are checked twice: in
the linked LLVM module, and in the ELF object file itself (`elf_undefined`:
code generation may add calls, such as ``memset`` for a loop that zeroes
an array), because a symbol the loader cannot resolve would end the
process. Otherwise the reason is returned and numba keeps running the kernel.

The file (``k_<key>.o`` beside the kernel module) is framed with its
checksum (`eqselect.numerics.disk_cache.store`) and starts with a JSON
line: the entry's symbol, the arguments' dtypes and dimensions, the
symbols the code needs, and the target (triple, CPU name, CPU features)
it was compiled for. `load` refuses a damaged file or one compiled for
another processor, and the caller falls back to numba.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import struct
import threading
from pathlib import Path

import numpy as np

from eqselect.numerics.disk_cache import load as load_framed, store

__all__ = ["C_LIBRARY", "LIBM", "MachineKernel", "elf_undefined", "export", "load", "target"]

#: The C math functions compiled code may call (resolved in the C math library).
LIBM = frozenset({"exp", "expm1", "log", "log1p", "pow", "sqrt", "sin", "cos", "tan", "tanh",
                  "atan", "atan2", "sinh", "cosh", "fabs", "floor", "ceil", "round", "fmod",
                  "exp2", "log2", "log10", "fmin", "fmax", "expf", "logf", "powf", "sqrtf"})
#: What an object file may leave for the loader to resolve: the math functions and
#: the memory routines LLVM emits for loops that copy or fill.
C_LIBRARY = LIBM | {"memset", "memcpy", "memmove"}

_DTYPES = {"float64": np.float64, "float32": np.float32, "int64": np.int64}
_LOCK = threading.Lock()


def target() -> list:
    """[triple, CPU name, CPU features] of this process, as numba's code
    generator names its target (``magic_tuple``)."""
    import llvmlite.binding as llvm

    try:
        features = llvm.get_host_cpu_features().flatten()
    except RuntimeError:
        features = ""
    return [llvm.get_process_triple(), llvm.get_host_cpu_name(), features]


def _array_args(argtypes) -> list | None:
    """[(dtype name, ndim)] of a signature of C-contiguous arrays, else None."""
    out = []
    for ty in argtypes:
        name = str(getattr(ty, "dtype", ""))
        if getattr(ty, "layout", None) != "C" or name not in _DTYPES:
            return None
        out.append((name, int(ty.ndim)))
    return out


def _wrapper(cres, symbol: str):
    """A numba code library holding ``int32 symbol(void **data, int64 *shape)`` that
    calls the compiled function of ``cres`` (numba's calling convention)."""
    from llvmlite import ir
    from numba.core import cgutils, types
    from numba.core.compiler_lock import global_compiler_lock

    ctx, fndesc = cres.target_context, cres.fndesc
    library = ctx.codegen().create_library(symbol)
    module = library.create_ir_module(symbol)
    i64, i8p = ir.IntType(64), ir.IntType(8).as_pointer()
    entry = ir.Function(module, ir.FunctionType(ir.IntType(32), [i8p.as_pointer(),
                                                                 i64.as_pointer()]), symbol)
    b = ir.IRBuilder(entry.append_basic_block())
    datas, shapes = entry.args
    args, at = [], 0
    for j, ty in enumerate(fndesc.argtypes):
        item = ctx.get_abi_sizeof(ctx.get_data_type(ty.dtype))
        data = b.bitcast(b.load(b.gep(datas, [ir.Constant(i64, j)])),
                         ctx.get_data_type(ty.dtype).as_pointer())
        shape = [b.load(b.gep(shapes, [ir.Constant(i64, at + i)])) for i in range(ty.ndim)]
        at += ty.ndim
        strides = [ir.Constant(i64, item)]
        for extent in reversed(shape[1:]):  # C order
            strides.insert(0, b.mul(strides[0], extent))
        array = ctx.make_array(ty)(ctx, b)
        ctx.populate_array(array, data=data, shape=shape, strides=strides,
                           itemsize=ctx.get_constant(types.intp, item), meminfo=None)
        args.append(array._getvalue())
    callee = cgutils.get_or_insert_function(
        module, ctx.call_conv.get_function_type(fndesc.restype, fndesc.argtypes),
        fndesc.llvm_func_name)
    status, _ = ctx.call_conv.call_function(b, callee, fndesc.restype, fndesc.argtypes, args)
    b.ret(b.zext(status.is_error, ir.IntType(32)))
    with global_compiler_lock:
        library.add_ir_module(module)
        library.add_linking_library(cres.library)
        library.enable_object_caching()
        library.finalize()
    return library


def _undefined(module) -> list:
    """Names a final LLVM module uses without defining (LLVM intrinsics aside)."""
    names = [f.name for f in module.functions
             if f.is_declaration and not f.name.startswith("llvm.")]
    return sorted(names + [g.name for g in module.global_variables if g.is_declaration])


def elf_undefined(code: bytes) -> list | None:
    """The undefined symbols of a 64-bit little-endian ELF object file, or None for
    any other format (the object files are then not kept).

    Reads the section headers (offset ``e_shoff``, ``e_shnum`` entries of 64
    bytes), the symbol table (type 2) and its string table (``sh_link``): a
    symbol of section index 0 with a name is undefined.
    """
    if code[:6] != b"\x7fELF\x02\x01":
        return None
    shoff, = struct.unpack_from("<Q", code, 0x28)
    shnum, = struct.unpack_from("<H", code, 0x3C)
    sections = [struct.unpack_from("<IIQQQQIIQQ", code, shoff + 64 * i) for i in range(shnum)]
    names = set()
    for _, kind, _, _, offset, size, link, _, _, entsize in sections:
        if kind != 2 or not entsize:
            continue
        strtab = sections[link][4]
        for at in range(offset, offset + size, entsize):
            name, _, _, shndx, _, _ = struct.unpack_from("<IBBHQQ", code, at)
            if name and shndx == 0:
                names.add(code[strtab + name:code.index(b"\0", strtab + name)].decode())
    return sorted(names)


def export(cres, path: Path, symbol: str) -> str | None:
    """Write the object file of the compiled function ``cres`` at ``path``.

    Returns
    -------
    str or None
        None when written; otherwise why the function stays with numba
        (an argument that is not a C-contiguous array, a call into numba's
        runtime or another library, an object format other than ELF, an
        unwritable folder).
    """
    args = _array_args(cres.fndesc.argtypes)
    if args is None:
        return "an argument is not a C-contiguous float64, float32 or int64 array"
    library = _wrapper(cres, symbol)
    other = [n for n in _undefined(library._final_module) if n not in LIBM]
    if other:
        return "the code calls into numba's runtime: " + ", ".join(other[:4])
    library.get_pointer_to_function(symbol)  # compiles; object caching keeps the code
    code = library._get_compiled_object()
    needs = elf_undefined(code)
    if needs is None:
        return "the object file is not 64-bit ELF"
    if not set(needs) <= C_LIBRARY:
        return "the object code calls " + ", ".join(sorted(set(needs) - C_LIBRARY)[:4])
    head = {"symbol": symbol, "args": args, "needs": needs,
            "target": list(library.codegen.magic_tuple())}
    blob = json.dumps(head).encode() + b"\n" + code
    return None if store(path, blob) else "the cache folder is not writable"


class MachineKernel:
    """A loaded entry point: ``kernel(*arrays)`` calls it (the GIL released).

    Attributes
    ----------
    args : list of (dtype name, ndim)
    """

    def __init__(self, engine, address: int, args):
        self._engine = engine  # owns the code: kept alive with the function
        self.args = [(_DTYPES[name], ndim) for name, ndim in args]
        self._fn = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p)(address)

    def __call__(self, *arrays) -> None:
        if len(arrays) != len(self.args):
            raise TypeError(f"the kernel takes {len(self.args)} arrays, got {len(arrays)}")
        shape = []
        for a, (dtype, ndim) in zip(arrays, self.args):
            if a.dtype != dtype or a.ndim != ndim or not a.flags.c_contiguous:
                raise TypeError(f"the kernel takes C-contiguous {np.dtype(dtype)} arrays of "
                                f"{ndim} dimensions; got {a.dtype}, {a.ndim}")
            shape += a.shape
        data = (ctypes.c_void_p * len(arrays))(*[a.ctypes.data for a in arrays])
        extents = np.array(shape, dtype=np.int64)
        if self._fn(data, extents.ctypes.data) != 0:
            raise FloatingPointError("the compiled kernel reported an error")


def _c_libraries() -> bool:
    """Make the C library and its math library visible to LLVM's linker (once)."""
    import llvmlite.binding as llvm

    if not _LOADED_LIBRARIES:
        for name in ("c", "m"):
            found = ctypes.util.find_library(name)
            try:
                llvm.load_library_permanently(found)
            except (RuntimeError, TypeError):  # not found, or not loadable
                return False
        _LOADED_LIBRARIES.append(True)
    return True


_LOADED_LIBRARIES: list = []


def load(path: Path) -> MachineKernel | None:
    """The entry point in the object file at ``path``; None when the file is
    absent, damaged, or compiled for another target."""
    blob = load_framed(path)
    if blob is None:
        return None
    head, _, code = blob.partition(b"\n")
    try:
        meta = json.loads(head)
        symbol, args, needs, made_for = meta["symbol"], meta["args"], meta["needs"], meta["target"]
    except (ValueError, KeyError, TypeError):
        return None
    import llvmlite.binding as llvm

    if list(made_for) != target() or not set(needs) <= C_LIBRARY:
        return None  # another processor, or a symbol nothing here resolves
    with _LOCK:
        if not _c_libraries():
            return None
        try:
            llvm.initialize()  # needed by older llvmlite; newer ones refuse the call
        except RuntimeError:
            pass
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        machine = llvm.Target.from_default_triple().create_target_machine()
        engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), machine)
        engine.add_object_file(llvm.ObjectFileRef.from_data(code))
        engine.finalize_object()
        address = engine.get_function_address(symbol)
    return MachineKernel(engine, address, args) if address else None
