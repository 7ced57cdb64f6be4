"""Starting points for the fixed-point searches.

- `seed_points`: a Latin hypercube in a box (numpy ``Generator(seed)``,
  deterministic) plus the user's seeds, for Newton with deflation;
- `default_seed_count`: the default number of seeds, growing with the
  dimension d (64 up to d = 2, then 32 d);
- `seed_grid`: a regular grid (or a seeded uniform sample when the grid is
  large) inside the region, for the seeds of continuation.
"""

from __future__ import annotations

import itertools

import numpy as np

from eqselect.theory import GameError, Region, RegionKind


def default_seed_count(dim: int) -> int:
    """Seeds of the Newton search by default: max(64, 32 d).

    Examples
    --------
    >>> default_seed_count(2), default_seed_count(10)
    (64, 320)
    """
    return max(64, 32 * int(dim))


def seed_points(dim: int, n_seeds: int = 64, seed: int = 0, box=(-8, 8),
                seeds=None) -> np.ndarray:
    """Latin-hypercube seeds in ``box`` followed by the user's seeds.

    Each coordinate's range [lo, hi] is cut into ``n_seeds`` equal strata,
    one uniform point per stratum, strata permuted independently per
    coordinate (numpy ``Generator(seed)``: deterministic).

    Returns
    -------
    x : ndarray, shape (n_seeds + len(seeds), dim)

    Examples
    --------
    >>> seed_points(2, 4, seed=1).shape
    (4, 2)
    >>> seed_points(1, 0, seeds=[[0.5]]).tolist()
    [[0.5]]
    """
    lo, hi = (float(b) for b in box)
    if not hi > lo:
        raise GameError(f"seed box must have low < high, got {box!r}")
    if n_seeds < 0:
        raise GameError(f"n_seeds must be >= 0, got {n_seeds}")
    rng = np.random.default_rng(seed)
    u = (np.stack([rng.permutation(n_seeds) for _ in range(dim)], axis=1)
         + rng.random((n_seeds, dim))) / max(n_seeds, 1)
    lhs = lo + (hi - lo) * u.reshape(n_seeds, dim)
    if seeds is None or len(seeds) == 0:
        return lhs
    try:
        extra = np.asarray(seeds, dtype=float)
    except (TypeError, ValueError):
        extra = None
    if extra is None or extra.size % dim or not np.isfinite(extra).all():
        raise GameError(f"seeds must be finite points with {dim} coordinates, got {seeds!r}")
    return np.vstack([lhs, extra.reshape(-1, dim)])


def seed_grid(region: Region, d: int, n_per_axis: int = 7, max_points: int = 256,
              seed: int = 0) -> np.ndarray:
    """Starting points for Newton: a grid, or a seeded uniform sample when the grid is large.

    BOX / SIMPLEX: linspace(0.05, 0.95) per axis (SIMPLEX rows outside the
    region dropped); FREE: linspace(-4, 4).

    Examples
    --------
    >>> seed_grid(Region(RegionKind.BOX), 2, n_per_axis=3).shape
    (9, 2)
    """
    lo, hi = (-4.0, 4.0) if region.kind is RegionKind.FREE else (0.05, 0.95)
    if n_per_axis ** d <= max_points:
        axis = np.linspace(lo, hi, n_per_axis)
        pts = np.array(list(itertools.product(axis, repeat=d)), dtype=float).reshape(-1, d)
    else:
        pts = np.random.default_rng(seed).uniform(lo, hi, size=(max_points, d))
    if region.kind is RegionKind.SIMPLEX:
        keep = [region.contains(p) for p in pts]
        pts = pts[np.asarray(keep, dtype=bool)]
    return pts


#: From this dimension on, half the seeds are drawn in ``INNER_BOX``: in
#: logit coordinates most starts of a wide box run off to infinity.
INNER_FROM_DIM = 3
INNER_BOX = (-3.0, 3.0)


def newton_seeds(dim: int, n_seeds: int, seed: int = 0, box=(-8, 8),
                 seeds=None) -> tuple[np.ndarray, str]:
    """The Newton search's seeds and one line saying how they were drawn.

    Up to dimension 2: ``seed_points(dim, n_seeds, seed, box, seeds)``. From
    dimension ``INNER_FROM_DIM`` on, n_seeds - n_seeds // 2 points in ``box``
    (numpy seed ``seed``) and n_seeds // 2 in ``INNER_BOX`` (seed + 1), then
    the given seeds.

    Examples
    --------
    >>> x, how = newton_seeds(3, 8)
    >>> x.shape, how
    ((8, 3), 'Latin hypercube of 4 point(s) in [-8, 8]^3 (numpy seed 0) and of 4 in [-3, 3]^3 (seed 1)')
    """
    lo, hi = (float(b) for b in box)
    if dim < INNER_FROM_DIM:
        how = f"Latin hypercube of {n_seeds} point(s) in [{lo:g}, {hi:g}]^{dim} (numpy seed {seed})"
        x = seed_points(dim, n_seeds, seed, box, seeds)
    else:
        inner = n_seeds // 2
        ilo, ihi = INNER_BOX
        how = (f"Latin hypercube of {n_seeds - inner} point(s) in [{lo:g}, {hi:g}]^{dim} "
               f"(numpy seed {seed}) and of {inner} in [{ilo:g}, {ihi:g}]^{dim} (seed {seed + 1})")
        x = np.vstack([seed_points(dim, n_seeds - inner, seed, box),
                       seed_points(dim, inner, seed + 1, INNER_BOX, seeds)])
    extra = len(x) - n_seeds
    return x, how + (f", plus {extra} given seed(s)" if extra else "")


__all__ = ["INNER_BOX", "INNER_FROM_DIM", "default_seed_count", "newton_seeds", "seed_grid",
           "seed_points"]
