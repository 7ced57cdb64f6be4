"""A basin map judged by attractors: settle the flow, classify, look for cycles, count.

The work of `eqselect.numerics.dynamics.judges.AttractorJudge`, after
`eqselect.numerics.dynamics.basins.run_basins` has stepped the starts (under
the flow with ``settle``, until every start settled or the time limit
``steps * dt``):

1. every end point is classified (`classify_ends`) against the attractors
   (`attractor_list`);
2. the runs that reached none go on for ``window`` more steps (the engine's
   `eqselect.numerics.dynamics.window.cycling`) and those that come back to
   where they were are cycles (`eqselect.numerics.dynamics.recurrence`); the
   others are "still moving", reported with their distance to the nearest
   fixed point;
3. volumes: counts and shares per outcome summing to 1 (Wilson intervals
   for random starts); the fraction is the share of the preferred
   attractor, or of the success predicate when none is preferred.
"""

from __future__ import annotations

import numpy as np

from eqselect.numerics.dynamics.attractors import (
    CYCLE, MOVING, UNLISTED, attractor_list, classify_ends,
    distance_to_fixed_points, label_counts, pure_candidates, volumes)
from eqselect.numerics.dynamics.narrow import rows_finite
from eqselect.numerics.dynamics.outcomes import wilson_interval
from eqselect.numerics.dynamics.basin_map import FRACTION, BasinMap
from eqselect.numerics.dynamics.starts import SampledStarts

def all_attractors(game, equilibria) -> tuple:
    """The listed attractors, then the unlisted pure profiles (`pure_candidates`)."""
    listed = attractor_list(game, equilibria)
    return listed + pure_candidates(game, listed)


#: Extra steps run from the starts that reached no attractor, to find cycles.
CYCLE_WINDOW = 400


def default_preference(game, attractors, schedule: str = "paper") -> str | None:
    """What a basin map counts when no attractor is named.

    None (the paper's success predicate) under the paper schedule when every
    player has two actions and everyone's first action is a listed
    attractor (Stag Hunt: the replayed numbers) or the game has several
    states; else ``"payoff-dominant"`` (as ``eqselect check`` chooses P).
    """
    two = all(int(m) == 2 for m in game.actions or ())
    first = tuple(0 for _ in range(game.n_agents))
    listed = [a for a in attractors if a.stability != UNLISTED]
    if schedule == "paper" and game.actions and two and (
            game.states > 1 or any(a.profile == first for a in listed)):
        return None
    return "payoff-dominant"


def end_field(field, steps: int):
    """The update direction at the end of the run (lambda_K for annealed rules)."""
    if field.step_dependent:
        return lambda x: field(x, steps)
    return field


def _restart(progress, total: int, label: str):
    """The progress bar restarted for a second phase (tqdm), or None."""
    if progress is None or not hasattr(progress, "reset"):
        return None
    progress.reset(total=total)
    if hasattr(progress, "set_description"):
        progress.set_description(label)
    return progress


def attractor_labels(problem, window, attractors, run, progress=None):
    """Labels of the end points (attractor index, MOVING or CYCLE) and notes."""
    game, final, done = problem.game, run.final, run.settled
    labels = classify_ends(game, attractors, final, end_field(run.field, int(problem.steps)),
                           problem.tol)
    if done is not None:  # settled at rest but at no attractor (e.g. on a saddle's manifold)
        labels[(labels < 0) & done] = MOVING
    notes = []
    idle = np.flatnonzero((labels == MOVING) & rows_finite(final))
    if window and idle.size:
        bar = _restart(progress, idle.size, "cycle test")
        cyc = run.recur(window, final[idle], bar)
        labels[idle[cyc]] = CYCLE
        if cyc.any():
            notes.append(f"{int(cyc.sum())} runs that reached no attractor come back to "
                         f"where they were within {window} more steps: cycles")
    return labels, notes


def _median(finite: np.ndarray) -> float:
    """The median of finite values: np.median's value, without the NaN check
    that imports numpy.ma (a tenth of a second of a small map's run)."""
    s = np.sort(finite)
    return float((s[(s.size - 1) // 2] + s[s.size // 2]) / 2)


def settling_report(problem, final, labels, done, used, name) -> tuple[dict, list[str]]:
    """How many starts still move, and how far they are from a fixed point."""
    moving = labels == MOVING
    dist = distance_to_fixed_points(problem.game, problem.fixed_points, final[moving])
    finite = dist[np.isfinite(dist)]
    report = {"still_moving": int(moving.sum()), "steps_run": int(used),
              "time": float(used * problem.dt) if name == "flow" else None,
              "settled_early": bool(name == "flow" and used < problem.steps),
              "distance_to_nearest_fixed_point": (
                  {"min": float(finite.min()), "median": _median(finite),
                   "max": float(finite.max())} if finite.size else None)}
    notes = []
    if done is not None:
        report["at_rest_off_attractors"] = rest = int(np.sum(done & moving))
        if rest:
            notes.append(f"{rest} of the starts counted as still moving rest at a fixed point "
                         "that is not an attractor (|P F| below tolerance; e.g. on a saddle's "
                         "stable manifold)")
    if moving.any():
        when = (f"t = {used * problem.dt:g}" if name == "flow" else f"step {used}")
        far = (f"; distance to the nearest fixed point (max-norm on strategies) median "
               f"{_median(finite):.3g}, max {finite.max():.3g}" if finite.size else "")
        notes.append(f"{int(moving.sum())} of {len(labels)} starts reached no attractor by "
                     f"{when} (still moving){far}; they are counted apart, not as failures")
    return report, notes


def at_rest(problem, run, labels) -> np.ndarray:
    """The end points no attractor holds where the field stops them: |P F|_inf <=
    ``settle_tol`` (P: the projection onto the region's tangent cone), fixed
    points the list does not name as attractors (a saddle's stable manifold;
    every point of a game whose field vanishes). The flow knows them as it
    runs (`integrate_until_settled`); a discrete schedule's ends are probed."""
    from eqselect.numerics.dynamics.flow import tangent_projector
    from eqselect.numerics.dynamics.narrow import row_max

    rest = np.zeros(len(labels), dtype=bool)
    rows = np.flatnonzero((labels == MOVING) & rows_finite(run.final))
    if not rows.size or run.field is None:
        return rest
    x = run.final[rows]
    u = np.asarray(end_field(run.field, int(problem.steps))(x), dtype=float)
    step = tangent_projector(problem.game.region)(x, u)
    rest[rows] = row_max(np.abs(step)) <= problem.judge.settle_tol
    return rest


def summarise(problem, judge, run, success, progress=None) -> BasinMap:
    """The `BasinMap` of an attractor-judged run (`AttractorJudge`)."""
    game, final, first_hit = problem.game, run.final, run.first_hit
    attractors = all_attractors(game, problem.fixed_points)
    names = tuple(a.name for a in attractors)
    labels, more = attractor_labels(problem, judge.window, attractors, run, progress)
    notes = list(run.notes) + more
    tally = label_counts(labels, len(attractors))
    for j, a in enumerate(attractors):
        if a.stability == UNLISTED and tally[j]:
            notes.append(f"{a.name}: {int(tally[j])} runs end at this pure profile "
                         "with the field pushing outward, though the search for fixed points "
                         "at infinity does not list it")
    if not problem.fixed_points.complete:
        notes.append("the fixed-point list is not proven complete: an attractor it misses "
                     "shows up as 'still moving'")
    used = int(problem.steps) if run.steps_run is None else run.steps_run
    done = run.settled if run.settled is not None else at_rest(problem, run, labels)
    settling, more = settling_report(problem, final, labels, done, used, run.schedule)
    notes += more
    sampled = isinstance(problem.starts, SampledStarts)
    z = getattr(problem.starts, "z", 1.96)
    counts, shares, intervals = volumes(attractors, labels, sampled, z)
    ok = None
    if judge.preferred is not None:
        hit = labels == judge.preferred
        preferred = names[judge.preferred]
    else:
        ok = (np.asarray(success(final), dtype=bool) if judge.criterion == "final"
              else first_hit >= 0) if success is not None and judge.predicate \
            else np.zeros(len(final), bool)
        hit, preferred = ok, None
    n, k = len(final), int(hit.sum())
    hits = first_hit[hit & (first_hit >= 0)]
    if sampled and n:
        intervals = {FRACTION: wilson_interval(k, n, z), **(intervals or {})}
    return BasinMap(problem, run.schedule, run.lam, run.starts_probability, run.starts, final,
                    ok, labels, attractors, first_hit, k / n if n else 0.0, counts,
                    float(hits.mean()) if hits.size else None, tuple(notes), shares,
                    intervals or None, settling, preferred)


__all__ = ["CYCLE_WINDOW", "all_attractors", "at_rest", "default_preference", "attractor_labels",
           "settling_report", "summarise"]
