"""Learning rules: which of the decomposition's terms a method follows, and how much.

==========  =======================================  =========================
method      update direction (ascent)                 source
==========  =======================================  =========================
pg          cur                                       naive policy gradient
meta-pg     cur + c own                               Al-Shedivat et al. 2018
peer-only   cur + lambda peer                         "LOLA-style" in the paper
meta-mapg   cur + c own + lambda peer                 Kim et al. 2021
lookahead   cur + la                                  Letcher et al. 2019
lola        cur + la + peer                           Foerster et al. 2018 (as
                                                      in Letcher et al. 2019)
==========  =======================================  =========================

A `Rule` is one method with its coefficients (and, for the numerics, its step
schedule and lambda annealing); `PAPER` holds the paper's defaults, the only
place they are written (docs/rules.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum

import sympy as sp

from eqselect.theory.errors import OptionsError
from eqselect.theory.exact import to_exact

LAMBDA = sp.Symbol("lambda")
OWN_COEF = sp.Symbol("c")


class Method(str, Enum):
    """A learning rule (see the module table)."""

    PG = "pg"
    META_PG = "meta-pg"
    PEER_ONLY = "peer-only"
    META_MAPG = "meta-mapg"
    LOOKAHEAD = "lookahead"
    LOLA = "lola"

    @classmethod
    def parse(cls, name) -> "Method":
        """The method called ``name``; an error listing the valid ones otherwise."""
        if isinstance(name, cls):
            return name
        try:
            return cls(name)
        except ValueError:
            valid = ", ".join(m.value for m in cls)
            raise OptionsError(f"unknown method {name!r}; valid: {valid}") from None


@dataclass(frozen=True)
class PaperDefaults:
    """The paper's hyper-parameters, exact (docs/replay.md).

    Attributes
    ----------
    eta : inner learning rate of the look-ahead step (11/20).
    own : own-learning coefficient c (7/20).
    lam : shaping (peer) coefficient lambda (3/2).
    lr_base, lr_offset, lr_power : outer step lr_k = base / (k + offset)^power.
    clip : logits are clipped to [-clip, clip] after each step.
    steps : steps of a basin-map run.
    success : both cooperation probabilities at least this count as success.
    grid_low, grid_high : the grid of initial probabilities, linspace(low, high).
    anneal_n0, anneal_tau, anneal_power : lambda_k = lambda for k < N_0, then
        lambda / (1 + (k - N_0)/tau)^power.
    """

    eta: sp.Rational = sp.Rational(11, 20)
    own: sp.Rational = sp.Rational(7, 20)
    lam: sp.Rational = sp.Rational(3, 2)
    lr_base: float = 0.9
    lr_offset: float = 10.0
    lr_power: float = 0.24
    clip: float = 8.0
    steps: int = 140
    success: float = 0.82
    grid_low: float = 0.05
    grid_high: float = 0.95
    anneal_n0: int = 100
    anneal_tau: float = 30.0
    anneal_power: float = 0.7


#: The paper's defaults; every default in eqselect is read from here.
PAPER = PaperDefaults()


def coefficients(method, lam=LAMBDA, own_coef=OWN_COEF) -> dict[str, object]:
    """Coefficient of each term (cur, own, peer, lookahead) in a method's field.

    Examples
    --------
    >>> coefficients("meta-mapg", 3, 1)
    {'cur': 1, 'own': 1, 'peer': 3, 'lookahead': 0}
    """
    m = Method.parse(method)
    table = {
        Method.PG: (1, 0, 0, 0),
        Method.META_PG: (1, own_coef, 0, 0),
        Method.PEER_ONLY: (1, 0, lam, 0),
        Method.META_MAPG: (1, own_coef, lam, 0),
        Method.LOOKAHEAD: (1, 0, 0, 1),
        Method.LOLA: (1, 0, 1, 1),
    }
    return dict(zip(("cur", "own", "peer", "lookahead"), table[m]))


@dataclass(frozen=True)
class Rule:
    """One learning rule: a method, its coefficients, its schedule.

    Attributes
    ----------
    method : Method
    lam : sympy number or Symbol
        Shaping coefficient lambda (exact; ``LAMBDA`` keeps it symbolic).
    own_coef : sympy number or Symbol
        Own-learning coefficient c.
    schedule : object or None
        The numerics' step schedule (``eqselect.numerics.dynamics.schedules``);
        None means the paper's.
    annealing : object or None
        A lambda_k schedule with a ``lam(k)`` method (e.g. the paper's two-phase
        annealing); None keeps lambda constant.

    Examples
    --------
    >>> Rule("meta-mapg").coefficients
    {'cur': 1, 'own': 7/20, 'peer': 3/2, 'lookahead': 0}
    >>> Rule("peer-only", lam=5).describe()
    'peer-only, lambda = 5'
    """

    method: Method = Method.PG
    lam: object = PAPER.lam
    own_coef: object = PAPER.own
    schedule: object = field(default=None, compare=False)
    annealing: object = field(default=None, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "method", Method.parse(self.method))
        for name in ("lam", "own_coef"):
            value = getattr(self, name)
            if not isinstance(value, sp.Symbol):
                object.__setattr__(self, name, to_exact(value, name))

    @property
    def coefficients(self) -> dict[str, object]:
        """Coefficient of cur, own, peer and lookahead in this rule's field."""
        return coefficients(self.method, self.lam, self.own_coef)

    @property
    def uses_lam(self) -> bool:
        """Whether lambda enters the field."""
        return self.method in (Method.PEER_ONLY, Method.META_MAPG)

    @property
    def uses_own(self) -> bool:
        """Whether the own coefficient enters the field."""
        return self.method in (Method.META_PG, Method.META_MAPG)

    def with_(self, **changes) -> "Rule":
        """A copy with some attributes changed."""
        return replace(self, **changes)

    def describe(self) -> str:
        """One line naming the method and the coefficients it uses."""
        parts = [self.method.value]
        if self.uses_own:
            parts.append(f"c = {self.own_coef}")
        if self.uses_lam:
            parts.append(f"lambda = {self.lam}")
        return ", ".join(parts)

    def to_json(self) -> dict:
        """``{"method", "lam", "own_coef"}`` with exact values as strings."""
        return {"method": self.method.value, "lam": str(self.lam),
                "own_coef": str(self.own_coef)}


def as_rule(rule) -> Rule:
    """A `Rule` from a Rule, a Method or a method name (paper defaults)."""
    return rule if isinstance(rule, Rule) else Rule(rule)
