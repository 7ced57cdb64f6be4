"""What every replayed experiment is made of: its setting, gradient sources and runs.

One experiment definition, two gradient sources (docs/replay.md):

- ``exact``: every update uses the exact components (the infinite-batch
  limit of the paper's estimator): compiled from the symbolic decomposition
  for Stag Hunt, dynamic programming (`eqselect.numerics.sources.markov`)
  for the IPD (H = 12, gamma = 0.96);
- ``sampled``: the paper's likelihood-ratio estimators
  (`eqselect.numerics.sources.estimators`), seeded, at the paper's batch
  sizes, from one stream per experiment (`stream`, eqselect's protocol) or
  one per run (`eqselect.studies.replay.streams`, the authors' protocol).

A *source* (`eqselect.numerics.sources.fields.GradientSource`) maps points
theta, shape (n, d), to the terms (cur, own, peer), each shape (n, d); a
rule's update u = cur + c own + lambda peer is formed by
`eqselect.numerics.sources.fields.rule_field`, the coefficients read from
`eqselect.theory.PAPER` through `Setting`.
Updates follow the paper's schedule theta <- clip(theta + lr_k u, -8, 8),
lr_k = 0.9 / (k + 10)^0.24; success means both agents' (start-state)
cooperation probabilities are >= 0.82 at the end of the run. Every run is
a `BasinProblem` on its source, solved by `run_basins` (`run_rule`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Callable

import numpy as np
import sympy as sp

from eqselect.theory import PAPER, Decomposition, Rule, builtin
from eqselect.numerics.dynamics.basins import run_basins
from eqselect.numerics.dynamics.judges import SuccessJudge
from eqselect.numerics.dynamics.outcomes import cooperation_success, wilson_interval
from eqselect.numerics.dynamics.problem import BasinProblem
from eqselect.numerics.dynamics.schedules import PaperSchedule
from eqselect.numerics.dynamics.starts import GivenStarts
from eqselect.numerics.sources.estimators import SampledSource
from eqselect.numerics.sources.fields import Source
from eqselect.numerics.sources.markov import MarkovSource
from eqselect.numerics.sources.symbolic import SymbolicSource
from eqselect.studies.replay.counting import EQSELECT, Counting, Outcome

METHODS = ("pg", "meta-pg", "peer-only", "meta-mapg")
EXPERIMENTS = ("basin-map", "peer-sweep", "ablation", "restarts", "restart-selection",
               "annealing", "estimator")

PROTOCOLS = ("eqselect", "authors")

#: The published (sampled) figures, docs/replay.md.
PUBLISHED = {
    "basin_map": {"pg": 0.270, "meta-mapg": 0.426},
    "peer_sweep": {"0": 0.298, "5": 0.628},
    "peer_sweep_first_hit": {"0": 25, "5": 20},
    "ablation": {
        "stag-hunt": {"pg": 0.27, "meta-pg": 0.27, "peer-only": 0.42, "meta-mapg": 0.42},
        "ipd": {"pg": 0.08, "meta-pg": 0.08, "peer-only": 0.32, "meta-mapg": 0.37},
    },
    "restarts": {
        "stag-hunt": {"pg": 1.71, "meta-pg": 1.75, "peer-only": 1.24, "meta-mapg": 1.24},
        "ipd": {"pg": 8.68, "meta-pg": 7.90, "peer-only": 2.91, "meta-mapg": 2.13},
    },
    "annealing": {"pg": 0.31, "constant": 0.41, "two-phase": 0.43},
    "estimator": {"48": 0.1272, "768": 0.0062},
}


@dataclass(frozen=True)
class Setting:
    """The replay's hyper-parameters (docs/replay.md); the rule's read `PAPER`.

    Besides the experiments' sizes: ``estimator_p`` is both agents'
    cooperation probability at the estimator experiment's point,
    ``counting`` how first hits are numbered (`Counting`), and
    ``start_shift`` a move of every start coordinate (0: none; the
    sensitivity measurement).
    """

    eta: float = float(PAPER.eta)
    own_coef: float = float(PAPER.own)
    lam: float = float(PAPER.lam)
    threshold: float = float(PAPER.success)
    peer_sweep: tuple = (0, 0.25, 0.5, 1, 1.5, 2, 3, 5)
    ablation_seeds: int = 100
    ablation_steps: int = 260
    ablation_std: float = 1.35
    ablation_batch: int = 384
    map_batch: int = 192
    restart_seeds: int = 100
    restart_steps: int = 120
    restart_budget: int = 12
    restart_range: float = 3.0
    anneal_seeds: int = 80
    anneal_n0: int = PAPER.anneal_n0
    estimator_batches: tuple = (48, 96, 192, 384, 768)
    estimator_reps: int = 200
    estimator_p: float = 0.58
    map_steps: int = PAPER.steps
    counting: Counting = EQSELECT
    start_shift: float = 0.0

    def rule(self, method: str, lam=None, annealing=None) -> Rule:
        """The rule ``method`` with this setting's lambda (or ``lam``) and c."""
        return Rule(method, self.lam if lam is None else lam, self.own_coef,
                    annealing=annealing)


# -- gradient sources --------------------------------------------------------
def stream(experiment: str, seed: int, *keys: str) -> np.random.Generator:
    """The random stream of one experiment: a function of (experiment, keys, seed) only.

    Names enter through a stable hash (the first 4 bytes of their SHA-256),
    not Python's ``hash``, which changes between runs; so an experiment draws
    the same numbers alone or inside a full replay.

    Examples
    --------
    >>> a = stream("annealing", 0).random()
    >>> a == stream("annealing", 0).random() != stream("ablation", 0).random()
    True
    """
    words = [int.from_bytes(hashlib.sha256(k.encode()).digest()[:4], "little")
             for k in (experiment, *keys)]
    return np.random.default_rng(np.random.SeedSequence([*words, int(seed)]))


def exact_source(game: str, setting: Setting = Setting()) -> Source:
    """The exact terms for "stag-hunt" (compiled symbolic) or "ipd" (dynamic programming)."""
    return _exact_source(game, setting.eta)


@lru_cache(maxsize=None)
def _exact_source(game: str, eta: float) -> Source:
    """Built and compiled once per (game, eta): exact sources hold no state between calls."""
    if game == "ipd":
        return MarkovSource(eta=eta, horizon=12, gamma=0.96)
    return SymbolicSource(Decomposition(logit_game(game), eta=sp.nsimplify(eta)))


def sampled_source(game: str, batch: int, seed, setting: Setting = Setting()) -> Source:
    """The paper's likelihood-ratio estimates of (cur, own, peer), seeded.

    ``seed`` is an int or a ``numpy.random.Generator`` (see `stream`).
    """
    if game == "ipd":
        return SampledSource("ipd", batch, seed, eta=setting.eta)
    return SampledSource("2x2", batch, seed, eta=setting.eta, payoffs=_payoffs(game))


def _payoffs(game: str):
    g = logit_game(game)
    return [np.array(t, dtype=float) for t in g.payoffs]


# -- starts and success -------------------------------------------------------
@lru_cache(maxsize=None)
def logit_game(game: str):
    """The built-in ``game`` under sigmoid policies, built once (the IPD's takes a while)."""
    return builtin(game, "logit")


@lru_cache(maxsize=None)
def success_predicate(game: str, threshold: float) -> Callable:
    """Both agents' (start-state) cooperation probabilities are >= threshold."""
    return cooperation_success(logit_game(game), threshold)


# -- experiments --------------------------------------------------------------
@dataclass(frozen=True)
class _Later:
    """An annealing schedule read ``by`` steps later: lam(k) = annealing.lam(k + by)."""

    annealing: object
    by: int

    def lam(self, k) -> float:
        return self.annealing.lam(k + self.by)


def run_rule(source: Source, game: str, rule: Rule, starts, steps: int,
             setting: Setting) -> Outcome:
    """Train ``rule`` from every start (a `GridStarts`, `SampledStarts` or
    `GivenStarts`) with the paper's schedule: `BasinProblem`s of ``source``
    solved by `run_basins`.

    The run is solved in two pieces, the first update and then the other
    steps - 1 from theta_1 with the schedule (and lambda_k) read one step
    later, so that both whether the start is in the success region and the
    first k >= 1 with theta_k in it are known (`Counting` reads its first
    hit from them). The pieces make the same updates, with the same draws of
    a sampled source, as one run of ``steps`` updates. A setting's
    ``start_shift`` moves every coordinate of every start by that amount
    (the sensitivity measurement, `eqselect.studies.replay.sensitivity`).
    """
    judge = SuccessJudge(success_predicate(game, setting.threshold))
    g = logit_game(game)
    if setting.start_shift:
        starts = GivenStarts(starts.draw(g)[1] + setting.start_shift)
    first = run_basins(BasinProblem(None, rule, starts, min(int(steps), 1), "paper", judge,
                                    source=source, game=g))
    start_in = first.first_hit == 0
    if steps <= 1:
        later = np.where(first.success, 1, -1) if steps == 1 else np.full(len(start_in), -1)
        return Outcome(first.success, start_in, later, setting.counting, first.final)
    later_rule = rule if rule.annealing is None else replace(
        rule, annealing=_Later(rule.annealing, 1))
    rest = run_basins(BasinProblem(
        None, later_rule, GivenStarts(first.final), int(steps) - 1,
        PaperSchedule(offset=PAPER.lr_offset + 1), judge, source=source, game=g))
    later = np.where(rest.first_hit >= 0, rest.first_hit + 1, -1)
    return Outcome(rest.success, start_in, later, setting.counting, rest.final)


def run_method(source: Source, game: str, method: str, starts, steps: int,
               setting: Setting, lam: float | None = None) -> Outcome:
    """Train ``method`` (with the setting's coefficients) from every start."""
    return run_rule(source, game, setting.rule(method, lam), starts, steps, setting)


def protocol_name(protocol: str) -> str:
    """How text names a protocol: "eqselect's protocol", "the authors' protocol"."""
    return "the authors' protocol" if protocol == "authors" else f"{protocol}'s protocol"


def lam_key(lam) -> str:
    """The JSON key of a lambda of the sweep ("0.25", "5")."""
    return f"{lam:g}"


def tick(progress, n: int = 1):
    """Tell ``progress`` (when given) that n units of work are done."""
    if progress is not None:
        progress.update(n)


def with_interval(success: np.ndarray) -> dict:
    """The share of successes with its 95% Wilson interval and the number of runs."""
    k, n = int(np.sum(success)), int(success.size)
    lo, hi = wilson_interval(k, n)
    return {"fraction": k / n, "ci95": [float(lo), float(hi)], "n": n}
