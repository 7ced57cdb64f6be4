"""Verdicts: one result shape for every condition and statement checked.

A `Verdict` says whether a condition (A0-A5) or one of the paper's
statements holds for a game, a rule and a choice of P and R, how that was
decided, the numbers it rests on and the evidence a reader can re-check
(docs/alignment.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum

from eqselect.theory.serialize import Record


class Certified(str, Enum):
    """How a verdict was decided."""

    EXACT = "exact"  # exact arithmetic (sympy rationals / algebraic numbers, Sturm)
    INTERVAL = "interval"  # ball arithmetic enclosures of the whole object checked
    # a numerically traced curve (a separatrix) whose values are enclosed in
    # balls at every traced point: the evaluation is certified, the curve is not
    TRACE = "trace-certified"
    NUMERICAL = "numerical"  # floating point (continuation, sampling, tracing)
    # a sampled estimate with a confidence interval at a stated confidence and
    # sample size: decided when the interval excludes the threshold
    STATISTICAL = "statistical"


@dataclass(frozen=True)
class Verdict(Record):
    """The outcome of one check.

    Attributes
    ----------
    id : str
        "A0".."A5" for the alignment conditions, a short name for a statement
        ("ift-shift", "weyl", "radius", ...).
    statement : str
        The condition in LaTeX.
    holds : bool or None
        None: not decidable here (``reason`` says why) or not applicable.
    certified : Certified
    values : dict
        The numbers the verdict rests on (exact ones as sympy numbers).
    evidence : dict
        Isolating intervals, enclosures, the grid or samples used.
    reason : str
        Why ``holds`` is None, or a finding that qualifies the verdict.
    to_decide : str
        For a verdict left undecided: what would decide it (a finer
        subdivision, another parameterisation, a tighter enclosure...).
        Empty when the verdict is decided.
    """

    id: str
    statement: str
    holds: bool | None
    certified: Certified
    values: dict = field(default_factory=dict)
    evidence: dict = field(default_factory=dict)
    reason: str = ""
    to_decide: str = ""

    def undecided(self, reason: str, to_decide: str = "") -> "Verdict":
        """The same check, marked not decidable here with ``reason``."""
        return replace(self, holds=None, reason=reason, to_decide=to_decide or self.to_decide)


def not_applicable(id: str, statement: str, reason: str, **values) -> Verdict:
    """A verdict that cannot apply (holds None, never a pass)."""
    return Verdict(id, statement, None, Certified.NUMERICAL, dict(values), {}, reason)


@dataclass(frozen=True)
class PointReport(Record):
    """P or R: where it is and its margins.

    Attributes
    ----------
    label : str
        How it was chosen ("payoff-dominant", "C,C", "#2", ...).
    point : tuple of float
        In the game's parameter coordinates (theta for logit).
    exact : tuple or None
    strategies : tuple of tuple of float
    at_infinity : bool
        A pure profile that no finite logit parameter reaches.
    mu, mu_M : float or None
    certified : str
    enclosure_mu, enclosure_mu_M : tuple or None
    welfare : float or None
    outcome : dict or None
        When P or R is an outcome rather than a point (a face at infinity, a
        region): its description (`eqselect.theory.outcomes.Outcome.to_json`);
        ``mu_M`` is then the face margin (docs/alignment.md).
    """

    label: str
    point: tuple
    exact: tuple | None
    strategies: tuple
    at_infinity: bool = False
    mu: float | None = None
    mu_M: float | None = None
    exact_mu: object = None
    exact_mu_M: object = None
    certified: str = "numerical"
    enclosure_mu: tuple | None = None
    enclosure_mu_M: tuple | None = None
    welfare: float | None = None
    outcome: dict | None = None


@dataclass(frozen=True)
class CheckResult(Record):
    """Everything ``eqselect check`` decides for one game and rule.

    Attributes
    ----------
    game : str
    parameterization : str
    rule : dict
    parameters : tuple of str
    preferred, alternative : PointReport or None
    conditions : tuple of Verdict
        A0-A5.
    claims : tuple of Verdict
        The paper's statements.
    findings : tuple of str
        Facts that limit what could be checked (equilibria at infinity, ...).
    complete : bool
        Whether the fixed-point list P and R were chosen from is complete.
    ties : tuple of dict
        When several candidates meet the preference equally: each one
        (``label``, ``point``, ``mu_M``, ``alternative``) with A1 and A2
        decided as if it were P; empty without a tie.
    selection : dict or None
        The measured selection effect: P's basin mass at lambda = 0 and at the
        rule's lambda under F_lambda, their paired change and its interval
        (`eqselect.proofs_check.outcome_persistence.selection_effect`); None
        when no sample was run.
    """

    game: str
    parameterization: str
    rule: dict
    parameters: tuple
    preferred: PointReport | None
    alternative: PointReport | None
    conditions: tuple
    claims: tuple
    findings: tuple = ()
    complete: bool = False
    ties: tuple = ()
    selection: dict | None = None

    def verdict(self, id: str) -> Verdict:
        """The condition or claim called ``id``."""
        for v in (*self.conditions, *self.claims):
            if v.id == id:
                return v
        raise KeyError(f"no verdict {id!r}")
