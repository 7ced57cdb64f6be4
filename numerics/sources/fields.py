"""Gradient sources and the one way a learning rule's field is formed from them.

A *gradient source* gives the terms of the decomposition (docs/theory.md)
at many points at once: ``components(x)`` maps x, shape (n, d), to a dict
with the arrays ``cur``, ``own``, ``peer`` and, when the source has it,
``lookahead``, each shape (n, d). Three kinds implement it:

- `eqselect.numerics.sources.symbolic.SymbolicSource`: the exact
  components of a `Decomposition`, compiled;
- `eqselect.numerics.sources.markov.MarkovSource`: the memory-one IPD by
  dynamic programming;
- `eqselect.numerics.sources.estimators.SampledSource`: the paper's
  likelihood-ratio estimates, seeded.

A rule's field is (docs/rules.md)

    u = cur + c own + lambda peer + l lookahead,

with the coefficients (1, c, lambda, l) of `eqselect.theory.Rule`. With an
annealing schedule lambda_k the field depends on the step k; since u is
affine in lambda, u_k = u_0 + lambda_k (u_1 - u_0) exactly.

`rule_field` is the only place that forms a field from a source. A source
that can form the same sum exactly before evaluating it (the symbolic one:
the sum is built on the exact expressions and compiled once) says so with an
``exact_field(rule)`` method, which `rule_field` then uses. A source whose
every call is a fresh random draw that must be taken once per step says so
with ``one_draw_per_step = True``: an annealed field then draws the terms
once and combines them with the coefficients at lambda_k.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol, runtime_checkable

import numpy as np

from eqselect.theory import GameError, Rule

#: The terms a field can combine, in the order they are summed.
TERMS = ("cur", "own", "peer", "lookahead")


@runtime_checkable
class GradientSource(Protocol):
    """What every consumer needs from a source of gradient terms."""

    dim: int

    def components(self, x: np.ndarray) -> dict:
        """``{"cur", "own", "peer"[, "lookahead"]}`` at points x, each (n, d)."""


class Source:
    """Base of the concrete sources: calling one is calling ``components``."""

    dim: int

    def components(self, x) -> dict:  # pragma: no cover - overridden
        raise NotImplementedError

    def __call__(self, x) -> dict:
        return self.components(x)


@dataclass(frozen=True)
class RuleField:
    """A rule's update direction u as a vectorised function.

    Attributes
    ----------
    func : callable
        ``func(x)``, or ``func(x, k)`` when ``step_dependent`` (annealing).
    step_dependent : bool
    lam : float or str
        lambda, or a description of its annealing schedule.
    """

    func: Callable
    step_dependent: bool
    lam: object

    def __call__(self, x, k=None):
        return self.func(x, k) if self.step_dependent else self.func(x)


def float_coefficients(rule: Rule) -> dict:
    """The rule's coefficients of cur, own, peer, lookahead as floats.

    Examples
    --------
    >>> float_coefficients(Rule("meta-mapg", lam=2))
    {'cur': 1.0, 'own': 0.35, 'peer': 2.0, 'lookahead': 0.0}
    """
    return {k: float(v) for k, v in rule.coefficients.items()}


def combine(terms: dict, coef: dict) -> np.ndarray:
    """u = cur + c own + lambda peer + l lookahead from evaluated terms.

    Terms with coefficient 0 are skipped (they need not be present).

    Raises
    ------
    GameError
        When a term with a non-zero coefficient is missing.

    Examples
    --------
    >>> t = {"cur": np.ones((1, 2)), "own": np.ones((1, 2)), "peer": 2 * np.ones((1, 2))}
    >>> combine(t, {"cur": 1.0, "own": 0.5, "peer": 1.5, "lookahead": 0.0}).tolist()
    [[4.5, 4.5]]
    """
    u = np.array(terms["cur"], dtype=float, copy=True)
    for name in TERMS[1:]:
        c = float(coef.get(name, 0))
        if c:
            if name not in terms:
                raise GameError(f"this gradient source has no {name!r} term; "
                                "choose a rule that does not use it")
            u += c * terms[name]
    return u


def _constant_field(source, rule) -> Callable:
    exact = getattr(source, "exact_field", None)
    if exact is not None:
        return exact(rule)
    coef = float_coefficients(rule)

    def field(x):
        return combine(source.components(x), coef)

    return field


def _one_draw_annealed(source, rule: Rule) -> Callable:
    """u_k = combine(terms, c_0 + lambda_k (c_1 - c_0)) on one draw of the terms per step."""
    c0 = float_coefficients(rule.with_(lam=0))
    c1 = float_coefficients(rule.with_(lam=1))
    lam_k = rule.annealing.lam

    def field(x, k):
        lam = lam_k(k)
        return combine(source.components(x), {t: c0[t] + lam * (c1[t] - c0[t]) for t in c0})

    return field


def rule_field(source: GradientSource, rule: Rule) -> RuleField:
    """The field of ``rule`` on ``source`` (the one way fields are formed).

    Parameters
    ----------
    source : GradientSource
    rule : Rule
        With ``rule.annealing`` set (an object with ``lam(k)``) the field is
        step dependent: u_k = u_0 + lambda_k (u_1 - u_0).

    Returns
    -------
    RuleField
    """
    if rule.annealing is None:
        return RuleField(_constant_field(source, rule), False, float(rule.lam))
    if getattr(source, "one_draw_per_step", False):
        return RuleField(_one_draw_annealed(source, rule), True, repr(rule.annealing))
    f0 = _constant_field(source, rule.with_(lam=0))
    f1 = _constant_field(source, rule.with_(lam=1))
    lam_k = rule.annealing.lam

    def field(x, k):
        a = f0(x)
        return a + lam_k(k) * (f1(x) - a)

    return RuleField(field, True, repr(rule.annealing))
