"""Replay of the paper's experiments (docs/replay.md), exact or sampled.

One experiment definition, two gradient sources:

- ``exact``: every update uses the exact components (the infinite-batch
  limit of the paper's estimator): compiled from the symbolic decomposition
  for Stag Hunt, dynamic programming (`eqselect.numerics.sources.markov`)
  for the IPD (H = 12, gamma = 0.96);
- ``sampled``: the paper's likelihood-ratio estimators
  (`eqselect.numerics.sources.estimators`), seeded, at the paper's batch
  sizes; every experiment draws from its own random stream (`stream`).

A *source* (`eqselect.numerics.sources.fields.GradientSource`) maps points
theta, shape (n, d), to the terms (cur, own, peer), each shape (n, d); a
rule's update u = cur + c own + lambda peer is formed by
`eqselect.numerics.sources.fields.rule_field`, the coefficients read from
`eqselect.theory.PAPER` through `Setting`.
Updates follow the paper's schedule theta <- clip(theta + lr_k u, -8, 8),
lr_k = 0.9 / (k + 10)^0.24; success means both agents' (start-state)
cooperation probabilities are >= 0.82 at the end of the run. Every
experiment is a `BasinProblem` on its source, solved by `run_basins`.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import sympy as sp

from eqselect.theory import PAPER, Decomposition, Rule, builtin
from eqselect.theory.serialize import Record
from eqselect.numerics.dynamics.basins import run_basins
from eqselect.numerics.dynamics.judges import SuccessJudge
from eqselect.numerics.dynamics.outcomes import cooperation_success, wilson_interval
from eqselect.numerics.dynamics.problem import BasinProblem
from eqselect.numerics.dynamics.schedules import PaperAnnealing
from eqselect.numerics.dynamics.starts import GridStarts, SampledStarts
from eqselect.numerics.sources.estimators import SampledSource
from eqselect.numerics.sources.fields import Source
from eqselect.numerics.sources.markov import MarkovSource
from eqselect.numerics.sources.symbolic import SymbolicSource

METHODS = ("pg", "meta-pg", "peer-only", "meta-mapg")
EXPERIMENTS = ("basin-map", "peer-sweep", "ablation", "restarts", "restart-selection",
               "annealing", "estimator")

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
    """The replay's hyper-parameters (docs/replay.md); the rule's read `PAPER`."""

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
    map_steps: int = PAPER.steps

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
    if game == "ipd":
        return MarkovSource(eta=setting.eta, horizon=12, gamma=0.96)
    dec = Decomposition(builtin(game, "logit"), eta=sp.nsimplify(setting.eta))
    return SymbolicSource(dec)


def sampled_source(game: str, batch: int, seed, setting: Setting = Setting()) -> Source:
    """The paper's likelihood-ratio estimates of (cur, own, peer), seeded.

    ``seed`` is an int or a ``numpy.random.Generator`` (see `stream`).
    """
    if game == "ipd":
        return SampledSource("ipd", batch, seed, eta=setting.eta)
    return SampledSource("2x2", batch, seed, eta=setting.eta, payoffs=_payoffs(game))


def _payoffs(game: str):
    g = builtin(game, "logit")
    return [np.array(t, dtype=float) for t in g.payoffs]


# -- starts and success -------------------------------------------------------
def success_predicate(game: str, threshold: float) -> Callable:
    """Both agents' (start-state) cooperation probabilities are >= threshold."""
    return cooperation_success(builtin(game, "logit"), threshold)


# -- experiments --------------------------------------------------------------
@dataclass(frozen=True)
class Outcome(Record):
    """Successes of one run, with its first-hit steps."""

    success: np.ndarray
    first_hit: np.ndarray

    @property
    def fraction(self) -> float:
        return float(np.mean(self.success))

    @property
    def mean_first_hit(self) -> float | None:
        hits = self.first_hit[self.success & (self.first_hit >= 0)]
        return float(hits.mean()) if hits.size else None


def run_rule(source: Source, game: str, rule: Rule, starts, steps: int,
             setting: Setting) -> Outcome:
    """Train ``rule`` from every start (a `GridStarts` or `SampledStarts`) with the
    paper's schedule: the `BasinProblem` of ``source`` solved by `run_basins`."""
    judge = SuccessJudge(success_predicate(game, setting.threshold))
    problem = BasinProblem(None, rule, starts, steps, "paper", judge, source=source,
                           game=builtin(game, "logit"))
    bm = run_basins(problem)
    return Outcome(bm.success, np.where(bm.success, bm.first_hit, -1))


def run_method(source: Source, game: str, method: str, starts, steps: int,
               setting: Setting, lam: float | None = None) -> Outcome:
    """Train ``method`` (with the setting's coefficients) from every start."""
    return run_rule(source, game, setting.rule(method, lam), starts, steps, setting)


def method_maps(source_for: Callable, setting: Setting, grid: int = 21, steps: int | None = None,
              progress=None) -> dict:
    """Fraction of the 21 x 21 grid (probabilities in linspace(0.05, 0.95), theta =
    logit(p)) reaching (C, C), per method (Stag Hunt)."""
    starts = GridStarts(grid)
    steps = setting.map_steps if steps is None else steps
    out = {}
    for m in METHODS:
        out[m] = run_method(source_for("stag-hunt"), "stag-hunt", m, starts, steps, setting)
        _tick(progress)
    return out


def peer_sweep(source_for: Callable, setting: Setting, grid: int = 11, steps: int | None = None,
               progress=None) -> dict:
    """Meta-MAPG's success fraction and mean first-hit step against lambda."""
    starts = GridStarts(grid)
    steps = setting.map_steps if steps is None else steps
    out = {}
    for lam in setting.peer_sweep:
        out[_key(lam)] = run_method(source_for("stag-hunt"), "stag-hunt", "meta-mapg", starts,
                                    steps, setting, lam=lam)
        _tick(progress)
    return out


def ablation(source_for: Callable, setting: Setting, seed: int = 0, progress=None) -> dict:
    """Success over seeded Gaussian starts theta ~ N(0, 1.35^2), four methods,
    Stag Hunt and IPD."""
    starts = SampledStarts(setting.ablation_seeds, seed, "normal", scale=setting.ablation_std)
    out = {}
    for game in ("stag-hunt", "ipd"):
        out[game] = {}
        for m in METHODS:
            out[game][m] = run_method(source_for(game), game, m, starts,
                                      setting.ablation_steps, setting)
            _tick(progress)
    return out


def restarts(source_for: Callable, setting: Setting, seed: int = 0, progress=None) -> dict:
    """Restarts before the first success, from uniform starts.

    Every seed draws its first epoch and up to ``restart_budget`` restarts
    (budget + 1 independent epochs, uniform theta in [-3, 3]) up front; all
    epochs run at once. The number of restarts is the index of the first
    successful epoch (0: the first epoch succeeded), budget + 1 when none
    does (a failure).
    """
    out = {}
    B, n = setting.restart_budget, setting.restart_seeds
    starts = SampledStarts(n * (B + 1), seed, "uniform-parameter", scale=setting.restart_range)
    for game in ("stag-hunt", "ipd"):
        out[game] = {}
        for m in METHODS:
            res = run_method(source_for(game), game, m, starts, setting.restart_steps, setting)
            ok = res.success.reshape(n, B + 1)
            first = np.where(ok.any(axis=1), ok.argmax(axis=1), B + 1)
            out[game][m] = first
            _tick(progress)
    return out


def annealing(source_for: Callable, setting: Setting, seed: int = 0, progress=None) -> dict:
    """PG, constant lambda and the two-phase schedule on Stag Hunt (80 seeds).

    Two-phase: lambda_c for N_0 = 100 steps, then
    lambda_k = lambda_c / (1 + (k - N_0) / 30)^0.7; 260 steps in all.
    """
    starts = SampledStarts(setting.anneal_seeds, seed, "normal", scale=setting.ablation_std)
    steps, game = setting.ablation_steps, "stag-hunt"
    src = source_for(game)
    out = {"pg": run_method(src, game, "pg", starts, steps, setting),
           "constant": run_method(src, game, "meta-mapg", starts, steps, setting)}
    _tick(progress, 2)
    two_phase = setting.rule("meta-mapg", annealing=PaperAnnealing(lam_c=setting.lam,
                                                                   n0=setting.anneal_n0))
    out["two-phase"] = run_rule(src, game, two_phase, starts, steps, setting)
    _tick(progress)
    return out


def estimator_variance(setting: Setting, seed: int = 0, progress=None) -> dict:
    """Trace of the covariance of the sampled cur estimator against batch size."""
    from eqselect.numerics.sources.estimators import estimator_variance_trace

    out = {}
    for b in setting.estimator_batches:
        out[str(b)] = float(estimator_variance_trace(np.zeros(2), b, setting.estimator_reps, seed))
        _tick(progress)
    return out


def _key(lam) -> str:
    return f"{lam:g}"


def _tick(progress, n: int = 1):
    if progress is not None:
        progress.update(n)


# -- the whole replay -----------------------------------------------------------
@dataclass(frozen=True)
class ReplayResult(Record):
    """Every figure of a replay, beside the published ones.

    Attributes
    ----------
    mode : "exact" or "sampled"
    figures : dict
        The replayed figures, keyed as in ``PUBLISHED``.
    raw : dict
        Per-start outcomes behind the figures (not serialised).
    seconds : float
    seed : int
    """

    mode: str
    figures: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)
    seconds: float = 0.0
    seed: int = 0

    _json_skip = ("figures", "raw", "seconds")

    def _json_extra(self) -> dict:
        return {**self.figures, "published": PUBLISHED, "seconds": round(self.seconds, 2)}


def work_units(experiments) -> int:
    """How many progress ticks a replay of ``experiments`` makes."""
    s = Setting()
    per = {"basin-map": 4, "peer-sweep": len(s.peer_sweep), "ablation": 8, "restarts": 8,
           "restart-selection": 0, "annealing": 3, "estimator": len(s.estimator_batches)}
    return sum(per[e] for e in experiments)


def replay(experiments=EXPERIMENTS, mode: str = "exact", seed: int = 0,
           setting: Setting = Setting(), progress=None) -> ReplayResult:
    """Run the named experiments with one gradient source.

    Each experiment draws its starts from ``default_rng(seed)`` and, in
    sampled mode, its gradient estimates from its own stream `stream`
    (experiment, game, seed): it gives the same numbers alone or inside a
    full replay.

    Parameters
    ----------
    experiments : iterable of str
        Any of ``EXPERIMENTS``.
    mode : {"exact", "sampled"}
    seed : int
        Seeds the starts and, in sampled mode, the estimators.
    setting : Setting
    progress : object with ``update(n)``, optional
    """
    unknown = [e for e in experiments if e not in EXPERIMENTS]
    if unknown:
        raise ValueError(f"unknown experiment {unknown[0]!r}; valid: {', '.join(EXPERIMENTS)}")
    if mode not in ("exact", "sampled"):
        raise ValueError(f"mode must be 'exact' or 'sampled', got {mode!r}")
    t0 = time.perf_counter()
    want = list(dict.fromkeys(experiments))
    figures, raw = {}, {}
    for name, run in _RUNS:
        if any(e in want for e in name.split("|")):
            run(figures, raw, _Sources(mode, seed, setting, name), want, progress)
    return ReplayResult(mode, figures, raw, time.perf_counter() - t0, seed)


class _Sources:
    """The gradient sources of one experiment, built on first use.

    ``grid`` serves the grid experiments (sampled: the basin map's batch
    192 for Stag Hunt), ``seeded`` the seeded-start experiments (sampled:
    batch 384). In sampled mode each (experiment, game) pair has its own
    random stream.
    """

    def __init__(self, mode: str, seed: int, setting: Setting, experiment: str):
        self.mode, self.seed, self.setting = mode, seed, setting
        self.experiment, self.cache = experiment.split("|")[0], {}

    def _get(self, game: str, batch: int) -> Source:
        key = (game, batch if self.mode == "sampled" else None)
        if key not in self.cache:
            self.cache[key] = (
                exact_source(game, self.setting) if self.mode == "exact" else
                sampled_source(game, batch, stream(self.experiment, self.seed, game),
                               self.setting))
        return self.cache[key]

    def grid(self, game: str) -> Source:
        s = self.setting
        return self._get(game, s.map_batch if game == "stag-hunt" else s.ablation_batch)

    def seeded(self, game: str) -> Source:
        return self._get(game, self.setting.ablation_batch)


def _run_basin_map(figures, raw, sources, want, progress) -> None:
    raw["basin_map"] = out = method_maps(sources.grid, sources.setting, progress=progress)
    figures["basin_map"] = {m: o.fraction for m, o in out.items()}


def _run_sweep(figures, raw, sources, want, progress) -> None:
    raw["peer_sweep"] = out = peer_sweep(sources.grid, sources.setting, progress=progress)
    figures["peer_sweep"] = {k: o.fraction for k, o in out.items()}
    figures["peer_sweep_first_hit"] = {k: o.mean_first_hit for k, o in out.items()}


def _run_ablation(figures, raw, sources, want, progress) -> None:
    raw["ablation"] = out = ablation(sources.seeded, sources.setting, sources.seed, progress)
    figures["ablation"] = {g: {m: _with_interval(o.success) for m, o in per.items()}
                           for g, per in out.items()}


def _run_restarts(figures, raw, sources, want, progress) -> None:
    budget = sources.setting.restart_budget
    raw["restarts"] = out = restarts(sources.seeded, sources.setting, sources.seed, progress)
    if "restarts" in want:
        figures["restarts"] = {
            g: {m: {"mean_restarts": float(np.minimum(f, budget).mean()),
                    "success": float(np.mean(f <= budget))} for m, f in per.items()}
            for g, per in out.items()}
    if "restart-selection" in want:
        # P(payoff-dominant outcome found with at most K restarts), K = 0..budget
        figures["restart_selection"] = {
            g: {m: [float(np.mean(f <= k)) for k in range(budget + 1)]
                for m, f in per.items()} for g, per in out.items()}


def _run_annealing(figures, raw, sources, want, progress) -> None:
    raw["annealing"] = out = annealing(sources.seeded, sources.setting, sources.seed, progress)
    figures["annealing"] = {k: _with_interval(o.success) for k, o in out.items()}


def _run_estimator(figures, raw, sources, want, progress) -> None:
    figures["estimator"] = estimator_variance(sources.setting, sources.seed, progress)


#: Experiments in the order they run; "restarts|restart-selection" share one run
#: (and one random stream, named by the first).
_RUNS = (("basin-map", _run_basin_map), ("peer-sweep", _run_sweep),
         ("ablation", _run_ablation), ("restarts|restart-selection", _run_restarts),
         ("annealing", _run_annealing), ("estimator", _run_estimator))


def _with_interval(success: np.ndarray) -> dict:
    k, n = int(np.sum(success)), int(success.size)
    lo, hi = wilson_interval(k, n)
    return {"fraction": k / n, "ci95": [float(lo), float(hi)], "n": n}
