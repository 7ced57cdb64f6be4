"""Interior fixed points of entropy-regularised fields under the direct parameterisation.

With an entropy term tau H(pi) in the values (docs/theory.md) the field holds
log p: it is not polynomial (the face-by-face solver does not apply) and it
is infinite on the boundary of the region, pointing inward, so every fixed
point of the projected dynamics is interior and solves F(p) = 0.

They are found by Newton in block-softmax coordinates z (p = s(z), one
block per agent: p_k = exp(z_k) / (1 + sum_l exp(z_l)), the last action
the reference; for two actions the logistic function), which maps R^d onto
the open region, so no iterate leaves it and a root near the boundary
(p = 3.4e-4) is as easy as one in the middle:

1. seeds: a Latin hypercube in z (`newton_seeds`, box [-12, 12]);
2. batch Newton on G(z) = F(s(z)), DG = DF(s(z)) Ds(z), deflating found
   roots (`newton_batch`), rounds until none is new;
3. each root polished in p by mpmath Newton (`newton_polish`) at ``dps``
   digits and recorded by `characterise` (route NEWTON).

The list is not proven complete; the result says so, with the seeds.
"""

from __future__ import annotations

import mpmath
import numpy as np

from eqselect.theory import Decomposition
from eqselect.theory.games.entropy import has_entropy_term

from eqselect.numerics.compiled import compile_field
from eqselect.numerics.fixed_points.core.characterise import characterise
from eqselect.numerics.fixed_points.exact_faces.enumeration import region_blocks
from eqselect.numerics.fixed_points.core.field import MpField, numeric_rule
from eqselect.numerics.fixed_points.newton.multistart import (
    NewtonResult, newton_batch, newton_polish)
from eqselect.numerics.fixed_points.newton.seeds import default_seed_count, newton_seeds

#: The box of softmax coordinates the seeds are drawn from (p down to ~1e-5).
Z_BOX = (-12.0, 12.0)


def has_entropy(dec: Decomposition) -> bool:
    """Whether the game carries an entropy term tau H(pi) (``game.tau`` set, not zero).

    Read from ``game.tau`` (theory/games/entropy.py), never from a log in the
    values: a payoff such as log(3) is no entropy term.
    """
    return has_entropy_term(dec.game)


def to_region(z: np.ndarray, blocks) -> np.ndarray:
    """p = s(z), block by block (rows of z are points).

    Examples
    --------
    >>> to_region(np.array([[0.0, 0.0]]), ((0,), (1,))).tolist()
    [[0.5, 0.5]]
    """
    p = np.empty_like(z)
    for b in blocks:
        zb = z[:, list(b)]
        top = np.maximum(zb.max(axis=1, keepdims=True), 0.0)
        e = np.exp(zb - top)
        p[:, list(b)] = e / (np.exp(-top) + e.sum(axis=1, keepdims=True))
    return p


def _ds(p: np.ndarray, blocks) -> np.ndarray:
    """Ds(z) as a function of p: per block diag(p_b) - p_b p_b^T; shape (n, d, d)."""
    n, d = p.shape
    out = np.zeros((n, d, d))
    for b in blocks:
        idx = np.array(b)
        pb = p[:, idx]
        block = -pb[:, :, None] * pb[:, None, :]
        block[:, np.arange(len(b)), np.arange(len(b))] += pb
        out[:, idx[:, None], idx[None, :]] = block
    return out


class _InZ:
    """G(z) = F(s(z)) and DG(z) = DF(s(z)) Ds(z) for the batch Newton."""

    def __init__(self, cf, blocks):
        self.cf, self.blocks = cf, blocks

    def field(self, z):
        return self.cf.field(to_region(z, self.blocks))

    def jacobian(self, z):
        p = to_region(z, self.blocks)
        return np.einsum("nij,njk->nik", self.cf.jacobian(p), _ds(p, self.blocks))


def interior_fixed_points(dec: Decomposition, rule, n_seeds: int | None = None,
                          seed: int = 0, dps: int = 30, tol: float = 1e-20,
                          max_iter: int = 60, max_rounds: int = 6) -> NewtonResult:
    """Interior roots of F for a direct-parameterised game (steps 1-3 above).

    Parameters
    ----------
    dec : Decomposition
        Of a game under the direct parameterisation, eta numeric.
    rule : Rule
    n_seeds, seed : int
        Seeds in z (default ``default_seed_count(d)``) and the numpy seed.

    Returns
    -------
    NewtonResult
    """
    r = numeric_rule(dec, rule)
    blocks = region_blocks(dec.game)
    d = len(dec.game.parameters)
    n_seeds = default_seed_count(d) if n_seeds is None else int(n_seeds)
    z0, sampling = newton_seeds(d, n_seeds, seed, Z_BOX)
    inz = _InZ(compile_field(dec, r), blocks)
    mpf, roots, records, failures = MpField(dec, r), [], [], 0
    with mpmath.workdps(dps):
        for rounds in range(max_rounds + 1):
            deflate = np.array([[float(c) for c in _logits(x, blocks)] for x in roots])
            z, status = newton_batch(inz, z0, deflate.reshape(-1, d), max_iter)
            new = 0
            for cand in to_region(z[status == 1], blocks):
                x, ok, _ = newton_polish(mpf, cand, mpmath.mpf(tol), 20)
                if not ok or not _inside(x, blocks) or any(
                        max(abs(a - b) for a, b in zip(x, y)) < 1e-12 for y in roots):
                    failures += int(not ok)
                    continue
                roots.append(tuple(x))
                records.append(characterise(x, mpf))
                new += 1
            if not new:
                break
    notes = (f"entropy term: F is infinite on the boundary, so every fixed point is interior; "
             f"solved by Newton in softmax coordinates from {len(z0)} seed(s), {sampling}: "
             "the list may be incomplete",)
    return NewtonResult(records, roots, failures, 0, rounds, notes, len(z0), sampling)


def _inside(x, blocks) -> bool:
    return all(min(x[k] for k in b) > 0 and sum(x[k] for k in b) < 1 for b in blocks)


def _logits(x, blocks) -> list:
    """z with s(z) = x (inverse of `to_region` at one point)."""
    z = [0.0] * len(x)
    for b in blocks:
        last = 1 - sum(float(x[k]) for k in b)
        for k in b:
            z[k] = float(mpmath.log(x[k]) - mpmath.log(last))
    return z


__all__ = ["Z_BOX", "has_entropy", "interior_fixed_points", "to_region"]
