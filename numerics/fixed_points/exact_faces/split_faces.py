"""Faces ruled out agent by agent when no agent's field depends on its own parameters.

For PG on a two-agent normal-form game J_i is linear in agent i's own
strategy, so F_i = grad_i J_i depends on the other agent's parameters only:
the diagonal blocks of A (F = A phi + c) vanish. On a face with supports
(S_1, S_2) the system of `eqselect.numerics.fixed_points.exact_faces.integer_elimination`
then splits. For an agent X and the other agent Y:

- X's equations G_k = G_{s0} (k in S_X) are in Y's free coordinates y_Y
  only, and X's normal-cone multipliers G_{s0} - G_j depend on phi_Y only;
- if X's equations are inconsistent, so is the face's system;
- if they fix y_Y uniquely, every solution on the face has that phi_Y: one
  of Y's support probabilities <= 0 there, or one of X's multipliers < 0,
  rules out every point of the face (an isolated point fails the same
  signs; for a continuum they are constant constraints of its polytope,
  which is then empty or meets the face's relative interior nowhere).

`SplitFilter.rejects` decides that from two small systems (|S_X| - 1 rows
in |S_Y| - 1 unknowns each) instead of the face's whole system; the faces it
keeps are solved in full, so the list of fixed points is the same with or
without it (tested).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

from eqselect.numerics.fixed_points.exact_faces.enumeration import Face
from eqselect.numerics.fixed_points.exact_faces.integer_systems import (face_table,
                                                                       integer_gauss_jordan)


@dataclass(frozen=True)
class Half:
    """Agent X's side of a face: its equations in Y's coordinates and the signs they fix.

    Indices are parameter indices; d stands for a block's last action (G = 0).

    Attributes
    ----------
    equations : tuple of (int, int)
        X's equations G_a = G_b.
    columns : tuple of (int, int)
        Y's free coordinates: column j of P is e_f - e_r.
    refs : tuple of int
        Y's parameters with q = 1.
    probabilities : tuple of (bool, tuple of int)
        Y's support probabilities (as `Face.probabilities`).
    multipliers : tuple of (int, int)
        X's multipliers G_a - G_b.
    side : int
        Numbers Y's part of the face (``columns`` and ``refs``): halves with the
        same side have the same coordinates, so their equation rows are shared.
    """

    equations: tuple
    columns: tuple
    refs: tuple
    probabilities: tuple
    multipliers: tuple
    side: int = 0


@functools.lru_cache(maxsize=32)
def split_table(blocks: tuple, d: int, agents: tuple) -> tuple:
    """The halves worth solving of every face of a two-block region, in the order of
    `face_table` (cached per block structure, as the faces are game independent).

    A half with fewer equations than unknowns is left out: it cannot fix y_Y,
    and the face's own solve decides what it would only sometimes decide (an
    inconsistent system). The others come the smaller system first.
    """
    sides: dict = {}
    out = []
    for entry in face_table(blocks, d, agents):
        pair = []
        for half in halves(entry[0], d, blocks):
            if len(half.equations) < len(half.columns):
                continue  # fewer equations than unknowns never fix y_Y: nothing to rule out
            side = sides.setdefault((half.columns, half.refs), len(sides))
            pair.append(replace(half, side=side))
        out.append(tuple(sorted(pair, key=lambda h: len(h.columns))))  # the cheaper first
    return tuple(out)


def halves(face: Face, d: int, blocks: tuple) -> tuple[Half, Half]:
    """Both blocks' `Half` of a face of a two-block region (one block per agent)."""
    owner = {i: b for b, block in enumerate(blocks) for i in block}

    def ix(i):
        return d if i is None else i

    cols = {}
    for j, f in enumerate(face.free):
        minus = [l for l in range(d) if face.P[l][j] == -1]
        cols.setdefault(owner[f], []).append((f, minus[0] if minus else d))
    out = []
    for x, y in ((0, 1), (1, 0)):
        out.append(Half(
            tuple((ix(a), ix(b)) for a, b in face.equations if owner[a] == x),
            tuple(cols.get(y, ())),
            tuple(l for l, v in enumerate(face.q) if v and owner[l] == y),
            tuple(p for p in face.probabilities if owner[p[1][0]] == y),
            tuple((ix(s0), ix(j)) for s0, j, (block, _) in face.multipliers if block == x)))
    return tuple(out)


class SplitFilter:
    """The filter of one field (module docstring): integer A and c, blocks of two agents.

    Build it with `SplitFilter.of`, which returns None when the field's
    diagonal blocks do not vanish (the filter would not be sound).
    """

    def __init__(self, A, c):
        d = len(c)
        self.A = [list(row) + [0] for row in A] + [[0] * (d + 1)]
        self.c = list(c) + [0]
        self._rows: dict = {}  # (a, b, side) -> the equation's row in Y's coordinates

    @classmethod
    def of(cls, A, c, blocks, agents) -> SplitFilter | None:
        """The filter, or None unless there are two agents with one block each and
        A[i][l] = 0 whenever i and l are the same agent's parameters."""
        if len(blocks) != 2 or len(set(agents)) != 2:
            return None
        if any(A[i][l] for block in blocks for i in block for l in block):
            return None
        return cls(A, c)

    def rejects(self, face_halves) -> bool:
        """Whether one agent's half of a face (`split_table`) rules out every point of it."""
        for half in face_halves:
            k = len(half.columns)
            R = [self._row(a, b, half) for a, b in half.equations]
            if k == 1:
                pivots, D = _one_unknown(R)
            elif k:
                pivots, D = integer_gauss_jordan(R, k)
            else:
                pivots, D = [], 1
            if any(R[i][k] for i in range(len(pivots), len(R))):
                return True  # inconsistent
            if len(pivots) == k and self._violated(half, R, pivots, D):
                return True
        return False

    def _row(self, a, b, half) -> list:
        """G_a - G_b = 0 as [coefficients of Y's free coordinates | right-hand side]."""
        key = (a, b, half.side)
        row = self._rows.get(key)
        if row is None:
            A, c = self.A, self.c
            ra, rb = A[a], A[b]
            row = [ra[f] - rb[f] - ra[r] + rb[r] for f, r in half.columns]
            row.append(c[b] - c[a] - sum(ra[l] - rb[l] for l in half.refs))
            self._rows[key] = row
        return row

    def _violated(self, half, R, pivots, D) -> bool:
        """At the unique y_Y = Y / D: a probability of Y <= 0 or a multiplier of X < 0."""
        k = len(half.columns)
        if D < 0:
            R, D = [[-x for x in row] for row in R], -D
        phi = {l: D for l in half.refs}
        for i, col in enumerate(pivots):
            f, r = half.columns[col]
            phi[f] = phi.get(f, 0) + R[i][k]
            phi[r] = phi.get(r, 0) - R[i][k]
        for last, idx in half.probabilities:
            if (D - sum(phi.get(i, 0) for i in idx) if last else phi.get(idx[0], 0)) <= 0:
                return True
        A, c, d = self.A, self.c, len(self.c) - 1
        G = {}
        for a, b in half.multipliers:
            for i in (a, b):
                if i not in G:
                    row = A[i]
                    G[i] = sum(row[l] * x for l, x in phi.items() if l != d) + c[i] * D
            if G[a] < G[b]:
                return True
        return False


def _one_unknown(R) -> tuple[list, int]:
    """`integer_gauss_jordan` of rows [m, r] (one unknown), in place: the pivot row
    first, every other row replaced by its cross term with it (zero when consistent)."""
    p = next((i for i, row in enumerate(R) if row[0]), None)
    if p is None:
        return [], 1
    R[0], R[p] = R[p], R[0]
    D, y = R[0]
    for i in range(1, len(R)):
        m, r = R[i]
        R[i] = [0, D * r - m * y]
    return [0], D


__all__ = ["Half", "SplitFilter", "halves", "split_table"]
