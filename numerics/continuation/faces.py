"""The field restricted to one face of the direct parameterisation's region.

Under the direct parameterisation the parameters live in a product of
simplex blocks (a box [0, 1]^d for two actions per agent). A face is one
non-empty support per block (`eqselect.numerics.fixed_points.exact_faces.enumeration.Face`); on
it phi = P y + q with y the free coordinates. A point of the face is a fixed
point of the projected dynamics when F has no component along the face and
points out of the region across every bound (KKT, docs/theory.md):

    G(y, p) = W F(P y + q, p) = 0,       W = (P^T P)^{-1} P^T,
    mu_j(y, p) = G_{s0} - G_j >= 0        for each unused action j,

with G_k = F_k and G_{last} = 0 per block, s0 the block's reference action.
G is the projected dynamics in the coordinates y (W P = I), so the
eigenvalues of D_y G are those of the linearisation on the face; a fixed
point is stable when they have negative real parts and every mu_j > 0.

Along a face branch the constraints are the support probabilities (> 0) and
the multipliers (> 0). A probability reaching 0 sends the branch to the face
without that action; a multiplier reaching 0 to the face with that action
added: the "boundary" events of a face branch.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from eqselect.numerics.continuation.system import ExtendedField
from eqselect.numerics.fixed_points.exact_faces.enumeration import Face, faces
from eqselect.numerics.fixed_points.core.record import classify


def block_name(names) -> str:
    """A simplex block's name: the common stem of its parameters, else all of them.

    Examples
    --------
    >>> block_name(["p1_0", "p1_1"]), block_name(["a", "b"])
    ('p1', 'a, b')
    """
    stem = os.path.commonprefix(list(names)).rstrip("_")
    return stem if stem and all(n[len(stem):].startswith("_") for n in names) \
        else ", ".join(names)


def face_of(blocks, supports, d: int) -> Face:
    """The `Face` with the given support per block (actions indexed 0..len(block))."""
    return next(f for f in faces(blocks, d) if f.supports == tuple(supports))


@dataclass(frozen=True, eq=False)
class FaceField:
    """F restricted to a face, with the KKT constraints, in the shape of `ExtendedField`.

    Attributes
    ----------
    base : ExtendedField
        The full field F(phi, p).
    face : Face
    blocks : tuple of tuple of int
    names : tuple of str
        Names of the d parameters (for labels).
    dim : int
        Number of free coordinates k.
    parameter : str
    P, q, W : ndarray
        phi = P y + q; W = (P^T P)^{-1} P^T.
    constraint_names : tuple of str
        One per constraint value, probabilities first, then multipliers.
    transitions : dict
        Constraint name -> the supports of the adjacent face entered when it
        reaches 0.
    """

    base: ExtendedField
    face: Face
    blocks: tuple
    names: tuple
    dim: int = field(init=False)
    parameter: str = field(init=False)
    P: np.ndarray = field(init=False, repr=False)
    q: np.ndarray = field(init=False, repr=False)
    W: np.ndarray = field(init=False, repr=False)
    constraint_names: tuple = field(init=False)
    transitions: dict = field(init=False, repr=False)
    _probs: tuple = field(init=False, repr=False)
    _mults: tuple = field(init=False, repr=False)

    def __post_init__(self):
        d = self.base.dim
        P = np.array(self.face.P, dtype=float).reshape(d, -1)
        put = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731
        put("dim", P.shape[1])
        put("parameter", self.base.parameter)
        put("P", P)
        put("q", np.array(self.face.q, dtype=float))
        put("W", np.linalg.solve(P.T @ P, P.T) if P.shape[1] else np.zeros((0, d)))
        probs, mults, names, mnames, trans = [], [], [], [], {}
        for bi, (block, S) in enumerate(zip(self.blocks, self.face.supports)):
            b = len(block)
            ref = block[max(S)] if max(S) < b else None
            for k in S if len(S) > 1 else ():
                a = np.zeros(d)
                if k < b:
                    a[block[k]], off = 1.0, 0.0
                else:
                    a[list(block)], off = -1.0, 1.0
                name = self._event_name(bi, k, leaving=True)
                probs.append((a, off))
                names.append(name)
                trans[name] = self._supports(bi, tuple(x for x in S if x != k))
            for j in range(b + 1):
                if j not in S:
                    name = self._event_name(bi, j, leaving=False)
                    mults.append((ref, block[j] if j < b else None))
                    mnames.append(name)
                    trans[name] = self._supports(bi, tuple(sorted((*S, j))))
        put("_probs", tuple(probs))
        put("_mults", tuple(mults))
        put("constraint_names", tuple(names + mnames))
        put("transitions", trans)

    # -- labels -------------------------------------------------------------------------
    def _event_name(self, bi: int, k: int, leaving: bool) -> str:
        """E.g. "p1 reaches 0" (action 0 leaves a box block), "p1 leaves 1" (action 1
        enters), "action 2 (1 - p3 - p4) leaves the support" (a simplex block)."""
        block = self.blocks[bi]
        if len(block) == 1:
            return f"{self.names[block[0]]} {'reaches' if leaving else 'leaves'} {k}"
        last = "1 - " + " - ".join(self.names[i] for i in block)
        prob = self.names[block[k]] if k < len(block) else last
        return f"action {k} ({prob}) {'leaves' if leaving else 'enters'} the support"

    def _supports(self, bi: int, S: tuple) -> tuple:
        sup = list(self.face.supports)
        sup[bi] = S
        return tuple(sup)

    @property
    def label(self) -> str:
        """The pinned coordinates, e.g. ``p1 = 0`` or ``p2 support (0, 2)``; "interior"."""
        parts = []
        for block, S in zip(self.blocks, self.face.supports):
            if len(S) == len(block) + 1:
                continue
            if len(block) == 1:
                parts.append(f"{self.names[block[0]]} = {1 if S == (0,) else 0}")
            else:
                parts.append(f"{block_name([self.names[i] for i in block])} support {S}")
        return "; ".join(parts) or "interior"

    @property
    def interior(self) -> bool:
        """Whether the face is the whole region."""
        return not self._mults

    # -- the restricted field -------------------------------------------------------------
    def point(self, y) -> np.ndarray:
        """phi = P y + q."""
        return self.P @ np.asarray(y, dtype=float) + self.q

    def coordinates(self, x) -> np.ndarray:
        """y = W (phi - q), the face coordinates of a point of the face."""
        return self.W @ (np.asarray(x, dtype=float) - self.q)

    def field(self, y, p: float) -> np.ndarray:
        """G(y, p) = W F(P y + q, p)."""
        return self.W @ self.base.field(self.point(y), p)

    def jacobian(self, y, p: float) -> np.ndarray:
        """[D_y G, D_p G] = [W D_phi F P, W D_p F], shape (k, k + 1)."""
        J = self.base.jacobian(self.point(y), p)
        d = self.base.dim
        return np.hstack([self.W @ J[:, :d] @ self.P, self.W @ J[:, d:]])

    def multipliers(self, x, p: float) -> np.ndarray:
        """mu_j = G_{s0} - G_j at the full point x (G_None = 0)."""
        F = self.base.field(x, p)
        G = lambda i: 0.0 if i is None else F[i]  # noqa: E731
        return np.array([G(ref) - G(j) for ref, j in self._mults])

    def constraints(self, y, p: float | None = None) -> np.ndarray:
        """Support probabilities, then multipliers (all >= 0 on a face fixed point)."""
        x = self.point(y)
        probs = [a @ x + off for a, off in self._probs]
        mults = self.multipliers(x, p) if self._mults else []
        return np.concatenate([np.asarray(probs, float), np.asarray(mults, float)])

    def stability(self, x, p: float, eig=None):
        """Class of (eigenvalues of D_y G, -mu_j): stable needs both strict."""
        if eig is None:
            J = self.jacobian(self.coordinates(x), p)[:, :self.dim]
            eig = np.linalg.eigvals(J) if self.dim else np.zeros(0)
        mults = self.multipliers(x, p) if self._mults else np.zeros(0)
        return classify(np.concatenate([np.asarray(eig, complex), -mults.astype(complex)]))

    def at(self, value: float) -> "FaceAt":
        """The restricted field at fixed p on many points (for the batch Newton)."""
        return FaceAt(self, float(value))


@dataclass(frozen=True)
class FaceAt:
    """G(., p) and D_y G(., p) at one p, batched: x shape (n, k)."""

    system: FaceField
    value: float

    def _points(self, y) -> np.ndarray:
        fs = self.system
        return np.atleast_2d(np.asarray(y, dtype=float)) @ fs.P.T + fs.q

    def field(self, y) -> np.ndarray:
        """G for every row: W F(P y + q)."""
        F = self.system.base.batch_field(self._points(y), [self.value])
        return F @ self.system.W.T

    def jacobian(self, y) -> np.ndarray:
        """D_y G = W D_phi F P for every row, shape (n, k, k)."""
        fs = self.system
        x = self._points(y)
        d = fs.base.dim
        J = fs.base.batch_jacobian(x, [self.value]).reshape(len(x), d, d + 1)[:, :, :d]
        return np.einsum("kd,nde,ej->nkj", fs.W, J, fs.P)


__all__ = ["FaceAt", "FaceField", "face_of"]
