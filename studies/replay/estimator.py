"""The estimator experiment: the spread of the sampled Meta-MAPG update against batch size.

At one point theta (docs/replay.md, "The estimator experiment": both agents
at cooperation probability 0.58, theta_i = logit(0.58)) the estimator
lemma's sample estimates of the terms, each from a batch of B one-shot Stag
Hunt plays, are drawn R times independently. The experiment reports, per
batch size B,

    tr Cov(u_hat),   u_hat = g_hat + c own_hat + lambda peer_hat

(the full Meta-MAPG update, c = 0.35, lambda = 1.5), the sample covariance
(ddof = 1) over the R repetitions, and the same trace for each term alone
(g_hat, own_hat, peer_hat). g_hat is a mean of B i.i.d. terms, so its trace
falls as 1/B; own_hat and peer_hat are products of two batch means from the
same batch.

Repetitions: eqselect's protocol draws the R = 200 batches of a batch size
from one generator ``default_rng(seed)``; the authors' draws repetition r
from its own generator (R = 80, `eqselect.studies.replay.authors`).
"""

from __future__ import annotations

import numpy as np

from eqselect.numerics.sources.estimators import sample_components
from eqselect.numerics.sources.fields import combine, float_coefficients
from eqselect.studies.replay.runs import Setting, tick
from eqselect.studies.replay.streams import STAG_HUNT_PAYOFF, RunStreams

#: The terms reported apart, beside the full update.
TERMS = ("g", "own", "peer")


def estimator_point(setting: Setting) -> np.ndarray:
    """theta = (logit(p), logit(p)) with p = ``setting.estimator_p``, shape (2,)."""
    p = float(setting.estimator_p)
    return np.full(2, np.log(p / (1.0 - p)))


def variance_traces(terms: dict, setting: Setting) -> dict:
    """tr Cov over the repetitions of the full update and of each term.

    Parameters
    ----------
    terms : dict
        ``cur``, ``own``, ``peer``: the R estimates, each shape (R, 2).
    setting : Setting
        Gives the update's coefficients (Meta-MAPG with c and lambda).

    Returns
    -------
    dict
        ``update``, ``g``, ``own``, ``peer`` -> float.
    """
    update = combine(terms, float_coefficients(setting.rule("meta-mapg")))
    arrays = {"update": update, "g": terms["cur"], "own": terms["own"], "peer": terms["peer"]}
    return {k: float(np.trace(np.cov(v, rowvar=False))) for k, v in arrays.items()}


def draws(setting: Setting, batch: int, generators=None, seed: int = 0) -> dict:
    """The R estimates of (cur, own, peer) at the experiment's point.

    ``generators`` (one per repetition) gives the authors' layout; None
    draws all repetitions from ``default_rng(seed)`` (eqselect's).
    """
    point = estimator_point(setting)
    if generators is not None:
        reps = np.repeat(point[None], len(generators), axis=0)
        return RunStreams("stag-hunt", batch, generators, setting.eta).components(reps)
    reps = np.repeat(point[None], setting.estimator_reps, axis=0)
    est = sample_components("2x2", reps, setting.eta, batch, np.random.default_rng(seed),
                            STAG_HUNT_PAYOFF)
    return {"cur": est.cur, "own": est.own, "peer": est.peer}


def estimator_experiment(setting: Setting, generators_for=None, seed: int = 0,
                         progress=None) -> dict:
    """Per batch size, the traces of `variance_traces` (keys: the batch sizes as str).

    Parameters
    ----------
    setting : Setting
        Batch sizes, repetitions, point and coefficients.
    generators_for : callable or None
        ``generators_for(batch)`` -> the repetitions' generators (the
        authors' protocol); None: eqselect's, one generator per batch size.
    seed : int
    progress : object with ``update(n)``, optional
    """
    out = {}
    for b in setting.estimator_batches:
        gens = None if generators_for is None else generators_for(b)
        out[str(b)] = variance_traces(draws(setting, b, gens, seed), setting)
        tick(progress)
    return out
