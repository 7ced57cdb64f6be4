"""numpy's floating-point warnings during a command, said once on one line.

A game whose payoffs come near the largest double (docs/limits.md) makes
products in Jacobians, shaped fields and finite differences overflow; numpy
then warns at each place (``RuntimeWarning: overflow encountered in
multiply``, with the source line), two lines a place. The routes decide
what such numbers mean for their results (a verdict not decided, numerical
trouble); on stderr the command says once which kinds of floating-point
trouble arose and in which modules. Every other warning is shown as
Python shows it.
"""

from __future__ import annotations

import contextlib
import sys
import warnings

__all__ = ["FLOAT_KINDS", "summarised_float_warnings"]

#: The starts of numpy's floating-point warning messages.
FLOAT_KINDS = ("overflow", "invalid value", "divide by zero", "underflow")


@contextlib.contextmanager
def summarised_float_warnings():
    """Record warnings; on exit, numpy's floating-point ones become one line on
    stderr (``eqselect: note: floating-point ...``) and the others are warned again."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        try:
            yield
        finally:
            kinds, where, others = set(), set(), []
            for w in caught:
                text = str(w.message)
                kind = next((k for k in FLOAT_KINDS if text.startswith(k)), None)
                if issubclass(w.category, RuntimeWarning) and kind is not None:
                    kinds.add(kind)
                    where.add(_module_of(w.filename))
                else:
                    others.append(w)
    for w in others:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    if kinds:
        print(f"eqselect: note: floating-point {', '.join(sorted(kinds))} in "
              f"{', '.join(sorted(where))} (numbers past double range, e.g. payoffs near "
              "the 10^300 limit)", file=sys.stderr)


def _module_of(filename: str) -> str:
    """``numpy`` or ``eqselect.<package>`` of a warning's file, else its base name."""
    path = filename.replace("\\", "/")
    for package in ("numpy", "scipy", "mpmath"):
        if f"/{package}/" in path:
            return package
    for package in ("theory", "numerics", "proofs_check", "studies", "app"):
        if f"/{package}/" in path:
            return f"eqselect.{package}"
    return "eqselect" if "/eqselect/" in path else path.rsplit("/", 1)[-1]
