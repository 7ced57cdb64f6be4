"""Learning rules: the registry of methods, their coefficients, and `PAPER`.

Every method is an update direction (ascent: agents maximise J_i) built
from exact terms of a `Decomposition` (docs/rules.md). With v the game
gradient, H = Dv its Jacobian and A = (H - H^T)/2:

===============  =========================================  ==========================
method           update direction (ascent)                  source
===============  =========================================  ==========================
pg               cur                                        naive policy gradient
meta-pg          cur + c own                                Al-Shedivat et al. 2018
peer-only        cur + lambda peer                          "LOLA-style" in the paper
meta-mapg        cur + c own + lambda peer                  Kim et al. 2021 (weighted)
meta-mapg-exact  cur + own + peer + la + sla                Kim et al. 2021 (exact)
lookahead        cur + la                                   Letcher et al. 2019
lola             cur + la + peer                            Letcher et al. 2019's LOLA
lola-foerster    cur + peer                                 Foerster et al. 2018
sos              cur + la + p peer (adaptive p)             Letcher et al. 2019
sga              v + s lambda A v, s the alignment sign     Balduzzi et al. 2018
sga-fixed        v + lambda A v  (= v - lambda A^T v)       Balduzzi et al. 2018
consensus        v - lambda H^T v                           Mescheder et al. 2017
eg               v(phi + eta v(phi))                        Korpelevich 1976
cgd              (I - eta H_o)^{-1} v                       Schaefer & Anandkumar 2019
lss              (v + H^T H^{-1} v) / 2                     Mazumdar et al. 2019
hola             LOLA's series to order eta^n               Foerster et al. 2018
===============  =========================================  ==========================

la is the look-ahead term, sla the self look-ahead; H^T v = grad ||v||^2 / 2;
H_o is H with its diagonal blocks (d v_i / d phi_i) set to 0.

What is exact. Every field but SOS and SGA is a fixed combination of exact
terms, so the field and its Jacobian are exact expressions: EG, CGD and LSS
enter as terms of their own (the field minus v, `COMPOSITE_TERMS`, built in
:mod:`eqselect.theory.composite`; CGD and LSS through exact inverses of small
matrices), HOLA as the terms of LOLA's series (`series_term`). SGA chooses
the sign s of lambda pointwise by Balduzzi et al.'s alignment rule
(:func:`eqselect.theory.adaptive.sga_sign`); ``sga-fixed`` keeps s = 1, so it
stays smooth (a negative lambda gives the other sign). Consensus
optimisation's gamma is the rule's lambda. SOS's weight p
(:func:`eqselect.theory.adaptive.sos_weight`) is chosen pointwise:
``Decomposition.field("sos")`` is an exact Piecewise,
``Decomposition.field_at`` applies p exactly at a point, the compiled field
applies it in floating point; the field is not differentiable where p
switches branch, and the compiled Jacobian is that of the active branch.
A `Rule` is one method with its coefficients (and, for the numerics, its step
schedule and lambda annealing); `PAPER` holds the paper's defaults, the only
place they are written, and `SOS_CONSTANTS` Letcher et al.'s a and b.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum

import sympy as sp

from eqselect.theory.adaptive import SOS_CONSTANTS
from eqselect.theory.errors import OptionsError
from eqselect.theory.exact import to_exact
from eqselect.theory.validate import annealing as checked_annealing

LAMBDA = sp.Symbol("lambda")
#: The own-learning coefficient c, kept symbolic. Its name is not a legal payoff
#: symbol name, so it never meets the payoff c of the symbolic 2x2 games.
OWN_COEF = sp.Symbol("c_own")

#: The exact terms a field is built from: the five components of the one-step
#: decomposition, then symplectic = A v and consensus = -H^T v (docs/rules.md).
TERMS = ("cur", "own", "peer", "lookahead", "self_lookahead", "symplectic", "consensus",
         "extragradient", "competitive", "surgery")
#: The terms every coefficient table names (the contract's four components).
BASE_TERMS = TERMS[:4]
#: The terms that are a whole rule's field minus v (EG, CGD, LSS): not linear
#: in the decomposition's components (docs/rules.md).
COMPOSITE_TERMS = TERMS[7:]
#: Prefix of the k-th order term of LOLA's series in eta (HOLA; `series_term`).
SERIES_PREFIX = "lola_order_"


def series_term(k: int) -> str:
    """The name of the eta^k term of LOLA's series (k >= 2; HOLA's pieces)."""
    return f"{SERIES_PREFIX}{int(k)}"


def series_order(name: str) -> int | None:
    """k for a name ``series_term(k)``, None for any other name."""
    if not name.startswith(SERIES_PREFIX):
        return None
    tail = name[len(SERIES_PREFIX):]
    return int(tail) if tail.isascii() and tail.isdigit() and int(tail) >= 2 else None


class Method(str, Enum):
    """A learning rule (see the module table and `REGISTRY`)."""

    PG = "pg"
    META_PG = "meta-pg"
    PEER_ONLY = "peer-only"
    META_MAPG = "meta-mapg"
    LOOKAHEAD = "lookahead"
    LOLA = "lola"
    LOLA_FOERSTER = "lola-foerster"
    META_MAPG_EXACT = "meta-mapg-exact"
    SOS = "sos"
    SGA = "sga"
    SGA_FIXED = "sga-fixed"
    CONSENSUS = "consensus"
    EG = "eg"
    CGD = "cgd"
    LSS = "lss"
    HOLA = "hola"

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
class MethodSpec:
    """One entry of the registry.

    Attributes
    ----------
    method : Method
    formula : str
        The update direction (ascent), in the decomposition's terms.
    source : str
        Where the rule is stated (details in docs/rules.md).
    weights : tuple
        One weight per entry of `TERMS`: a number, ``"lam"`` (the rule's
        lambda), ``"own"`` (the own coefficient c), ``"p"`` (SOS's adaptive
        weight, chosen pointwise by `sos_weight`) or ``"sign"`` (lambda times
        SGA's alignment sign, chosen pointwise by `sga_sign`). HOLA adds the
        terms of LOLA's series up to the rule's ``order`` (`coefficients`).
    """

    method: Method
    formula: str
    source: str
    weights: tuple

    @property
    def uses_lam(self) -> bool:
        """Whether lambda enters the field."""
        return "lam" in self.weights or "sign" in self.weights

    @property
    def uses_own(self) -> bool:
        """Whether the own coefficient enters the field."""
        return "own" in self.weights

    @property
    def adaptive(self) -> bool:
        """Whether a weight is chosen pointwise (the field is piecewise)."""
        return "p" in self.weights or "sign" in self.weights

    @property
    def aligned(self) -> bool:
        """Whether lambda's sign is chosen pointwise (SGA's alignment)."""
        return "sign" in self.weights

    @property
    def composite(self) -> str | None:
        """The term holding the field minus v for EG, CGD, LSS; else None."""
        return next((t for t, w in zip(TERMS, self.weights)
                     if t in COMPOSITE_TERMS and w != 0), None)


def _spec(method, formula, source, *weights):
    return MethodSpec(method, formula, source, weights + (0,) * (len(TERMS) - len(weights)))


#: Every method, with its formula and its source (docs/rules.md).
REGISTRY = {s.method: s for s in (
    _spec(Method.PG, "cur", "naive policy gradient: each agent follows its own gradient", 1),
    _spec(Method.META_PG, "cur + c own", "Al-Shedivat et al. 2018, meta-learning "
          "(own-learning term only)", 1, "own"),
    _spec(Method.PEER_ONLY, "cur + lambda peer", "the paper's peer-only rule "
          "(\"LOLA-style\")", 1, 0, "lam"),
    _spec(Method.META_MAPG, "cur + c own + lambda peer", "Kim et al. 2021, Meta-MAPG, "
          "the paper's weighted form", 1, "own", "lam"),
    _spec(Method.LOOKAHEAD, "cur + la", "Letcher et al. 2019, LookAhead", 1, 0, 0, 1),
    _spec(Method.LOLA, "cur + la + peer", "Foerster et al. 2018, LOLA, as stated by "
          "Letcher et al. 2019 (gradient of the first-order expansion)", 1, 0, 1, 1),
    _spec(Method.LOLA_FOERSTER, "cur + peer", "Foerster et al. 2018, LOLA as stated "
          "there (the look-ahead cross term dropped)", 1, 0, 1),
    _spec(Method.META_MAPG_EXACT, "cur + own + peer + la + sla", "Kim et al. 2021, "
          "Meta-MAPG: the exact first-order meta-gradient d J_i(phi') / d phi_i",
          1, 1, 1, 1, 1),
    _spec(Method.SOS, "cur + la + p peer", "Letcher et al. 2019, Stable Opponent "
          "Shaping, with the adaptive p of `sos_weight`", 1, 0, "p", 1),
    _spec(Method.SGA, "v + s lambda A v, A = (H - H^T)/2, s the alignment sign",
          "Balduzzi et al. 2018, symplectic gradient adjustment with the sign alignment "
          "of their Algorithm 1 (`sga_sign`)", 1, 0, 0, 0, 0, "sign"),
    _spec(Method.SGA_FIXED, "v + lambda A v, A = (H - H^T)/2", "Balduzzi et al. 2018, "
          "symplectic gradient adjustment, fixed lambda (no sign alignment)",
          1, 0, 0, 0, 0, "lam"),
    _spec(Method.CONSENSUS, "v - lambda H^T v", "Mescheder et al. 2017, consensus "
          "optimisation, gamma = lambda", 1, 0, 0, 0, 0, 0, "lam"),
    _spec(Method.EG, "v(phi + eta v(phi))", "Korpelevich 1976, extragradient (in games: "
          "Gidel et al. 2019): the field at the extrapolated point, step eta", 1, 0, 0, 0, 0, 0, 0, 1),
    _spec(Method.CGD, "(I - eta H_o)^{-1} v, H_o the off-diagonal blocks of H",
          "Schaefer & Anandkumar 2019, competitive gradient descent, step eta",
          1, 0, 0, 0, 0, 0, 0, 0, 1),
    _spec(Method.LSS, "(v + H^T H^{-1} v) / 2", "Mazumdar et al. 2019, local symplectic "
          "surgery, the form of Letcher et al.'s reference code (no bump function)",
          1, 0, 0, 0, 0, 0, 0, 0, 0, 1),
    _spec(Method.HOLA, "cur + la + peer + sum_{k=2}^{n} (eta^k term of LOLA's series)",
          "Foerster et al. 2018, higher-order LOLA: the exact opponent-step "
          "meta-gradient's series in eta to order n (n = 1 is LOLA)", 1, 0, 1, 1),
)}

#: HOLA's default order n (n = 1 is LOLA).
HOLA_ORDER = 2
#: Largest HOLA order accepted (the series terms are derivatives of order n in eta).
MAX_HOLA_ORDER = 6


def method_names() -> tuple[str, ...]:
    """The names of every method, in registry order (the CLI's choices)."""
    return tuple(m.value for m in REGISTRY)


def spec(method) -> MethodSpec:
    """The registry entry of a method (name, Method or Rule)."""
    return REGISTRY[method.method if isinstance(method, Rule) else Method.parse(method)]


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


def coefficients(method, lam=LAMBDA, own_coef=OWN_COEF,
                 order: int = HOLA_ORDER) -> dict[str, object]:
    """Coefficient of each term in a method's field.

    The four contract components (cur, own, peer, lookahead) are always
    listed; the other terms of `TERMS` only when their coefficient is not 0;
    for HOLA the series terms ``series_term(k)``, k = 2..order.

    Raises
    ------
    OptionsError
        For SOS and SGA, whose weight p or sign is chosen pointwise
        (`sos_weight`, `sga_sign`).

    Examples
    --------
    >>> coefficients("meta-mapg", 3, 1)
    {'cur': 1, 'own': 1, 'peer': 3, 'lookahead': 0}
    >>> coefficients("sga-fixed", 2)
    {'cur': 1, 'own': 0, 'peer': 0, 'lookahead': 0, 'symplectic': 2}
    >>> coefficients("hola", order=3)
    {'cur': 1, 'own': 0, 'peer': 1, 'lookahead': 1, 'lola_order_2': 1, 'lola_order_3': 1}
    """
    s = spec(method)
    if s.adaptive:
        what = "lambda's sign" if s.aligned else "the peer weight p"
        raise OptionsError(f"{s.method.value}: {what} is chosen pointwise, so the field "
                           "has no fixed coefficients")
    value = {"lam": lam, "own": own_coef}
    out = {}
    for name, w in zip(TERMS, s.weights):
        if name in BASE_TERMS or w != 0:
            out[name] = value.get(w, w) if isinstance(w, str) else w
    if s.method is Method.HOLA:
        out.update({series_term(k): 1 for k in range(2, check_order(order) + 1)})
    return out


def check_order(order) -> int:
    """HOLA's order n as an int in [1, MAX_HOLA_ORDER]; an error otherwise."""
    if isinstance(order, bool) or not isinstance(order, (int, sp.Integer)) \
            or not 1 <= order <= MAX_HOLA_ORDER:
        raise OptionsError(f"the HOLA order must be an integer in [1, {MAX_HOLA_ORDER}], "
                           f"got {order!r}")
    return int(order)




@dataclass(frozen=True)
class Rule:
    """One learning rule: a method, its coefficients, its lambda annealing.

    Attributes
    ----------
    method : Method
    lam : sympy number or Symbol
        Shaping coefficient lambda (exact; ``LAMBDA`` keeps it symbolic); SGA's
        lambda and consensus optimisation's gamma.
    own_coef : sympy number or Symbol
        Own-learning coefficient c.
    annealing : object or None
        A lambda_k schedule with a ``lam(k)`` method (e.g. the paper's two-phase
        annealing); None keeps lambda constant.
    sos_a, sos_b : sympy numbers
        SOS's constants (`SOS_CONSTANTS`); only SOS reads them.
    order : int
        HOLA's order n (`HOLA_ORDER`); only HOLA reads it.

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
    annealing: object = field(default=None, compare=False)
    sos_a: object = SOS_CONSTANTS.a
    sos_b: object = SOS_CONSTANTS.b
    order: int = HOLA_ORDER

    def __post_init__(self):
        object.__setattr__(self, "method", Method.parse(self.method))
        object.__setattr__(self, "order", check_order(self.order))
        checked_annealing(self.annealing)
        for name in ("lam", "own_coef", "sos_a", "sos_b"):
            value = getattr(self, name)
            if not isinstance(value, sp.Symbol):
                object.__setattr__(self, name, to_exact(value, name))

    @property
    def spec(self) -> MethodSpec:
        """The method's registry entry (formula and source)."""
        return REGISTRY[self.method]

    @property
    def coefficients(self) -> dict[str, object]:
        """Coefficient of each term in this rule's field (see `coefficients`)."""
        return coefficients(self.method, self.lam, self.own_coef, self.order)

    @property
    def uses_lam(self) -> bool:
        """Whether lambda enters the field."""
        return self.spec.uses_lam

    @property
    def uses_own(self) -> bool:
        """Whether the own coefficient enters the field."""
        return self.spec.uses_own

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
        if self.spec.adaptive and not self.spec.aligned:
            parts.append(f"a = {self.sos_a}, b = {self.sos_b}")
        if self.method is Method.HOLA:
            parts.append(f"order {self.order}")
        return ", ".join(parts)

    def to_json(self) -> dict:
        """``{"method", "lam", "own_coef"}`` with exact values as strings (and
        ``sos_a``, ``sos_b`` for SOS, ``order`` for HOLA)."""
        out = {"method": self.method.value, "lam": str(self.lam),
               "own_coef": str(self.own_coef)}
        if self.spec.adaptive and not self.spec.aligned:
            out.update(sos_a=str(self.sos_a), sos_b=str(self.sos_b))
        if self.method is Method.HOLA:
            out["order"] = self.order
        return out


def as_rule(rule) -> Rule:
    """A `Rule` from a Rule, a Method or a method name (paper defaults)."""
    return rule if isinstance(rule, Rule) else Rule(rule)


def resolve(rule, lam=None, own_coef=None, symbolic: bool = False) -> Rule:
    """A `Rule` with explicit coefficients applied.

    ``rule`` is a Rule, Method or name; ``lam`` / ``own_coef`` override its
    coefficients when given. A bare method name takes the paper's
    coefficients, or the symbols lambda and c when ``symbolic``.
    """
    if not isinstance(rule, Rule):
        rule = Rule(rule, LAMBDA, OWN_COEF) if symbolic else Rule(rule)
    changes = {k: v for k, v in (("lam", lam), ("own_coef", own_coef)) if v is not None}
    return rule.with_(**changes) if changes else rule
