"""Code generation: exact expressions -> vectorised numeric functions.

``compile_exprs(exprs, symbols, params)`` returns ``f(x, p=())`` evaluating
every expression at many points at once: x has shape (n_points, len(symbols))
(or (len(symbols),)), p holds the values of ``params`` (broadcast to every
point), and the result has shape (n_points, len(exprs)). Common
subexpressions are eliminated before code is emitted.

Backends (picked by name, see ``BACKENDS``):

- ``"llvm"``: symengine's LLVM JIT (default; compiled machine code, kept in
  the disk cache, `cached_llvm`, so a field is compiled once per machine);
- ``"lambda"``: symengine's interpreted double-precision evaluator;
- ``"numpy"``: sympy ``lambdify`` to numpy with cse (no symengine JIT).
"""

from __future__ import annotations

import pickle
from typing import Callable, Sequence

import numpy as np
import symengine as se
import sympy as sp

from eqselect.numerics.disk_cache import cache_root, digest, load, store
from eqselect.theory.engine import to_engine, to_sympy
from eqselect.theory.errors import ExpressionError
from eqselect.theory.functions import ALLOWED_FUNCTIONS, unknown_message
from eqselect.theory.validate import precision


def _symengine(backend: str):
    def build(exprs, args):
        f = (cached_llvm(exprs, args) if backend == "llvm"
             else se.Lambdify(args, exprs, cse=True, backend=backend))

        def run(points):
            return np.asarray(f(points), dtype=float).reshape(points.shape[0], len(exprs))

        return run

    return build


def _numpy(exprs, args):
    # positional names: the game's symbol names never reach the printed source
    names = {to_sympy(a): sp.Symbol(f"_x{k}") for k, a in enumerate(args)}
    sym_args = list(names.values())
    sym_exprs = [to_sympy(e).xreplace(names) for e in exprs]
    f = sp.lambdify(sym_args, sym_exprs, modules="numpy", cse=True)

    def run(points):
        cols = f(*points.T)
        return np.column_stack([np.broadcast_to(np.asarray(c, dtype=float), (points.shape[0],))
                                for c in cols])

    return run


#: Bumped whenever the cached form of a compiled field changes.
FIELD_FORMAT = "eqselect-llvm-field-1"
_VERSIONS: list = []


def _versions() -> str:
    """eqselect's and symengine's versions: part of every cached field's key."""
    if not _VERSIONS:
        from eqselect.theory.serialize import package_version

        _VERSIONS.append(f"eqselect {package_version()} symengine {se.__version__}")
    return _VERSIONS[0]


def field_key(exprs, args) -> str:
    """The disk-cache key of a compiled field: a hash of its symbolic form.

    The form is read through symengine's structural hash of each expression
    (computed once per node of the shared graph and kept there, so the key of
    a field as large as the discounted IPD's costs microseconds where printing
    or eliminating its common subexpressions costs seconds), with the
    argument names in order, the number of expressions, `FIELD_FORMAT` and
    the versions of eqselect and symengine. The structural hash is cheap and
    the same in every process, but it has 32 bits: a key names a candidate
    entry, and `cached_llvm` accepts it only if it agrees with the
    expressions at probe points (`_agrees`).
    """
    return digest("\n".join([
        FIELD_FORMAT, _versions(), " ".join(str(a) for a in args), str(len(exprs)),
        " ".join(f"{type(e).__name__}:{hash(e)}" for e in exprs)]))


def cached_llvm(exprs, args):
    """symengine's LLVM ``Lambdify`` of ``exprs``, from the disk cache or compiled once.

    A compiled field is pickled (symengine keeps its machine code in the
    pickle) under ``fields/`` of the cache folder (`eqselect.numerics.
    disk_cache`), keyed by `field_key`; a fresh process loads it instead of
    compiling. An entry that is damaged, does not unpickle or does not agree
    with the expressions at the probe points (`_agrees`) is compiled again
    and rewritten; an unwritable
    cache only means no entry is written.
    """
    path = cache_root() / "fields" / f"f_{field_key(exprs, args)}.pkl"
    payload = load(path)
    if payload is not None:
        try:
            f = pickle.loads(payload)  # noqa: S301 -- an entry this module wrote, checksummed
            if _agrees(f, exprs, args):
                return f
        except Exception:  # a damaged or foreign entry: compiled again below
            pass
    f = se.Lambdify(args, exprs, cse=True, backend="llvm")
    store(path, pickle.dumps(f))
    return f


#: Probe points of a loaded field: irrational-looking coordinates, so that two
#: different fields agreeing at both is a coincidence of measure zero.
_PROBES = ((0.3183098861837907, -0.5772156649015329, 0.7071067811865476, -0.2718281828459045),
           (-0.1414213562373095, 0.6180339887498949, -0.4342944819032518, 0.5403023058681398))


def _agrees(f, exprs, args) -> bool:
    """Whether the loaded field ``f`` equals ``exprs`` at the probe points.

    The expressions are evaluated by substitution into symengine's shared
    graph (each node once: 0.05 s for the discounted IPD's terms), so a cache
    key shared by two fields (`field_key`) never hands back the other one.
    A probe where the expressions are not finite proves nothing: the entry
    is then compiled again.
    """
    for probe in _PROBES:
        x = [probe[k % len(probe)] * (1 + k // len(probe)) for k in range(len(args))]
        want = np.array([complex(e.xreplace({a: se.RealDouble(v) for a, v in zip(args, x)}))
                         for e in exprs])
        got = np.asarray(f(np.array(x)), dtype=float).reshape(-1)
        if got.size != len(exprs) or not np.all(np.isfinite(want)) or np.any(want.imag) \
                or not np.allclose(got, want.real, rtol=1e-9, atol=1e-12):
            return False
    return True


BACKENDS: dict[str, Callable] = {
    "llvm": _symengine("llvm"),
    "lambda": _symengine("lambda"),
    "numpy": _numpy,
}


def compile_exprs(exprs: Sequence, symbols: Sequence, params: Sequence = (),
                  backend: str = "llvm") -> Callable[..., np.ndarray]:
    """Compile expressions into a vectorised function ``f(x, p=())``.

    Parameters
    ----------
    exprs : sequence of sympy or symengine expressions, length m
    symbols : sequence of symbols, length d
        The point coordinates, in the order of x's columns.
    params : sequence of symbols, length k
        Further symbols (eta, lambda, payoff symbols), in the order of p.
    backend : str
        A key of ``BACKENDS``.

    Returns
    -------
    f : callable
        ``f(x, p=())`` with x of shape (n, d) or (d,) and p of length k;
        returns shape (n, m) or (m,).

    Raises
    ------
    ValueError
        For an unknown backend (the message lists the valid ones).
    ExpressionError
        For expressions with free symbols outside ``symbols`` and ``params``
        or a function code generation does not know (`refuse_unknown`).

    Examples
    --------
    >>> import sympy as sp
    >>> x, y = sp.symbols("x y")
    >>> f = compile_exprs([x * y, x + y], [x, y])
    >>> f([2.0, 3.0]).tolist()
    [6.0, 5.0]
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; valid: {', '.join(BACKENDS)}")
    args = [to_engine(s) for s in symbols] + [to_engine(s) for s in params]
    se_exprs = [to_engine(e) for e in exprs]
    refuse_unknown(se_exprs, args)
    run = BACKENDS[backend](se_exprs, args)
    d, k = len(symbols), len(params)

    def f(x, p=()) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        single = x.ndim == 1
        pts = np.atleast_2d(x)
        if pts.shape[1] != d:
            raise ValueError(f"points have {pts.shape[1]} coordinates; expected {d}")
        p = np.asarray(p, dtype=float).reshape(-1)
        if p.size != k:
            raise ValueError(f"got {p.size} parameter values; expected {k}")
        full = np.hstack([pts, np.broadcast_to(p, (pts.shape[0], k))]) if k else pts
        out = run(np.ascontiguousarray(full))
        return out[0] if single else out

    f.__doc__ = (f"Evaluate {len(se_exprs)} expressions at points x (columns "
                 f"{[str(s) for s in symbols]}) with p = {[str(s) for s in params]}.")
    return f


def compile_mpmath(exprs: Sequence, symbols: Sequence, params: Sequence = (),
                   dps: int = 50) -> Callable[..., list]:
    """Compile expressions for arbitrary-precision evaluation at one point.

    Returns ``f(x, p=())`` giving a list of ``mpmath.mpf`` computed at ``dps``
    significant digits (the inputs are converted at that precision, so pass
    strings or exact numbers to keep them exact). Used to certify roots and
    signs where double precision cannot. The code is generated once by
    `mpmath_function` (symengine's common-subexpression elimination, then
    mpmath source), not by ``sympy.lambdify`` per call.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> f = compile_mpmath([sp.exp(x) - 1], [x], dps=40)
    >>> str(f(["1e-30"])[0])[:12]
    '1.0000000000'
    """
    import mpmath

    dps = precision(dps)
    f = mpmath_function(exprs, list(symbols) + list(params))

    def run(x, p=()) -> list:
        with mpmath.workdps(dps):
            vals = [mpmath.mpf(v) if not isinstance(v, sp.Basic) else mpmath.mpf(str(v.evalf(dps + 5)))
                    for v in list(x) + list(p)]
            return [mpmath.mpf(r) for r in f(*vals)]

    return run


#: symengine node types code generation prints besides `ALLOWED_FUNCTIONS`.
_ALLOWED_NODES = frozenset({
    "Integer", "Rational", "Zero", "One", "NegativeOne", "Half", "RealDouble", "RealMPFR",
    "Exp1", "Pi", "Add", "Mul", "Pow", "Symbol", "Dummy",
    "LessThan", "StrictLessThan", "Equality", "Unequality", "BooleanTrue", "BooleanFalse",
    "And", "Or", "Not", "PiecewiseTuple",
})


def refuse_unknown(se_exprs, args) -> None:
    """Refuse expressions holding anything code generation does not know.

    Every node of the expression graph must be a number, ``+ * ^``, a
    function of `ALLOWED_FUNCTIONS` or one of ``args``; anything else (an
    undefined function, whose name is arbitrary text, or a sympy function
    symengine wraps) raises `ExpressionError` naming it, before any source
    is generated. Generated source (numpy and mpmath functions, basin
    kernels) then holds only numbers, known functions and the argument names
    it makes itself, never a name taken from a game. The graph is walked
    once per distinct node, so large shared fields stay cheap.

    Raises
    ------
    ExpressionError
        An unknown function, or a symbol that is not an argument.
    """
    allowed = set(args)
    seen, stack, loose = set(), list(se_exprs), set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        kind = type(node).__name__
        if kind in ("Symbol", "Dummy"):
            if node not in allowed:
                loose.add(str(node))
            continue
        if kind not in _ALLOWED_NODES and kind not in ALLOWED_FUNCTIONS:
            name = node.get_name() if kind == "FunctionSymbol" else kind
            raise ExpressionError(unknown_message(str(name)))
        stack.extend(node.args)
    if loose:
        names = ", ".join(sorted(loose))
        raise ExpressionError(f"expressions have symbols with no value: {names}")


def mpmath_function(exprs: Sequence, args: Sequence) -> Callable[..., list]:
    """One Python function ``f(*args) -> list`` of mpmath values, generated once.

    The expressions go through symengine's ``cse``; each reduced expression
    is printed as mpmath source by `_mp_source` (integers stay exact, a
    rational p/q becomes ``mpf(p)/q`` at the caller's precision), and the
    source is compiled once. Evaluation runs at the current ``mpmath.mp``
    precision. Expressions holding a function `_mp_source` does not know are
    handed to ``sympy.lambdify(..., "mpmath")`` instead (slow for large
    expressions but complete).

    Examples
    --------
    >>> import mpmath, sympy as sp
    >>> x, y = sp.symbols("x y")
    >>> f = mpmath_function([sp.exp(x) * y / 3, sp.sqrt(2) + (1 + x) ** -2], [x, y])
    >>> [mpmath.nstr(v, 15) for v in f(mpmath.mpf(0), mpmath.mpf(3))[:1]]
    ['1.0']
    >>> mpmath.nstr(f(mpmath.mpf(1), mpmath.mpf(1))[1], 15)
    '1.6642135623731'

    """
    se_args = [to_engine(a) for a in args]
    se_exprs = [to_engine(e) for e in exprs]
    refuse_unknown(se_exprs, se_args)
    names = {a: f"x{k}" for k, a in enumerate(se_args)}
    try:
        reps, reduced = se.cse(se_exprs)
        lines = []
        for k, (sym, rhs) in enumerate(reps):
            lines.append(f"    {_mp_name(names, sym, k)} = {_mp_source(rhs, names)}")
        body = ", ".join(_mp_source(e, names) for e in reduced)
    except NotImplementedError:
        plain = {to_sympy(a): sp.Symbol(f"_x{k}") for k, a in enumerate(se_args)}
        return sp.lambdify(list(plain.values()), [to_sympy(e).xreplace(plain) for e in exprs],
                           modules="mpmath", cse=True)
    src = (f"def _f({', '.join(names[a] for a in se_args)}):\n" + "\n".join(lines)
           + f"\n    return [{body}]\n")
    import mpmath

    namespace = {"_mpf": mpmath.mpf, "_exp": mpmath.exp, "_log": mpmath.log,
                 "_sqrt": mpmath.sqrt, "_pow": mpmath.power, "_mp": mpmath}
    exec(compile(src, "<eqselect.codegen.mpmath>", "exec"), namespace)  # noqa: S102 -- generated
    return namespace["_f"]


def _mp_name(names: dict, sym, k: int) -> str:
    names[sym] = f"t{k}"
    return names[sym]


_MP_FUNCTIONS = {"log": "_log", "sin": "_mp.sin", "cos": "_mp.cos", "tan": "_mp.tan",
                 "Abs": "_mp.fabs", "tanh": "_mp.tanh", "sinh": "_mp.sinh", "cosh": "_mp.cosh"}


def _mp_source(e, names: dict) -> str:
    """mpmath source of one symengine expression (NotImplementedError for unknown nodes)."""
    if e in names:
        return names[e]
    kind = type(e).__name__
    if kind in ("Integer", "Zero", "One", "NegativeOne"):
        return f"_mpf({int(e)})"
    if kind in ("Rational", "Half"):
        num, den = e.get_num_den()
        return f"(_mpf({int(num)}) / {int(den)})"
    if kind in ("RealDouble", "RealMPFR"):
        return f"_mpf({str(e)!r})"
    if kind == "Exp1":
        return "_mp.e"
    if kind == "Pi":
        return "_mp.pi"
    if kind == "Add":
        return "(" + " + ".join(_mp_source(a, names) for a in e.args) + ")"
    if kind == "Mul":
        return "(" + " * ".join(_mp_source(a, names) for a in e.args) + ")"
    if kind == "Pow":
        return _mp_pow(e, names)
    if kind in _MP_FUNCTIONS and len(e.args) == 1:
        return f"{_MP_FUNCTIONS[kind]}({_mp_source(e.args[0], names)})"
    raise NotImplementedError(f"no mpmath source for {kind}")


def _mp_pow(e, names: dict) -> str:
    base, expo = e.args
    if type(base).__name__ == "Exp1":
        return f"_exp({_mp_source(expo, names)})"
    b = _mp_source(base, names)
    kind = type(expo).__name__
    if kind in ("Integer", "Zero", "One", "NegativeOne"):
        return f"({b} ** {int(expo)})"
    if kind in ("Rational", "Half") and tuple(int(v) for v in expo.get_num_den()) == (1, 2):
        return f"_sqrt({b})"
    return f"_pow({b}, {_mp_source(expo, names)})"


def evaluate_exact(exprs: Sequence, symbols: Sequence, point: Sequence) -> list:
    """Exact values of expressions at an exact point (sympy numbers; not simplified,
    which can take minutes for exponentials at rational points).

    Examples
    --------
    >>> import sympy as sp
    >>> p1, p2 = sp.symbols("p1 p2")
    >>> evaluate_exact([3 * p2 - 2, p1 * p2], [p1, p2], [sp.Rational(2, 3), sp.Rational(1, 2)])
    [-1/2, 1/3]
    >>> evaluate_exact([sp.exp(-p1)], [p1], [sp.log(2)])
    [1/2]
    """
    sub = dict(zip(symbols, point))
    out = []
    for e in exprs:
        value = (e if isinstance(e, sp.Basic) else e._sympy_()).xreplace(sub)
        out.append(value)
    return out
