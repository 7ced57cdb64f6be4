"""The alignment verdicts A1-A3 of one selection-atlas cell (docs/sweep.md).

For one game at exact payoff values and one rule, the verdicts are those of
`eqselect.proofs_check.check_game` (docs/alignment.md), by the same steps:

1. every fixed point of the plain field v (pg) and the choice of P and R
   (`eqselect.proofs_check.choice.choose`; ``preferred`` as in ``eqselect
   check --preferred``: payoff-dominant by default);
2. mu_M at P and R, exact at exact points, else enclosed;
3. A1 (mu_M(P) > 0), A2 (mu_M(P) > mu_M(R)) and A3 (<M, n_P> > 0 on the
   separatrix), each with how it was certified;

all under a wall-clock budget per cell (`eqselect.theory.budget`): past
it the three verdicts are null with the reason, and the sweep goes on.

The key values are kept per cell: mu_M(P), mu_M(R) and the minimum of
<M, n_P / |n_P|> on the separatrix (the exact minimum on the exact segment,
or the smallest certified lower bound at the nodes of the traced separatrix).

A1-A3 do not depend on lambda (F_lambda = v + lambda M: lambda scales M only),
so each worker computes them once per (game and its content's digest,
payoffs, method, c, eta, preferred, budget) and repeats them along the lambda axis.

`AlignmentVerdicts` says whether and how a sweep computes them; it is part of
the sweep's `SweepSpec`, so the argument hash covers it, and the runner calls
`cell_verdicts` for every cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from eqselect.theory import Decomposition, as_rule
from eqselect.theory.rules import Rule
from eqselect.theory.errors import EqselectError, GameError, OptionsError
from eqselect.theory.engine import to_sympy
from eqselect.theory.exact import to_exact
from eqselect.theory.limits import TimeBudgetExceeded
from eqselect.theory.serialize import jsonable
from eqselect.numerics.shaping import ShapingField
from eqselect.studies.sweep.atlas import CONDITIONS, Atlas
from eqselect.studies.sweep.cell import GameSpec, sweep_game, with_content
from eqselect.proofs_check import adapter
from eqselect.proofs_check.basin_entry import A3, S, check_a3
from eqselect.theory.budget import call_with_budget
from eqselect.proofs_check.check import point_report
from eqselect.proofs_check.choice import choose, no_p_reason, parse_profile
from eqselect.proofs_check.local import A1, A2, check_a1, check_a2
from eqselect.proofs_check.verdict import not_applicable

#: Default wall-clock seconds of the verdicts of one cell.
SECONDS = 30.0
#: The cell key the verdicts fill, and the document key that describes them.
SLOT = "alignment"
#: The verdicts' name in a sweep's argument hash, manifest and cells.json. It
#: names the procedure of this module, not an import path, and stays fixed so
#: that sweep folders written by eqselect 0.2.0 resume and keep their bytes.
PROCEDURE = "eqselect.proofs_check.atlas.cell_verdicts"


@dataclass(frozen=True)
class AlignmentVerdicts:
    """Whether and how a sweep's cells get their alignment verdicts.

    Attributes
    ----------
    preferred : str
        P as in ``eqselect check --preferred``: ``"payoff-dominant"``,
        ``"welfare"``, a profile such as ``"C,C"`` or an index.
    seconds : float
        Wall-clock budget of one cell's verdicts (`cell_verdicts`).

    Raises
    ------
    OptionsError
        A budget that is not > 0.

    Examples
    --------
    >>> AlignmentVerdicts(seconds=5).to_json()["options"]
    {'preferred': 'payoff-dominant', 'seconds': 5.0}
    """

    preferred: str = "payoff-dominant"
    seconds: float = SECONDS

    def __post_init__(self):
        object.__setattr__(self, "preferred", str(self.preferred))
        if not float(self.seconds) > 0:
            raise OptionsError(f"the verdicts' budget per cell must be > 0 s, got {self.seconds}")
        object.__setattr__(self, "seconds", float(self.seconds))

    @classmethod
    def for_game(cls, game_spec: GameSpec, preferred="payoff-dominant",
                 seconds: float = SECONDS) -> "AlignmentVerdicts":
        """The options, with a ``preferred`` profile checked against the game's actions.

        Raises
        ------
        OptionsError
            A profile that names no action of the game, or a budget <= 0.
        """
        out = cls(preferred, seconds)
        if out.preferred not in ("payoff-dominant", "welfare") and not out.preferred.isdigit():
            parse_profile(sweep_game(game_spec), out.preferred)
        return out

    def to_json(self) -> dict:
        """The slot, the procedure's name and the options: the form the hash covers."""
        return {"slot": SLOT, "options": {"preferred": self.preferred, "seconds": self.seconds},
                "function": PROCEDURE}

    def of_cell(self, game_spec: GameSpec, symbol_values: dict, rule, eta) -> dict:
        """`cell_verdicts` of one cell under these options."""
        return cell_verdicts(game_spec, symbol_values, rule, eta, preferred=self.preferred,
                             seconds=self.seconds)


def cell_verdicts(game_spec: GameSpec, symbol_values: dict, rule, eta, *,
                  preferred: str = "payoff-dominant", seconds: float = SECONDS) -> dict:
    """A1-A3 for ``rule`` in the game at ``symbol_values`` (the others at their defaults).

    Returns
    -------
    dict
        ``status`` ("computed", "not decided" or "timed out"), ``preferred``,
        ``P`` and ``R`` (label, exact, point, at_infinity; or None),
        ``fixed_points_complete``, ``conditions`` {id: {holds, certified,
        values, reason}}, ``values`` (mu_M(P), mu_M(R), A3 min as floats or
        None) and ``notes``.

    Examples
    --------
    >>> out = cell_verdicts(GameSpec("stag-hunt", "direct"), {"a": 4}, "peer-only", "11/20")
    >>> out["conditions"]["A1"]["holds"], out["values"]["mu_M(P)"]
    (True, 6.6)
    """
    r = as_rule(rule)
    values = tuple(sorted((k, to_exact(v, f"value of {k}")) for k, v in symbol_values.items()))
    return jsonable(_cached(with_content(game_spec), values, r.method.value, str(r.own_coef), str(eta),
                            str(preferred), float(seconds)))


@lru_cache(maxsize=512)
def _cached(game_spec, values, method, own, eta, preferred, seconds) -> dict:
    rule = Rule(method, own_coef=sp.Rational(own))
    try:
        return call_with_budget(lambda: _verdicts(game_spec, dict(values), rule,
                                                  sp.Rational(eta), preferred),
                                seconds, "the alignment verdicts of this cell")
    except TimeBudgetExceeded as exc:
        return _undecided("timed out", preferred, str(exc))
    except EqselectError as exc:  # e.g. no stable equilibrium near a --preferred profile
        return _undecided("not decided", preferred, str(exc))


def _game(game_spec: GameSpec, values: dict):
    """The game with the cell's payoff values (the other symbols at their defaults)."""
    game = sweep_game(game_spec)
    names = {s.name: s for s in game.free_symbols}
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise GameError(f"game {game.name!r} has no payoff symbol {unknown[0]!r}")
    full = dict(game.payoff_symbols)
    full.update({names[k]: v for k, v in values.items()})
    return game.substitute(full)


def _verdicts(game_spec, values, rule, eta, preferred) -> dict:
    """Steps 1-3 of the module docstring (as `check_game` takes them)."""
    game = _game(game_spec, values)
    dec = Decomposition(game, eta=eta)
    sf = ShapingField(dec, rule)
    n_seeds = 64 if len(game.parameters) <= 2 else 16
    fps = adapter.fixed_points(dec, Rule("pg", lam=0), n_seeds=n_seeds)
    Pc, Rc, notes = choose(game, fps.points, int(preferred) if preferred.isdigit()
                           else preferred)
    P, R = point_report(sf, Pc), point_report(sf, Rc)
    if P is None:
        why = no_p_reason(fps.complete)
        verdicts = [not_applicable(k, s, why) for k, s in zip(CONDITIONS, (A1, A2, A3))]
    else:
        verdicts = [check_a1(sf, P), check_a2(sf, P, R), check_a3(sf, fps.points, P, R)]
    if not fps.complete:
        notes = list(notes) + ["the fixed-point list of v comes from seeded Newton and is "
                               "not proven complete: P and R are chosen from what was found"]
    a1, a2, a3 = verdicts
    minimum, kind = a3_minimum(a3)
    return {"status": "computed", "preferred": preferred, "P": _point(P), "R": _point(R),
            "fixed_points_complete": bool(fps.complete),
            "conditions": {
                "A1": _entry(a1, {"mu_M(P)": a1.values.get("mu_M(P)")}),
                "A2": _entry(a2, {k: a2.values.get(k)
                                  for k in ("mu_M(P)", "mu_M(R)", "difference")}),
                "A3": _entry(a3, {"min": minimum, "min_kind": kind})},
            "values": {"mu_M(P)": _margin(P), "mu_M(R)": _margin(R),
                       "A3 min": None if minimum is None else float(minimum)},
            "notes": list(notes)}


def _undecided(status: str, preferred: str, reason: str) -> dict:
    entry = {"holds": None, "certified": None, "values": {}, "reason": reason}
    return {"status": status, "preferred": preferred, "P": None, "R": None,
            "fixed_points_complete": None, "conditions": {k: dict(entry) for k in CONDITIONS},
            "values": {"mu_M(P)": None, "mu_M(R)": None, "A3 min": None}, "notes": []}


def _entry(v, values) -> dict:
    return {"holds": v.holds, "certified": v.certified.value,
            "values": {k: x for k, x in values.items() if x is not None}, "reason": v.reason}


def _point(r):
    if r is None:
        return None
    return {"label": r.label, "exact": None if r.exact is None else [str(x) for x in r.exact],
            "point": [float(x) for x in r.point], "at_infinity": bool(r.at_infinity)}


def _margin(r):
    return None if r is None or r.at_infinity or r.mu_M is None else float(r.mu_M)


def a3_minimum(verdict):
    """(minimum of <M, n_P / |n_P|> on Sigma, what it is) from an A3 verdict.

    On the exact segment saddle + s w, s in [s_0, s_1], the inner product g(s)
    with the unnormalised normal n is a polynomial: its exact minimum over the
    ends and the real critical points in between, divided by |n|. On a traced
    separatrix, the smallest certified lower bound over its nodes (unit
    normals). (None, None) when A3 was not evaluated.

    Examples
    --------
    >>> from eqselect.proofs_check.verdict import Certified, Verdict
    >>> v = Verdict("A3", "", True, Certified.EXACT, {"inner_product": 3 * S + 2,
    ...     "s_range": (-1, 1), "normal_toward_P": (1, 1)})
    >>> a3_minimum(v)
    (-sqrt(2)/2, 'exact minimum')
    """
    vals = verdict.values
    if "inner_product" in vals:
        g = sp.Poly(vals["inner_product"], S)
        lo, hi = (to_sympy(x) for x in vals["s_range"])  # exact values; text refused
        points = [lo, hi]
        if g.degree() > 1:
            points += [x for x in sp.Poly(g.diff(S), S).real_roots() if lo <= x <= hi]
        norm = sp.sqrt(sum(to_sympy(x) ** 2 for x in vals["normal_toward_P"]))
        return sp.radsimp(sp.Min(*(g.eval(x) for x in points)) / norm), "exact minimum"
    if "min_lower_bound" in vals:
        return vals["min_lower_bound"], "certified lower bound at the traced nodes"
    return None, None


def verdict_counts(atlas: Atlas) -> dict:
    """{method: {condition: {"holds": n, "fails": n, "not decided": n}}} over the cells."""
    out = {m: {k: {"holds": 0, "fails": 0, "not decided": 0} for k in CONDITIONS}
           for m in atlas.methods}
    word = {True: "holds", False: "fails", None: "not decided"}
    for c in atlas.cells:
        if c.verdicts is not None:
            for k in CONDITIONS:
                out[c.method][k][word[c.verdicts.holds[k]]] += 1
    return out
