"""The replay of the paper's experiments (docs/replay.md): eqselect's protocol and the whole run.

eqselect's protocol draws the starts of an experiment from ``default_rng(seed)``
and, in sampled mode, every gradient estimate of an experiment from that
experiment's own stream (`eqselect.studies.replay.runs.stream`); the
authors' protocol (`eqselect.studies.replay.authors`) seeds every run on
its own. `replay` runs the named experiments under either and turns their
per-run outcomes into the figures of the replay document.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from eqselect.theory.serialize import Record
from eqselect.numerics.dynamics.schedules import PaperAnnealing
from eqselect.numerics.dynamics.starts import GridStarts, SampledStarts
from eqselect.numerics.sources.fields import Source
from eqselect.studies.replay import authors
from eqselect.studies.replay.counting import EQSELECT, Counting
from eqselect.studies.replay.estimator import estimator_experiment, estimator_point
from eqselect.studies.replay.runs import (
    EXPERIMENTS, METHODS, PROTOCOLS, PUBLISHED, Setting, exact_source, lam_key, run_method,
    run_rule, sampled_source, stream, tick, with_interval)


def method_maps(source_for: Callable, setting: Setting, grid: int = 21, steps: int | None = None,
              progress=None) -> dict:
    """Fraction of the 21 x 21 grid (probabilities in linspace(0.05, 0.95), theta =
    logit(p)) reaching (C, C), per method (Stag Hunt)."""
    starts = GridStarts(grid)
    steps = setting.map_steps if steps is None else steps
    out = {}
    for m in METHODS:
        out[m] = run_method(source_for("stag-hunt"), "stag-hunt", m, starts, steps, setting)
        tick(progress)
    return out


def peer_sweep(source_for: Callable, setting: Setting, grid: int = 11, steps: int | None = None,
               progress=None) -> dict:
    """Meta-MAPG's success fraction and mean first-hit step against lambda."""
    starts = GridStarts(grid)
    steps = setting.map_steps if steps is None else steps
    out = {}
    for lam in setting.peer_sweep:
        out[lam_key(lam)] = run_method(source_for("stag-hunt"), "stag-hunt", "meta-mapg", starts,
                                    steps, setting, lam=lam)
        tick(progress)
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
            tick(progress)
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
            tick(progress)
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
    tick(progress, 2)
    two_phase = setting.rule("meta-mapg", annealing=PaperAnnealing(lam_c=setting.lam,
                                                                   n0=setting.anneal_n0))
    out["two-phase"] = run_rule(src, game, two_phase, starts, steps, setting)
    tick(progress)
    return out


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
        Per-run outcomes behind the figures (not serialised).
    seconds : float
    seed : int
    protocol : "eqselect" or "authors"
        How starts, random streams, batch sizes and step totals are laid out.
    counting : Counting
        How the first hits of the peer sweep are numbered.
    """

    mode: str
    figures: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)
    seconds: float = 0.0
    seed: int = 0
    protocol: str = "eqselect"
    counting: Counting = EQSELECT

    _json_skip = ("figures", "raw", "seconds")

    def _json_extra(self) -> dict:
        return {**self.figures, "published": PUBLISHED, "seconds": round(self.seconds, 2)}


def work_units(experiments, protocol: str = "eqselect") -> int:
    """How many progress ticks a replay of ``experiments`` makes."""
    s = Setting()
    two = protocol == "authors"
    per = {"basin-map": 2 if two else 4, "peer-sweep": len(s.peer_sweep), "ablation": 8,
           "restarts": 8, "restart-selection": 2 if two else 0, "annealing": 3,
           "estimator": len(s.estimator_batches)}
    return sum(per[e] for e in experiments)


def replay(experiments=EXPERIMENTS, mode: str = "exact", seed: int = 0,
           setting: Setting = Setting(), progress=None, protocol: str = "eqselect",
           counting: Counting | None = None) -> ReplayResult:
    """Run the named experiments with one gradient source under one protocol.

    Under eqselect's protocol each experiment draws its starts from
    ``default_rng(seed)`` and, in sampled mode, its gradient estimates from
    its own stream `stream` (experiment, game, seed): it gives the same
    numbers alone or inside a full replay. Under the authors' protocol
    (`eqselect.studies.replay.authors`) every run has its own seeded stream
    and the experiments use the authors' batch sizes and step totals.

    Parameters
    ----------
    experiments : iterable of str
        Any of ``EXPERIMENTS``.
    mode : {"exact", "sampled"}
    seed : int
        Seeds the starts and, in sampled mode, the estimators (the authors'
        protocol: seed 0 is the authors' seeds, S > 0 a replica).
    setting : Setting
        eqselect's protocol's setting (the authors' protocol has its own,
        `authors.AuthorsSetting`, and takes only ``start_shift`` from it).
    progress : object with ``update(n)``, optional
    protocol : {"eqselect", "authors"}
    counting : Counting or None
        How the peer sweep numbers first hits (None: the protocol's own).
    """
    unknown = [e for e in experiments if e not in EXPERIMENTS]
    if unknown:
        raise ValueError(f"unknown experiment {unknown[0]!r}; valid: {', '.join(EXPERIMENTS)}")
    if mode not in ("exact", "sampled"):
        raise ValueError(f"mode must be 'exact' or 'sampled', got {mode!r}")
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {', '.join(PROTOCOLS)}, got {protocol!r}")
    t0 = time.perf_counter()
    want = list(dict.fromkeys(experiments))
    figures, raw = {}, {}
    if protocol == "authors":
        a = replace(authors.AuthorsSetting(), seed=int(seed))
        a = replace(a, base=replace(a.base, start_shift=setting.start_shift))
        if counting is not None:
            a = replace(a, base=replace(a.base, counting=counting))
        _authors_runs(a, mode, want, figures, raw, progress)
        counting = a.base.counting
    else:
        if counting is not None:
            setting = replace(setting, counting=counting)
        for name, run in _RUNS:
            if any(e in want for e in name.split("|")):
                run(figures, raw, _Sources(mode, seed, setting, name), want, progress)
        counting = setting.counting
    return ReplayResult(mode, figures, raw, time.perf_counter() - t0, seed, protocol, counting)


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


# -- from per-run outcomes to figures (both protocols) ------------------------------
def map_figures(figures, raw, out) -> None:
    raw["basin_map"] = out
    figures["basin_map"] = {m: o.fraction for m, o in out.items()}


def sweep_figures(figures, raw, out) -> None:
    raw["peer_sweep"] = out
    figures["peer_sweep"] = {k: o.fraction for k, o in out.items()}
    figures["peer_sweep_first_hit"] = {k: o.mean_first_hit for k, o in out.items()}


def ablation_figures(figures, raw, out) -> None:
    raw["ablation"] = out
    figures["ablation"] = {g: {m: with_interval(o.success) for m, o in per.items()}
                           for g, per in out.items()}


def restart_figures(figures, raw, out, budget: int) -> None:
    """Mean restarts (a seed without success counts ``budget``) and the success share."""
    raw["restarts"] = out
    figures["restarts"] = {
        g: {m: {"mean_restarts": float(np.minimum(f, budget).mean()),
                "success": float(np.mean(f <= budget))} for m, f in per.items()}
        for g, per in out.items()}


def selection_figures(figures, raw, out, epochs: int) -> None:
    """P(payoff-dominant outcome found within k + 1 epochs), k = 0 .. epochs - 1."""
    raw["restart_selection"] = out
    figures["restart_selection"] = {
        g: {m: [float(np.mean(f <= k)) for k in range(epochs)] for m, f in per.items()}
        for g, per in out.items()}


def annealing_figures(figures, raw, out) -> None:
    raw["annealing"] = out
    figures["annealing"] = {k: with_interval(o.success) for k, o in out.items()}


def estimator_figures(figures, traces: dict, setting: Setting) -> None:
    """``estimator``: the full update's trace per batch; the terms apart and the point."""
    figures["estimator"] = {b: t["update"] for b, t in traces.items()}
    figures["estimator_terms"] = {b: {k: t[k] for k in ("g", "own", "peer")}
                                  for b, t in traces.items()}
    figures["estimator_point"] = {"theta": [float(v) for v in estimator_point(setting)],
                                  "probability": float(setting.estimator_p),
                                  "repetitions": int(setting.estimator_reps)}


def _run_basin_map(figures, raw, sources, want, progress) -> None:
    map_figures(figures, raw, method_maps(sources.grid, sources.setting, progress=progress))


def _run_sweep(figures, raw, sources, want, progress) -> None:
    sweep_figures(figures, raw, peer_sweep(sources.grid, sources.setting, progress=progress))


def _run_ablation(figures, raw, sources, want, progress) -> None:
    ablation_figures(figures, raw, ablation(sources.seeded, sources.setting, sources.seed,
                                            progress))


def _run_restarts(figures, raw, sources, want, progress) -> None:
    budget = sources.setting.restart_budget
    out = restarts(sources.seeded, sources.setting, sources.seed, progress)
    if "restarts" in want:
        restart_figures(figures, raw, out, budget)
    if "restart-selection" in want:
        selection_figures(figures, raw, out, budget + 1)


def _run_annealing(figures, raw, sources, want, progress) -> None:
    annealing_figures(figures, raw, annealing(sources.seeded, sources.setting, sources.seed,
                                              progress))


def _run_estimator(figures, raw, sources, want, progress) -> None:
    traces = estimator_experiment(sources.setting, None, sources.seed, progress)
    estimator_figures(figures, traces, sources.setting)


#: Experiments in the order they run; "restarts|restart-selection" share one run
#: (and one random stream, named by the first).
_RUNS = (("basin-map", _run_basin_map), ("peer-sweep", _run_sweep),
         ("ablation", _run_ablation), ("restarts|restart-selection", _run_restarts),
         ("annealing", _run_annealing), ("estimator", _run_estimator))


def _authors_runs(a, mode: str, want, figures, raw, progress) -> None:
    """The experiments of ``want`` under the authors' protocol, in the replay's order."""
    if "basin-map" in want:
        map_figures(figures, raw, authors.basin_map(a, mode, progress=progress))
    if "peer-sweep" in want:
        sweep_figures(figures, raw, authors.peer_sweep(a, mode, progress=progress))
    if "ablation" in want:
        ablation_figures(figures, raw, authors.ablation(a, mode, progress))
    if "restarts" in want:
        restart_figures(figures, raw, authors.restarts(a, mode, progress),
                        a.base.restart_budget)
    if "restart-selection" in want:
        selection_figures(figures, raw, authors.restart_selection(a, mode, progress),
                          a.selection_budget)
    if "annealing" in want:
        annealing_figures(figures, raw, authors.annealing(a, mode, progress))
    if "estimator" in want:
        traces = estimator_experiment(a.base, lambda b: authors.estimator_generators(a, b),
                                      progress=progress)
        estimator_figures(figures, traces, a.base)
