"""How a run's first hit of the success region is numbered (docs/replay.md, "Counting").

A run visits theta_0 (the start), theta_1 (after the first update), ...,
theta_K. Two conventions are in use for "the step at which the run first
reaches the success region":

- ``origin``: the number given to theta_1. With origin 1 (eqselect) the
  first hit counts updates, so theta_k is numbered k; with origin 0 (the
  authors' script, which numbers each update by its loop index) theta_k is
  numbered k - 1.
- ``start``: whether a start already in the region is a hit. "counts"
  (eqselect): it is, numbered 0; "skipped" (the authors'): only the states
  after an update are tested.

Every run records whether its start is in the region and the first k >= 1
with theta_k in it (`Outcome`), from which each convention reads its number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from eqselect.theory.serialize import Record

STARTS = ("counts", "skipped")


@dataclass(frozen=True)
class Counting:
    """A convention for numbering the first hit.

    Attributes
    ----------
    origin : 0 or 1
        The number of theta_1, the state after the first update.
    start : "counts" or "skipped"
        A start already in the region is a hit numbered 0, or is not tested.

    Examples
    --------
    >>> later = np.array([1, 5, -1, 3])          # first k >= 1 in the region
    >>> start = np.array([True, False, False, True])
    >>> Counting(1, "counts").first_hits(start, later).tolist()
    [0, 5, -1, 0]
    >>> Counting(0, "skipped").first_hits(start, later).tolist()
    [0, 4, -1, 2]
    """

    origin: Literal[0, 1] = 1
    start: Literal["counts", "skipped"] = "counts"

    def __post_init__(self):
        if self.origin not in (0, 1):
            raise ValueError(f"first-hit origin must be 0 or 1, got {self.origin!r}")
        if self.start not in STARTS:
            raise ValueError(f"start must be one of {', '.join(STARTS)}, got {self.start!r}")

    def first_hits(self, start_in: np.ndarray, later: np.ndarray) -> np.ndarray:
        """The first-hit numbers, -1 for a run that is never counted as a hit.

        Parameters
        ----------
        start_in : ndarray of bool, shape (n,)
            theta_0 in the region.
        later : ndarray of int, shape (n,)
            The first k >= 1 with theta_k in the region, -1 when none.
        """
        numbered = np.where(later >= 0, later - 1 + self.origin, -1)
        if self.start == "counts":
            return np.where(start_in, 0, numbered)
        return numbered

    def to_json(self) -> dict:
        return {"origin": self.origin, "start": self.start}


#: eqselect's convention: updates counted, a start in the region is a hit at 0.
EQSELECT = Counting(1, "counts")
#: The authors' convention: the index of the update, the start never tested.
AUTHORS = Counting(0, "skipped")


@dataclass(frozen=True)
class Outcome(Record):
    """Success of every run of one setting, with what its first hit is read from.

    Attributes
    ----------
    success : ndarray of bool, shape (n,)
        In the region at the end of the run.
    start_in : ndarray of bool, shape (n,)
        The start is in the region.
    later_hit : ndarray of int, shape (n,)
        The first k >= 1 with theta_k in the region (-1: none).
    counting : Counting
        How `first_hit` numbers it.
    final : ndarray, shape (n, d) or None
        The end points.
    """

    success: np.ndarray
    start_in: np.ndarray
    later_hit: np.ndarray
    counting: Counting = EQSELECT
    final: np.ndarray | None = None

    @property
    def fraction(self) -> float:
        return float(np.mean(self.success))

    @property
    def first_hit(self) -> np.ndarray:
        """First-hit numbers under ``counting`` for the successful runs (-1 elsewhere)."""
        hits = self.counting.first_hits(self.start_in, self.later_hit)
        return np.where(self.success, hits, -1)

    @property
    def mean_first_hit(self) -> float | None:
        """Mean first hit over the successful runs that have one (None: no such run)."""
        hits = self.first_hit[self.success & (self.first_hit >= 0)]
        return float(hits.mean()) if hits.size else None
