"""Replay of the paper's experiments (docs/replay.md), exact or sampled.

One experiment definition, two gradient sources:

- ``exact``: every update uses the exact components (the infinite-batch
  limit of the paper's estimator): compiled from the symbolic decomposition
  for Stag Hunt, dynamic programming (:mod:`.markov`) for the IPD (H = 12,
  gamma = 0.96);
- ``sampled``: the paper's likelihood-ratio estimators
  (:mod:`.estimators`), seeded, at the paper's batch sizes.

A *source* maps points theta, shape (n, d), to the terms (cur, own, peer),
each shape (n, d); a method's update is u = cur + c own + lambda peer with
the method's coefficients (:func:`eqselect.theory.coefficients`).
Updates follow the paper's schedule theta <- clip(theta + lr_k u, -8, 8),
lr_k = 0.9 / (k + 10)^0.24; success means both agents' (start-state)
cooperation probabilities are >= 0.82 at the end of the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import sympy as sp

from eqselect.theory import Decomposition, builtin, coefficients

from eqselect.numerics.dynamics.basins import cooperation_success, probability_to_parameters, wilson_interval
from eqselect.numerics.dynamics.basins import grid_starts as basin_grid
from eqselect.numerics.dynamics.schedules import PaperSchedule, annealed_field, run_schedule

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
    """The paper's hyper-parameters (docs/replay.md)."""

    eta: float = 0.55
    own_coef: float = 0.35
    lam: float = 1.5
    threshold: float = 0.82
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
    anneal_n0: int = 100
    estimator_batches: tuple = (48, 96, 192, 384, 768)
    estimator_reps: int = 200


# -- gradient sources --------------------------------------------------------
Source = Callable[[np.ndarray], dict]


def exact_source(game: str, setting: Setting = Setting()) -> Source:
    """Exact (cur, own, peer) at many points for "stag-hunt" or "ipd"."""
    if game == "ipd":
        from eqselect.numerics.sources.markov import ipd_components

        def terms(x):
            c = ipd_components(x, eta=setting.eta, horizon=12, gamma=0.96)
            return {"cur": c.cur, "own": c.own, "peer": c.peer}

        return terms
    from eqselect.numerics.compiled import compile_components

    dec = Decomposition(builtin(game, "logit"), eta=sp.nsimplify(setting.eta))
    comps = compile_components(dec)

    def terms(x):
        c = comps(x)
        return {"cur": c[:, 0], "own": c[:, 1], "peer": c[:, 2]}

    return terms


def sampled_source(game: str, batch: int, seed: int, setting: Setting = Setting()) -> Source:
    """The paper's likelihood-ratio estimates of (cur, own, peer), seeded."""
    from eqselect.numerics.sources.estimators import sample_components

    rng = np.random.default_rng(seed)
    kind = "ipd" if game == "ipd" else "2x2"
    extra = {} if game == "ipd" else {"payoffs": _payoffs(game)}

    def terms(x):
        est = sample_components(kind, x, setting.eta, batch, rng, **extra)
        return {"cur": est.cur, "own": est.own, "peer": est.peer}

    return terms


def _payoffs(game: str):
    g = builtin(game, "logit")
    return [np.array(t, dtype=float) for t in g.payoffs]


def method_field(source: Source, method: str, lam: float, own_coef: float) -> Callable:
    """u(x) = cur + c own + lambda peer for one of the paper's methods."""
    coef = coefficients(method, lam, own_coef)

    def field(x):
        t = source(x)
        u = t["cur"].copy()
        if coef["own"]:
            u += float(coef["own"]) * t["own"]
        if coef["peer"]:
            u += float(coef["peer"]) * t["peer"]
        return u

    return field


# -- starts and success -------------------------------------------------------
def success_predicate(game: str, threshold: float) -> Callable:
    """Both agents' (start-state) cooperation probabilities are >= threshold."""
    return cooperation_success(builtin(game, "logit"), threshold)


def grid_starts(n: int) -> np.ndarray:
    """theta = logit(p) on the n x n grid p in linspace(0.05, 0.95)."""
    return probability_to_parameters(builtin("stag-hunt", "logit"), basin_grid(2, n))


def dimension(game: str) -> int:
    return 10 if game == "ipd" else 2


# -- experiments --------------------------------------------------------------
@dataclass
class Outcome:
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


def run_method(source: Source, game: str, method: str, x0, steps: int, setting: Setting,
               lam: float | None = None) -> Outcome:
    """Train from every start at once with the paper's schedule."""
    lam = setting.lam if lam is None else lam
    succ = success_predicate(game, setting.threshold)
    run = run_schedule(method_field(source, method, lam, setting.own_coef), x0,
                       PaperSchedule(), steps, success=succ)
    final = succ(run.final)
    return Outcome(final, np.where(final, run.first_hit, -1))


def basin_map(source_for: Callable, setting: Setting, grid: int = 21, steps: int = 140,
              progress=None) -> dict:
    """Fraction of the 21 x 21 grid reaching (C, C), per method (Stag Hunt)."""
    x0 = grid_starts(grid)
    out = {}
    for m in METHODS:
        out[m] = run_method(source_for("stag-hunt"), "stag-hunt", m, x0, steps, setting)
        _tick(progress)
    return out


def peer_sweep(source_for: Callable, setting: Setting, grid: int = 11, steps: int = 140,
               progress=None) -> dict:
    """Meta-MAPG's success fraction and mean first-hit step against lambda."""
    x0 = grid_starts(grid)
    out = {}
    for lam in setting.peer_sweep:
        out[_key(lam)] = run_method(source_for("stag-hunt"), "stag-hunt", "meta-mapg", x0,
                                    steps, setting, lam=lam)
        _tick(progress)
    return out


def ablation(source_for: Callable, setting: Setting, seed: int = 0, progress=None) -> dict:
    """Success over seeded Gaussian starts, four methods, Stag Hunt and IPD."""
    out = {}
    for game in ("stag-hunt", "ipd"):
        rng = np.random.default_rng(seed)
        x0 = rng.normal(0.0, setting.ablation_std, (setting.ablation_seeds, dimension(game)))
        out[game] = {}
        for m in METHODS:
            out[game][m] = run_method(source_for(game), game, m, x0,
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
    for game in ("stag-hunt", "ipd"):
        rng = np.random.default_rng(seed)
        r = setting.restart_range
        x0 = rng.uniform(-r, r, (n * (B + 1), dimension(game)))
        out[game] = {}
        for m in METHODS:
            res = run_method(source_for(game), game, m, x0, setting.restart_steps, setting)
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
    from eqselect.numerics.dynamics.schedules import PaperAnnealing

    rng = np.random.default_rng(seed)
    x0 = rng.normal(0.0, setting.ablation_std, (setting.anneal_seeds, 2))
    steps, game = setting.ablation_steps, "stag-hunt"
    src = source_for(game)
    succ = success_predicate(game, setting.threshold)
    out = {"pg": run_method(src, game, "pg", x0, steps, setting),
           "constant": run_method(src, game, "meta-mapg", x0, steps, setting)}
    _tick(progress, 2)
    sched = PaperAnnealing(lam_c=setting.lam, n0=setting.anneal_n0)
    field = annealed_field(method_field(src, "meta-mapg", 0.0, setting.own_coef),
                           method_field(src, "meta-mapg", 1.0, setting.own_coef), sched.lam)
    run = run_schedule(field, x0, PaperSchedule(), steps, success=succ, step_dependent=True)
    final = succ(run.final)
    out["two-phase"] = Outcome(final, np.where(final, run.first_hit, -1))
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
@dataclass
class ReplayResult:
    """Every figure of a replay, beside the published ones."""

    mode: str
    figures: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)
    seconds: float = 0.0

    def to_json(self) -> dict:
        return {"mode": self.mode, **self.figures, "published": PUBLISHED,
                "seconds": round(self.seconds, 2)}


def work_units(experiments) -> int:
    """How many progress ticks a replay of ``experiments`` makes."""
    s = Setting()
    per = {"basin-map": 4, "peer-sweep": len(s.peer_sweep), "ablation": 8, "restarts": 8,
           "restart-selection": 0, "annealing": 3, "estimator": len(s.estimator_batches)}
    return sum(per[e] for e in experiments)


def replay(experiments=EXPERIMENTS, mode: str = "exact", seed: int = 0,
           setting: Setting = Setting(), progress=None) -> ReplayResult:
    """Run the named experiments with one gradient source.

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
    import time

    unknown = [e for e in experiments if e not in EXPERIMENTS]
    if unknown:
        raise ValueError(f"unknown experiment {unknown[0]!r}; valid: {', '.join(EXPERIMENTS)}")
    if mode not in ("exact", "sampled"):
        raise ValueError(f"mode must be 'exact' or 'sampled', got {mode!r}")
    t0 = time.perf_counter()
    res = ReplayResult(mode)
    want = list(dict.fromkeys(experiments))
    sources = _SourceCache(mode, seed, setting)
    if "basin-map" in want:
        _basin_map_figures(res, basin_map(sources.grid, setting, progress=progress))
    if "peer-sweep" in want:
        _sweep_figures(res, peer_sweep(sources.grid, setting, progress=progress))
    if "ablation" in want:
        raw = ablation(sources.seeded, setting, seed, progress)
        res.raw["ablation"] = raw
        res.figures["ablation"] = {
            g: {m: _with_interval(o.success) for m, o in per.items()} for g, per in raw.items()}
    if "restarts" in want or "restart-selection" in want:
        _restart_figures(res, restarts(sources.seeded, setting, seed, progress), want,
                         setting.restart_budget)
    if "annealing" in want:
        raw = annealing(sources.seeded, setting, seed, progress)
        res.raw["annealing"] = raw
        res.figures["annealing"] = {k: _with_interval(o.success) for k, o in raw.items()}
    if "estimator" in want:
        res.figures["estimator"] = estimator_variance(setting, seed, progress)
    res.seconds = time.perf_counter() - t0
    return res


class _SourceCache:
    """One gradient source per game (and batch), built on first use.

    ``grid`` serves the grid experiments (sampled: the basin map's batch
    192 for Stag Hunt), ``seeded`` the seeded-start experiments (sampled:
    batch 384).
    """

    def __init__(self, mode: str, seed: int, setting: Setting):
        self.mode, self.seed, self.setting, self.cache = mode, seed, setting, {}

    def _get(self, game: str, batch: int) -> Source:
        key = (game, batch if self.mode == "sampled" else None)
        if key not in self.cache:
            self.cache[key] = (exact_source(game, self.setting) if self.mode == "exact"
                               else sampled_source(game, batch, self.seed, self.setting))
        return self.cache[key]

    def grid(self, game: str) -> Source:
        s = self.setting
        return self._get(game, s.map_batch if game == "stag-hunt" else s.ablation_batch)

    def seeded(self, game: str) -> Source:
        return self._get(game, self.setting.ablation_batch)


def _basin_map_figures(res: ReplayResult, raw: dict) -> None:
    res.raw["basin_map"] = raw
    res.figures["basin_map"] = {m: o.fraction for m, o in raw.items()}


def _sweep_figures(res: ReplayResult, raw: dict) -> None:
    res.raw["peer_sweep"] = raw
    res.figures["peer_sweep"] = {k: o.fraction for k, o in raw.items()}
    res.figures["peer_sweep_first_hit"] = {k: o.mean_first_hit for k, o in raw.items()}


def _restart_figures(res: ReplayResult, raw: dict, want, budget: int) -> None:
    res.raw["restarts"] = raw
    if "restarts" in want:
        res.figures["restarts"] = {
            g: {m: {"mean_restarts": float(np.minimum(f, budget).mean()),
                    "success": float(np.mean(f <= budget))} for m, f in per.items()}
            for g, per in raw.items()}
    if "restart-selection" in want:
        # P(payoff-dominant outcome found with at most K restarts), K = 0..budget
        res.figures["restart_selection"] = {
            g: {m: [float(np.mean(f <= k)) for k in range(budget + 1)]
                for m, f in per.items()} for g, per in raw.items()}


def _with_interval(success: np.ndarray) -> dict:
    k, n = int(np.sum(success)), int(success.size)
    lo, hi = wilson_interval(k, n)
    return {"fraction": k / n, "ci95": [float(lo), float(hi)], "n": n}
