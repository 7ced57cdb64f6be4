"""Every fixed point of PG under logit with an entropy term, proven, with completeness.

For a one-state game of two-action agents, agent i's logit theta_i gives
p_i = sigma(theta_i), and the regularised value J_i + tau H(pi_i) has

    cur_i = s_i(theta_i) G_i(theta),   s_i = p_i (1 - p_i) > 0,
    G_i(theta) = g_i(sigma(theta)) - tau theta_i,

with g_i = dJ_i/dp_i the gradient of the direct parameterisation (it does
not depend on p_i: J_i is affine in p_i) and dH/dtheta_i = -s_i theta_i.
So the finite fixed points of PG are exactly the zeros of G (the logit
quantal response equilibria), and:

1. Bound (the asymptotics of the entropy term): with B_i >= |g_i| on the
   whole unit cube (an arb enclosure of g_i over [0, 1]^d), G_i < 0 for
   theta_i > B_i / tau and G_i > 0 for theta_i < -B_i / tau, so every zero
   lies in the box T = prod [-B_i/tau, B_i/tau]. A zero far out (theta ~ 20,
   p ~ 1 - 2e-9 for tau = 1/10) is as reachable as one at the centre.
2. Exclusion by subdivision of T: a box on which some enclosure of G_i
   excludes 0, or on which the Krawczyk operator misses the box, holds no
   zero; a box on which the Krawczyk operator maps into its interior holds
   exactly one (`eqselect.numerics.fixed_points.exclusion`). A box that
   neither test decides is bisected; a small one is handed to Newton, whose
   root is proven in a box U around it (one zero in U), and boxes inside a U
   are settled by it.
3. The list is complete when every box is settled; otherwise (a box down
   to ``min_width`` undecided, e.g. a singular zero, or the box budget
   spent) the result says so, with the reason and the open boxes.
4. Each zero is recorded by `characterise` with its stability decided from
   a certified eigenvalue enclosure of DF = diag(s) DG over the proven box
   (`certified_stability`): DF at a zero of G is diag(s) DG there, since
   the term diag(s') G vanishes.

A rule whose field is cur + k peer (peer-only, k = lambda; lola-foerster,
k = 1) factors the same way: D_ij = s_i s_j dg_j/dp_i and
grad_{theta_j} J_i = s_j dU_i/dp_j (U_i the payoff; the entropy of agent i
does not depend on theta_j), so F_i = s_i H_i with

    H_i = G_i + k eta sum_{j != i} s_j^2 (dg_j/dp_i) (dU_i/dp_j),

and the added term is bounded by k eta C_i, C_i = sum_j (1/16) max|dg_j/dp_i|
max|dU_i/dp_j| on the unit cube (s_j <= 1/4), so step 1 holds with the bound
(B_i + |k| eta C_i) / tau. Rules with own or look-ahead terms carry theta
itself in their added terms; `entropy_logit_attempt` refuses them with the
reason.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import mpmath
import sympy as sp
from flint import arb

from eqselect.theory import Decomposition
from eqselect.theory.games.entropy import has_entropy_term, without_entropy
from eqselect.theory.games.normal_form import normal_form_game
from eqselect.theory.rules import TERMS, spec

from eqselect.numerics.intervals import IntervalFunction, bounds, box, working_precision
from eqselect.numerics.fixed_points.core.characterise import (
    KnownStability, certified_stability, characterise)
from eqselect.numerics.fixed_points.exclusion.search import ExclusionSearch
from eqselect.numerics.fixed_points.core.record import Route

#: The route's label on the `EquilibriumSet`.
ROUTE = "entropy-exclusion"


@dataclass(frozen=True)
class ReducedField:
    """G(theta) = g(sigma(theta)) - tau theta and its bound (module docstring, step 1).

    Attributes
    ----------
    symbols : tuple of sympy.Symbol
        The logits theta_1..theta_d.
    G : list of sympy.Expr
    DG : list of list of sympy.Expr
    tau : sympy.Rational or sympy.Expr
    bound : tuple of float
        B_i / tau rounded up: every zero has |theta_i| <= bound[i].
    """

    symbols: tuple
    G: list
    DG: list
    tau: sp.Expr
    bound: tuple


@dataclass(frozen=True)
class ExclusionResult:
    """What the route found and how far it is proven.

    Attributes
    ----------
    equilibria : list of Equilibrium or None
        None when the route does not apply (``reason`` says why).
    complete : bool
        Every box of the search box is settled: the list holds every finite
        fixed point.
    reason : str
        Why the route does not apply, or why the list is not proven complete
        ("" when complete).
    certificate : dict
        The search box, the bounds B_i, the number of boxes examined, the
        proven zero boxes and uniqueness boxes, the undecided boxes.
    notes : list of str
    """

    equilibria: list | None
    complete: bool
    reason: str
    certificate: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


def applies(dec: Decomposition, rule) -> str:
    """"" when the route applies to ``rule``'s field, else the reason it does not."""
    game = dec.game
    if str(game.parameterization) not in ("logit", "softmax"):
        return "not a logit / softmax parameterisation"
    if not has_entropy_term(game):
        return "no entropy term"
    if game.states != 1 or not game.payoffs or any(m != 2 for m in game.actions):
        return ("the exclusion argument is written for one-state games of two-action "
                "agents (one logit each)")
    if len(game.parameters) != len(game.actions):
        return "one logit per agent is needed"
    if peer_weight(rule) is None:
        return (f"the field of {rule.describe()} has own or look-ahead terms: it is not "
                "s_i (g_i - tau theta_i + bounded peer term), so the entropy term's bound on "
                "the zeros does not follow")
    return ""


def peer_weight(rule):
    """k when the rule's field is cur + k peer (0 for PG), else None."""
    weights = dict(zip(TERMS, spec(rule.method).weights))
    if weights["cur"] != 1 or any(w != 0 for t, w in weights.items() if t not in ("cur", "peer")):
        return None
    k = weights["peer"]
    return {"lam": rule.lam, "own": rule.own_coef}.get(k, k) if isinstance(k, str) else k


def reduced_field(dec: Decomposition, rule=None) -> ReducedField:
    """H = F / s (G for PG) with g and U from the direct parameterisation, and its bound.

    Parameters
    ----------
    dec : Decomposition
    rule : Rule, optional
        PG when None; otherwise a rule with field cur + k peer (`peer_weight`).

    Raises
    ------
    ArithmeticError
        When the rule's field differs from s_i H_i at a test point (the
        factorisation the route rests on does not hold for this game).
    """
    game = dec.game
    k = 0 if rule is None else peer_weight(rule)
    direct = normal_form_game(without_entropy(game).payoffs, "direct", name=game.name)
    ps, thetas = list(direct.parameters), list(game.parameters)
    U = list(direct.values)
    sig = {p: 1 / (1 + sp.exp(-t)) for p, t in zip(ps, thetas)}
    slope = [sp.exp(-t) / (1 + sp.exp(-t)) ** 2 for t in thetas]
    g = [sp.expand(sp.diff(U[i], ps[i])) for i in range(len(ps))]
    d = len(ps)
    cross = [[sp.expand(sp.diff(g[j], ps[i]) * sp.diff(U[i], ps[j])) for j in range(d)]
             for i in range(d)]
    H = [g[i].xreplace(sig) - game.tau * thetas[i]
         + k * dec.eta * sum((slope[j] ** 2 * cross[i][j].xreplace(sig)
                              for j in range(d) if j != i), sp.Integer(0))
         for i in range(d)]
    DH = [[sp.diff(Hi, t) for t in thetas] for Hi in H]
    with working_precision():
        unit = box([0] * d, [1] * d)
        B = [max(abs(a), abs(b)) for a, b in map(bounds, IntervalFunction(g, ps)(unit))]
        flat = [bounds(x) for x in IntervalFunction([c for row in cross for c in row], ps)(unit)]
    C = [sum(max(abs(a), abs(b)) / 16 for j, (a, b) in enumerate(flat[i * d:(i + 1) * d])
             if j != i) for i in range(d)]
    extra = abs(float(k)) * float(dec.eta) if k != 0 else 0.0
    rf = ReducedField(tuple(thetas), H, DH, game.tau,
                      tuple((b + extra * c) / float(game.tau) * (1 + 1e-12) + 1e-12
                            for b, c in zip(B, C)))
    _check_factorisation(dec, rf, rule)
    return rf


def _check_factorisation(dec, rf: ReducedField, rule) -> None:
    """F_i = s_i H_i at three points, at 30 digits (guards the derivation above)."""
    field = dec.cur if rule is None else dec.field(rule.method, rule.lam, rule.own_coef)
    cur = sp.lambdify(rf.symbols, list(field), "mpmath")
    G = sp.lambdify(rf.symbols, rf.G, "mpmath")
    with mpmath.workdps(30):
        d = len(rf.symbols)
        for pt in ([(0.3, -0.7, 1.1, 0.2)[k % 4] for k in range(d)],
                   [(-2.5, 1.75, -0.4, 3.0)[k % 4] for k in range(d)], [1.0] * d):
            x = [mpmath.mpf(v) for v in pt]
            s = [1 / (1 + mpmath.exp(-v)) * (1 - 1 / (1 + mpmath.exp(-v))) for v in x]
            for c, si, gi in zip(cur(*x), s, G(*x)):
                if abs(c - si * gi) > mpmath.mpf(10) ** -20 * (1 + abs(c)):
                    raise ArithmeticError("the field is not s_i H_i for this game (module "
                                          "docstring): the exclusion argument does not apply")


def entropy_logit_attempt(dec: Decomposition, rule, *, max_boxes: int = 200_000,
                          min_width: float = 1e-9, budget: float = 60.0) -> ExclusionResult:
    """Every fixed point of PG's field under logit with entropy, proven (steps 1-4).

    Parameters
    ----------
    dec : Decomposition
        Of a one-state game of two-action agents under logit, with entropy
        (``game.tau``) and numeric payoffs.
    rule : Rule
        The route applies when its field is cur (PG, or shaping coefficients 0).
    max_boxes : int
        Boxes examined before the search stops (then not complete).
    budget : float
        Wall-clock seconds before the search stops (then not complete).
    min_width : float
        Boxes narrower than this that no test settles are left open.

    Returns
    -------
    ExclusionResult

    Examples
    --------
    >>> from eqselect.theory import Decomposition, builtin, entropy_regularized
    >>> from eqselect.theory.rules import Rule
    >>> g = entropy_regularized(builtin("coordination", "logit").substitute(), sp.Rational(1, 10))
    >>> res = entropy_logit_attempt(Decomposition(g), Rule("pg"))
    >>> res.complete, sorted(round(e.point[0], 3) for e in res.equilibria)
    (True, [-9.999, -0.819, 20.0])
    """
    why = applies(dec, rule)
    if why:
        return ExclusionResult(None, False, why)
    try:
        rf = reduced_field(dec, rule)
    except ArithmeticError as exc:
        return ExclusionResult(None, False, str(exc))
    search = ExclusionSearch(rf.symbols, rf.G, rf.DG, rf.bound, max_boxes, min_width)
    with working_precision():
        search.run(time.monotonic() + budget)
    at = _FactoredField(dec.game, search)
    records = [_record(search, rf, z, at) for z in search.zeros]
    records.sort(key=lambda e: tuple(e.point))
    complete = not search.open_boxes and not search.exhausted
    reason = "" if complete else (
        f"budget of {max_boxes} boxes or {budget:g} s spent" if search.exhausted else
        f"{len(search.open_boxes)} box(es) narrower than {min_width:g} neither excluded nor "
        "proven to hold one zero (a singular zero or a continuum)")
    notes = [f"entropy term: every zero of F / s (module docstring) lies in |theta_i| <= "
             f"{', '.join(f'{b:.6g}' for b in rf.bound)}; that box is subdivided and every "
             f"piece excluded or proven (Krawczyk, arb), {search.examined} boxes: "
             + ("every finite fixed point is listed" if complete else
                f"the list may be incomplete ({reason})")]
    certificate = {**search.certificate(), "tau": str(rf.tau)}
    return ExclusionResult(records, complete, reason, certificate, notes)


def _record(search, rf: ReducedField, Z, field):
    """The `Equilibrium` of the zero in the proven box Z (``field``: `_FactoredField`)."""
    d = len(Z)
    with mpmath.workdps(30):
        point = [mpmath.mpf(z.mid().str(35, radius=False)) for z in Z]
        with working_precision():
            s = [_logistic_slope(z) for z in Z]
            DG = search.jac(Z)
            DF = [[s[i] * DG[i][j] for j in range(d)] for i in range(d)]
            stability, enclosures = certified_stability(DF)
        where = " x ".join(f"[{z.lower().str(12, radius=False)}, "
                           f"{z.upper().str(12, radius=False)}]" for z in Z)
        note = (f"interval-certified: exactly one fixed point in theta in {where} "
                "(Krawczyk, arb); stability from the enclosure of "
                "DF = diag(s) DG over that box")
        exact = _rational_zero(rf, Z)
        if exact is not None:
            point = [mpmath.mpf(int(x.p)) / int(x.q) for x in exact]
            note += "; the zero is the rational point " + ", ".join(map(str, exact))
        return characterise(point, field, exact=exact, route=Route.INTERVAL,
                            notes=(note,), known=KnownStability(certified=(stability, enclosures)))


def _rational_zero(rf: ReducedField, Z, max_denominator: int = 1000):
    """The zero as exact rationals when a simple one in Z makes G vanish exactly.

    A symmetric game's QRE often sits at theta = 0 (matching pennies): the
    proven box then holds 0 and G(0) = 0 holds in exact arithmetic. Values
    still holding exp(q), q != 0, are left undecided (no exact point).
    """
    from fractions import Fraction

    cand = []
    for z in Z:
        q = Fraction(z.mid().str(30, radius=False)).limit_denominator(max_denominator)
        if not z.contains(arb(q.numerator) / q.denominator):
            return None
        cand.append(sp.Rational(q.numerator, q.denominator))
    sub = dict(zip(rf.symbols, cand))
    values = [g.xreplace(sub) for g in rf.G]
    # exp(q) of a rational q != 0 is transcendental: only rational values are decided
    if all(v.is_Rational and v == 0 for v in values):
        return tuple(cand)
    return None


class _FactoredField:
    """F = diag(s) G and, at a zero of G, DF = diag(s) DG, in mpmath.

    The factored form keeps every digit where theta is large: the generated
    field of the game computes 1 - sigma(theta), which cancels to 0 at 30
    digits once theta > 70 (tau = 1/100 puts QREs at theta ~ 400).
    """

    def __init__(self, game, search: ExclusionSearch):
        self.game, self.search = game, search

    def _s(self, x):
        return [1 / (2 + 2 * mpmath.cosh(v)) for v in x]

    def values(self, x):
        s = self._s(x)
        return mpmath.matrix([si * gi for si, gi in zip(s, self.search.mpG(*x))])

    def jacobian(self, x):
        s, DG = self._s(x), self.search.mpDG(*x)
        return mpmath.matrix([[s[i] * DG[i][j] for j in range(len(x))] for i in range(len(x))])


def _logistic_slope(theta: arb) -> arb:
    """s = sigma(theta) (1 - sigma(theta)) = 1 / (2 + 2 cosh theta), tight on a ball."""
    return 1 / (2 + 2 * theta.cosh())


__all__ = ["ROUTE", "ExclusionResult", "ReducedField", "applies", "entropy_logit_attempt",
           "reduced_field"]
