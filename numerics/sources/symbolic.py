"""The exact components of a `Decomposition` as a compiled gradient source."""

from __future__ import annotations

import numpy as np

from eqselect.theory import Decomposition, as_rule
from eqselect.numerics.compiled import compile_components, compile_field
from eqselect.numerics.sources.fields import Source


class SymbolicSource(Source):
    """cur, own, peer, lookahead of a decomposition, compiled (a `GradientSource`).

    Parameters
    ----------
    dec : Decomposition
        With eta and every payoff symbol numeric.
    backend : str
        Code-generation backend (`eqselect.numerics.codegen.BACKENDS`).

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> src = SymbolicSource(Decomposition(builtin("stag-hunt", "direct"), eta=0.55))
    >>> sorted(src.components(np.zeros((1, 2))))
    ['cur', 'lookahead', 'own', 'peer']
    """

    def __init__(self, dec: Decomposition, backend: str = "llvm"):
        self.dec, self.backend = dec, backend
        self.dim = len(dec.game.parameters)
        self._components, self._fields = None, {}

    def components(self, x) -> dict:
        """The four terms at points x, shape (n, d) each."""
        if self._components is None:
            self._components = compile_components(self.dec, self.backend)
        c = self._components(np.atleast_2d(np.asarray(x, dtype=float)))
        return {"cur": c[:, 0], "own": c[:, 1], "peer": c[:, 2], "lookahead": c[:, 3]}

    def exact_field(self, rule):
        """The rule's field summed on the exact expressions, then compiled."""
        r = as_rule(rule)
        key = (r.method, r.lam, r.own_coef, r.order)
        if key not in self._fields:
            self._fields[key] = compile_field(self.dec, r, self.backend).field
        return self._fields[key]

    def field_expressions(self, rule) -> list:
        """The rule's field as symengine expressions (for kernel generation)."""
        r = as_rule(rule)
        return self.dec.field_engine(r)
