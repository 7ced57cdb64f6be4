"""Scalar code for the fused basin kernels: a field as straight-line numba source.

`scalar_block` turns a list of expressions in the renamed point coordinates
``_p0 .. _p{d-1}`` and run-time symbols ``_q0 .. _q{m-1}`` into assignments
of plain Python scalars, in three stages:

1. common-subexpression elimination (symengine ``cse``, which works on the
   shared expression graph, so it stays fast for fields whose printed tree
   is huge, like the discounted IPD's);
2. exponentials as powers (`exp_as_powers`): every ``exp(k_1 p_1 + ... +
   k_d p_d + c)`` with integer k_i becomes ``exp(c) e_1^k_1 ... e_d^k_d``
   with e_i = exp(p_i) computed once per step, so a logit or softmax step
   costs one exponential per coordinate;
3. printing each assignment with sympy's code printer.

`sigmoid_index` recognises a predicate coordinate that is the logistic
function of one logit, so the success test can run in logit space
(``p_i >= logit(threshold)``) without any exponential.
"""

from __future__ import annotations

import math
import re

import symengine as se
import sympy as sp
from sympy.printing.pycode import pycode

from eqselect.numerics.codegen import refuse_unknown
from eqselect.theory.engine import to_engine, to_sympy

_OWN_NAME = re.compile(r"_[pqge]\d+")

#: Largest field (operations, summed over its entries) `logistic_form` rewrites.
LOGISTIC_OPS = 800


def coordinate(i: int) -> se.Symbol:
    """The name of the i-th point coordinate in generated code."""
    return se.Symbol(f"_p{i}")


def runtime(i: int) -> se.Symbol:
    """The name of the i-th run-time symbol (payoff, lambda) in generated code."""
    return se.Symbol(f"_q{i}")


def logistic(i: int) -> se.Symbol:
    """g_i = 1 / (1 + exp(-p_i)), computed once per step."""
    return se.Symbol(f"_g{i}")


def power(i: int) -> se.Symbol:
    """e_i = exp(p_i), computed once per step."""
    return se.Symbol(f"_e{i}")


def logistic_form(exprs, params, budget: int = LOGISTIC_OPS):
    """The field as polynomials in g_i = sigma(p_i), or None.

    A logit field is a polynomial in the logistic functions of its
    coordinates (every derivative of sigma is one: sigma' = sigma (1 - sigma)),
    but printed through exp(p_i) it costs several divisions per entry. With
    exp(p_i) = g_i / (1 - g_i) every exp(k_1 p_1 + ... + c) is rewritten, the
    result is cancelled and, when every denominator is free of the g_i,
    factored: one division per coordinate and step (in g_i itself) remains.

    Returns None (the caller keeps `exp_as_powers`) for fields above
    ``budget`` operations (the rewrite is symbolic work that grows fast with
    size), fields with other exponentials (softmax over three actions), or
    results that keep a denominator in the g_i.

    Examples
    --------
    >>> x = coordinate(0)
    >>> g = logistic(0)
    >>> (out,) = logistic_form([se.exp(-x) / (1 + se.exp(-x)) ** 2], [x])
    >>> se.expand(out - g * (1 - g))
    0
    """
    exprs = [to_engine(e) for e in exprs]
    if sum(se.count_ops(e) for e in exprs) > budget or _mixes_coordinates(exprs, params):
        return None
    ps = [to_sympy(p) for p in params]
    gs = [to_sympy(logistic(i)) for i in range(len(params))]
    out = []
    for e in exprs:
        e = to_sympy(e)
        rep = {}
        for a in e.atoms(sp.exp):
            arg = sp.expand(a.args[0])
            ks = [arg.diff(p) for p in ps]
            if not any(ks):
                continue
            if not all(k.is_Integer for k in ks):
                return None
            const = arg - sum(k * p for k, p in zip(ks, ps))
            rep[a] = sp.exp(const) * sp.Mul(*[(g / (1 - g)) ** k for g, k in zip(gs, ks)])
        num, den = sp.fraction(sp.cancel(e.xreplace(rep)))
        if den.free_symbols & set(gs) or num.free_symbols & set(ps):
            return None
        out.append(to_engine(sp.factor(num) / den))
    return out


def _mixes_coordinates(exprs, params) -> bool:
    """Whether some sum adds exponentials of different coordinates (a softmax
    normaliser such as 1 + exp(p_0) + exp(p_1)).

    Such a field is no polynomial in the sigma(p_i), and cancelling it in
    sympy takes minutes, so `logistic_form` refuses it before any symbolic work.
    """
    for e in exprs:
        for add in e.atoms(se.Add):
            seen = set()
            for term in add.args:
                bare = [f for f in (term.args if isinstance(term, se.Mul) else (term,))
                        if not f.is_Number]
                if len(bare) == 1 and _is_exp(bare[0]):
                    seen |= {p for p in params if bare[0].args[1].has(p)}
            if len(seen) > 1:
                return True
    return False


def _is_exp(x) -> bool:
    return isinstance(x, se.Pow) and x.args[0] == se.E


def _linear_in(expr, params) -> bool:
    """Whether expr is k_1 p_1 + ... + k_d p_d + c with integer k_i and a number c."""
    if not expr.free_symbols <= set(params):
        return False
    ks = [expr.diff(p) for p in params]
    return all(getattr(k, "is_Integer", False) for k in ks)


def exp_as_powers(exprs, params, known=None) -> list:
    """Write exp(k_1 p_1 + ... + k_d p_d + c), integer k, as exp(c) e_1^k_1 ... e_d^k_d.

    With e_i = exp(p_i) computed once, a step of a logit or softmax field costs
    one exponential per parameter: common-subexpression elimination alone does
    not see that exp(-2 p) = exp(-p)^2 or exp(-p_1 - p_2) = exp(-p_1) exp(-p_2).
    Other exponentials are left as they are. Meant for small expressions
    (after cse): ``known`` maps cse symbols to the linear forms they stand for.

    Examples
    --------
    >>> x, y = coordinate(0), coordinate(1)
    >>> out = exp_as_powers([se.exp(-2 * x) + 1 / (1 + se.exp(-x - y))], [x, y])
    >>> out[0] == power(0) ** -2 + 1 / (1 + power(0) ** -1 * power(1) ** -1)
    True
    """
    known = known or {}
    rep = {}
    for e in exprs:
        for a in e.atoms(se.Pow):
            if a.args[0] != se.E or a in rep:
                continue
            arg = se.expand(a.args[1].xreplace(known))
            if not _linear_in(arg, params):
                continue
            ks = [arg.diff(p) for p in params]
            const = se.expand(arg - sum(k * p for k, p in zip(ks, params)))
            term = se.exp(const) if const != 0 else se.Integer(1)
            for i, k in enumerate(ks):
                if k != 0:
                    term = term * power(i) ** k
            rep[a] = term
    return [e.xreplace(rep) for e in exprs]


def reduced_block(exprs, params, prefix: str) -> tuple[list, list, set]:
    """Common subexpressions, then exponentials as powers (stages 1 and 2).

    Returns
    -------
    assignments : list of (symbol, expression)
        Intermediates named ``<prefix><j>``, each reading earlier ones.
    outputs : list of expressions
        One per entry of ``exprs``, in the intermediates.
    used : set of str
        The per-step quantities (`step_quantity`) they read.
    """
    reps, reduced = se.cse(list(exprs))
    names = {s: se.Symbol(f"{prefix}{j}") for j, (s, _) in enumerate(reps)}
    known, assignments, used = {}, [], set()
    for s, v in reps:
        v = v.xreplace(names)
        if not (v.atoms(se.Pow) or v.atoms(se.Function)):
            full = se.expand(v.xreplace(known))
            if _linear_in(full, params):
                known[names[s]] = full
        (v,) = exp_as_powers([v], params, known)
        used |= _powers_in(v, len(params))
        assignments.append((names[s], v))
    outputs = exp_as_powers([e.xreplace(names) for e in reduced], params, known)
    for e in outputs:
        used |= _powers_in(e, len(params))
    return assignments, outputs, used


def scalar_block(exprs, targets, params, prefix: str) -> tuple[list, set]:
    """Straight-line source computing ``targets[j] = exprs[j]``.

    Parameters
    ----------
    exprs : list of symengine expressions
        In the symbols `coordinate` (``params``) and `runtime`.
    targets : list of str
        The names assigned last.
    params : list of symbols
        The coordinates ``_p<i>`` (for the exponential rewrite).
    prefix : str
        Prefix of the intermediate names (distinct per block of a function).

    Returns
    -------
    lines : list of str
        One assignment per line, without indentation.
    used : set of str
        The per-step quantities (`step_quantity`) the lines read.

    Raises
    ------
    ExpressionError
        An expression holding a function outside
        `eqselect.theory.functions.ALLOWED_FUNCTIONS` or a
        symbol other than the generated names (`coordinate`, `runtime`,
        `logistic`, `power`).
    """
    # the names this module makes; any other symbol or function is refused unprinted
    own = {x for e in exprs for x in e.free_symbols if _OWN_NAME.fullmatch(str(x))}
    refuse_unknown(list(exprs), own)
    assignments, outputs, used = reduced_block(exprs, params, prefix)
    lines = [f"{s} = {_print(v)}" for s, v in assignments]
    lines += [f"{t} = {_print(e)}" for t, e in zip(targets, outputs)]
    return lines, used


def _powers_in(expr, d: int) -> set:
    """The per-step quantities (e_i, g_i) an expression reads, by name."""
    names = {str(s) for s in expr.free_symbols}
    return {f"{x}{i}" for i in range(d) for x in ("_e", "_g") if f"{x}{i}" in names}


def step_quantity(name: str) -> str:
    """The line computing a per-step quantity: e_i = exp(p_i) or g_i = sigma(p_i).

    Examples
    --------
    >>> step_quantity("_g3")
    '_g3 = 1.0 / (1.0 + math.exp(-_p3))'
    """
    i = name[2:]
    if name.startswith("_g"):
        return f"_g{i} = 1.0 / (1.0 + math.exp(-_p{i}))"
    return f"_e{i} = math.exp(_p{i})"


def _print(expr) -> str:
    return pycode(expr._sympy_(), fully_qualified_modules=True)


def sigmoid_index(expr, params):
    """i if expr is the logistic function 1 / (1 + exp(-p_i)) of one coordinate, else None.

    Both printed forms of the logistic function are recognised:
    1 / (1 + exp(-p)) (logit policies) and exp(p) / (exp(p) + 1) (two-action
    softmax).

    Examples
    --------
    >>> x = coordinate(0)
    >>> sigmoid_index(1 / (1 + se.exp(-x)), [x]), sigmoid_index(x, [x])
    (0, None)
    """
    for i, p in enumerate(params):
        forms = (1 / (1 + se.exp(-p)), se.exp(p) / (se.exp(p) + 1))
        if any(expr == f for f in forms):
            return i
    return None


def logit_band(threshold: float) -> tuple[float, float]:
    """(low, high): theta >= high means sigma(theta) >= threshold, theta <= low means not.

    The band around logit(threshold) is wide enough to absorb the rounding
    of sigma and of the logit (relative 1e-9, while both are exact to a few
    units in the last place), so only starts inside it evaluate sigma.

    Examples
    --------
    >>> lo, hi = logit_band(0.82)
    >>> lo < math.log(0.82 / 0.18) < hi and hi - lo < 1e-8
    True
    """
    centre = math.log(threshold) - math.log1p(-threshold)
    pad = 1e-9 * max(1.0, abs(centre))
    return centre - pad, centre + pad


def success_test(coop, params, threshold: float, branch_free: bool = False) -> tuple:
    """(lines computing the test, its boolean expression, step quantities they read)
    of the paper's success predicate: every ``coop`` coordinate >= ``threshold``.

    A coordinate that is the logistic function of one logit is tested in
    logit space, sigma deciding only inside the rounding band (`logit_band`);
    any other is computed by `scalar_block` lines into ``_c<j>``.
    ``branch_free``: the block layout's form, ``&`` and ``|`` on booleans and
    sigma read from the step's ``_g<i>`` (no short circuit, no call); else
    ``and`` / ``or`` with sigma computed in place. ``coop`` None: "False".
    """
    if coop is None:
        return [], "False", set()
    lo, hi = logit_band(threshold)
    tests, generic, targets, used = [], [], [], set()
    for j, c in enumerate(coop):
        i = sigmoid_index(c, params)
        if i is None:
            generic.append(c)
            targets.append(f"_c{j}")
            tests.append(f"(_c{j} >= {threshold!r})" if branch_free else f"_c{j} >= {threshold!r}")
        elif branch_free:
            used.add(f"_g{i}")
            tests.append(f"((_p{i} >= {hi!r}) | ((_p{i} > {lo!r}) & (_g{i} >= {threshold!r})))")
        else:
            tests.append(f"(_p{i} >= {hi!r} or (_p{i} > {lo!r} and "
                         f"1.0 / (1.0 + math.exp(-_p{i})) >= {threshold!r}))")
    lines, s_used = scalar_block(generic, targets, params, "_s") if generic else ([], set())
    return lines, (" & " if branch_free else " and ").join(tests), used | s_used

