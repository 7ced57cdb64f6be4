"""P and R as outcomes, and the conditions decided on them from one paired sample.

When P is not a finite stable fixed point (a face at infinity, the paper's
success region, a profile on a subset of states), or when a condition of the
point route is left undecided, the conditions are decided on the outcomes'
basins (docs/alignment.md, "Outcomes as P and R"):

1. `choose_outcomes`: P from ``--preferred`` (a named outcome, ``success``, a
   state profile), else the chosen fixed point or pure profile, else the
   payoff-dominant named face (the IPD: ``mutual-cooperation``); R the
   alternative (the other named face of largest welfare, or the chosen R);
2. one sample of starts run under F_lambda at 0, delta, the rule's lambda and
   a grid up to lambda_max (`paired_starts.run_paired`);
3. A1, A2 at the faces reached (`face_alignment`), A3 from the flips between
   0 and delta (`statistical_entry`), A5 from the masses along lambda and the
   selection effect (`outcome_persistence`).
"""

from __future__ import annotations

from dataclasses import dataclass

from eqselect.theory.outcomes import Outcome, named_outcomes, parse_outcome
from eqselect.numerics.shaping import ShapingField
from eqselect.proofs_check.face_alignment import check_face_a1, check_face_a2, face_margins
from eqselect.proofs_check.local import A1, A2
from eqselect.proofs_check.outcome_persistence import (
    check_outcome_a5, lambda_grid, selection_effect)
from eqselect.proofs_check.outcome_regions import candidate_outcome
from eqselect.proofs_check.paired_starts import SampleOptions, run_paired
from eqselect.proofs_check.persistence import A5
from eqselect.proofs_check.statistical_entry import (
    A3, default_delta, family, verdict_from)
from eqselect.proofs_check.verdict import PointReport, not_applicable


@dataclass(frozen=True)
class OutcomeChoice:
    """P and R as outcomes, whether P was named as one, and how they were chosen."""

    P: Outcome | None
    R: Outcome | None
    named: bool
    notes: tuple = ()


def _dominant(faces):
    top = [o for o in faces if all(all(a >= b for a, b in zip(o.payoffs, f.payoffs))
                                   for f in faces)]
    return top[0] if top else max(faces, key=lambda o: o.welfare)


def _alternative(game, P: Outcome, choice):
    faces = [o for o in named_outcomes(game) if o.payoffs and o.name != P.name]
    if faces:
        return max(faces, key=lambda o: o.welfare)
    rest = [c for c in (choice.candidates or ()) if c.stable]
    best = [c for c in rest if candidate_outcome(game, c).held != P.held]
    return candidate_outcome(game, max(best, key=lambda c: c.welfare)) if best else None


def choose_outcomes(game, preferred, choice) -> OutcomeChoice:
    """P and R as outcomes (module docstring, step 1); ``choice`` is the point route's
    `choice.Choice`."""
    named = parse_outcome(game, preferred)
    if named is not None:
        return OutcomeChoice(named, _alternative(game, named, choice), True)
    if choice.P is not None:
        R = None if choice.R is None else candidate_outcome(game, choice.R)
        return OutcomeChoice(candidate_outcome(game, choice.P), R, False)
    faces = [o for o in named_outcomes(game) if o.payoffs]
    if not faces:
        return OutcomeChoice(None, None, False)
    P = _dominant(faces)
    note = (f"v has no stable fixed point; P = {P.name} and R are the game's named outcomes "
            "(faces at infinity), P the payoff-dominant one")
    return OutcomeChoice(P, _alternative(game, P, choice), True, (note,))


def outcome_report(o: Outcome | None, margin: dict | None = None) -> PointReport | None:
    """The `PointReport` of an outcome (its face margin when one was measured)."""
    if o is None:
        return None
    mu_M = None if margin is None else margin["mu_M"]
    return PointReport(o.name, (), None, (), o.kind != "point", None, mu_M,
                       certified="numerical", outcome=o.to_json())


@dataclass(frozen=True)
class OutcomeVerdicts:
    """A1, A2, A3, A5 on outcomes, the selection effect, the face margins and R
    (the chosen one, or the face the flow of v reaches most often besides P)."""

    a1: object
    a2: object
    a3: object
    a5: object
    selection: dict | None
    margins: dict
    R: Outcome | None = None


def reached_face(game, P: Outcome, ends) -> Outcome | None:
    """The pure profile (one-state game, logit or softmax) the most end points outside
    P saturate to: every agent's largest probability >= P's threshold. None when no
    end point saturates elsewhere."""
    import numpy as np

    from eqselect.theory.outcomes import profile_outcome
    from eqselect.theory.profile_names import profile_actions
    from eqselect.numerics.dynamics.starts import action_blocks, parameters_to_strategies

    from eqselect.theory import RegionKind
    from eqselect.proofs_check.outcome_regions import members

    if game.states != 1 or game.region.kind is not RegionKind.FREE or not len(ends):
        return None  # faces at infinity exist only where the policy saturates
    ends = ends[~members(game, P, ends)]
    if not len(ends):
        return None
    S, col, picks = parameters_to_strategies(game, ends), 0, []
    for _, _, _, m in action_blocks(game):
        picks.append((S[:, col:col + m].argmax(axis=1), S[:, col:col + m].max(axis=1)))
        col += m
    saturated = np.all([q >= P.threshold for _, q in picks], axis=0)
    profiles = [tuple(int(a[k]) for a, _ in picks) for k in np.flatnonzero(saturated)]
    held = set(P.held)
    counts = {}
    for prof in profiles:
        if {(i, 0, a) for i, a in enumerate(prof)} != held:
            counts[prof] = counts.get(prof, 0) + 1
    if not counts:
        return None
    best = max(counts, key=counts.get)
    return profile_outcome(game, best, ",".join(profile_actions(game, best)))


def _with_R(sample, game, R):
    """The sample judged by a new R (its end points are kept)."""
    from dataclasses import replace

    from eqselect.proofs_check.outcome_regions import members

    return replace(sample, in_R={lam: members(game, R, x) for lam, x in sample.final.items()})


def outcome_verdicts(sf: ShapingField, outs: OutcomeChoice, lam_max: float,
                     options: SampleOptions) -> OutcomeVerdicts:
    """Run one paired sample and decide A1, A2, A3, A5 on P and R (module docstring)."""
    P, R = outs.P, outs.R
    at = family(sf) if not sf.trivial else None
    if at is None:
        why = ("the rule has no shaping field (M = 0)" if sf.trivial else
               f"M = {' + '.join(sf.pieces)}: no rule weighs these pieces by lambda, so "
               "F_lambda = v + lambda M cannot be run")
        return OutcomeVerdicts(not_applicable("A1", A1, why), not_applicable("A2", A2, why),
                               not_applicable("A3", A3, why), not_applicable("A5", A5, why),
                               None, {})
    rule = sf.rule
    lam = float(rule.lam) if rule.uses_lam else 1.0
    delta = float(options.delta) if options.delta is not None else default_delta(rule)
    grid = lambda_grid(lam, lam_max)
    dec = sf.dec
    sample = run_paired(dec, at, dec.game, (P, R), (0.0, delta, lam, *grid), options)
    if R is None:  # no stable alternative among the candidates: the face the flow reaches
        R = reached_face(dec.game, P, sample.final[0.0])
        if R is not None:
            sample = _with_R(sample, dec.game, R)
    margins = face_margins(dec, at, dec.game, (P, R), sample)
    a3 = (verdict_from(sample, delta, P, R) if R is not None else not_applicable(
        "A3", A3, "no alternative outcome R: there is no boundary between basins"))
    return OutcomeVerdicts(check_face_a1(margins, P, sample),
                           check_face_a2(margins, P, R, sample), a3,
                           check_outcome_a5(sample, grid, P, R),
                           selection_effect(sample, lam, P), margins, R)


__all__ = ["OutcomeChoice", "OutcomeVerdicts", "choose_outcomes", "outcome_report",
           "outcome_verdicts"]
