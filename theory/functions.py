"""The functions eqselect expressions may hold.

Payoffs, fields and their derivatives are built from numbers, symbols,
``+ * ^`` and the functions named in `ALLOWED_FUNCTIONS` (exponentials of
logit and softmax policies, logarithms of entropy regularisation, square
roots, absolute values, and the minima and piecewise weights of the
shaping rules). Anything else, in particular an undefined function such as
``sympy.Function("f")(p)`` whose name could be arbitrary text, is refused
with `ExpressionError` where a game is built and again before code is
generated from an expression, so no function eqselect does not know is ever
evaluated or printed into source.
"""

from __future__ import annotations

import sympy as sp

from eqselect.theory.errors import ExpressionError

#: Function names (sympy's and symengine's class names) an expression may hold.
ALLOWED_FUNCTIONS = frozenset({
    "exp", "log", "sqrt", "Abs", "sign", "Max", "Min", "Piecewise",
    "sin", "cos", "tan", "sinh", "cosh", "tanh",
})


def function_label(name: str) -> str:
    """The function's name as an error message shows it (quoted, at most 60 characters).

    Examples
    --------
    >>> function_label("f")
    "'f'"
    """
    return repr(name if len(name) <= 60 else name[:57] + "...")


def refuse_unknown_functions(exprs, what: str = "expression") -> None:
    """Raise `ExpressionError` when a sympy expression applies an unknown function.

    Parameters
    ----------
    exprs : iterable of sympy expressions
    what : str
        What the expressions are, for the message ("payoff", ...).

    Examples
    --------
    >>> p = sp.Symbol("p")
    >>> refuse_unknown_functions([sp.exp(p) + sp.log(p)])
    >>> refuse_unknown_functions([sp.Function("f")(p)], "payoff")
    Traceback (most recent call last):
    ...
    eqselect.theory.errors.ExpressionError: payoff holds the function 'f', which eqselect does not know (allowed: Abs, Max, Min, Piecewise, cos, cosh, exp, log, sign, sin, sinh, sqrt, tan, tanh)
    """
    for e in exprs:
        if not isinstance(e, sp.Basic):
            continue
        for node in sp.preorder_traversal(e):
            if isinstance(node, (sp.Function, sp.Lambda, sp.Derivative, sp.Integral, sp.Subs)):
                name = getattr(node.func, "__name__", type(node).__name__)
                if name not in ALLOWED_FUNCTIONS or isinstance(node, sp.core.function.AppliedUndef):
                    raise ExpressionError(unknown_message(str(name), what))


def unknown_message(name: str, what: str = "expression") -> str:
    """The one-line refusal of a function named ``name``."""
    return (f"{what} holds the function {function_label(name)}, which eqselect does not "
            f"know (allowed: {', '.join(sorted(ALLOWED_FUNCTIONS))})")
