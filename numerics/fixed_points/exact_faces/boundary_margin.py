"""The margin of a field at a boundary point of the direct parameterisation.

At a point phi* in the relative interior of a face phi = P y + q of the
region (docs/theory.md, "Margins at the boundary"), the projected dynamics
phi' = Pi_T(F(phi)) moves along the face with the restricted Jacobian, and in
each bound direction k (an unused action) the field presses on the bound
with the normal-cone multiplier m_k = G_{s0} - G_j (`face_multipliers`;
m_k >= 0 at a fixed point, the Karush-Kuhn-Tucker multiplier of that bound).
The linearised margin is the smaller of the two:

    mu(F; phi*) = min( -lambda_max(sym(Q^T DF Q)),  min_k m_k ),

Q an orthonormal basis of the columns of P (the first term is absent at a
vertex, the second in the interior, where mu is the paper's
-lambda_max(sym DF)). For the shaping field M at a fixed point of v the same
construction with M's multipliers gives mu_M; both pieces are linear in the
field, so for F_lambda = v + lambda M and lambda >= 0

    mu(F_lambda) >= mu(v) + lambda mu_M      (Weyl on the face, and
    m_k(v) + lambda m_k(M) >= min_k m_k(v) + lambda min_k m_k(M)).

`face_at` finds the face of an exact point; `face_margin` evaluates the
formula exactly (sympy) from DF and F at the point.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from eqselect.numerics.fixed_points.core.characterise import face_multipliers
from eqselect.numerics.fixed_points.exact_faces.enumeration import Face, block_agents, faces, region_blocks
from eqselect.numerics.shaping import lambda_max_exact


@dataclass(frozen=True)
class FaceMargin:
    """mu (or mu_M) at a boundary point, with its two pieces.

    Attributes
    ----------
    value : sympy.Expr or None
        min(tangent, min multipliers); None when the tangent piece cannot be
        decided exactly.
    tangent : sympy.Expr or None
        -lambda_max(sym(Q^T DF Q)) on the face (None at a vertex).
    multipliers : tuple of sympy.Expr
        The normal-cone multipliers of the field, one per bound direction.
    face : str
        The face, described by its supports.
    """

    value: sp.Expr | None
    tangent: sp.Expr | None
    multipliers: tuple
    face: str


def face_at(game, point) -> Face | None:
    """The face whose relative interior holds the exact ``point``; None when interior.

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> face_at(builtin("stag-hunt", "direct"), (sp.Integer(1), sp.Integer(1))).supports
    ((0,), (0,))
    """
    blocks = region_blocks(game)
    supports = []
    for b in blocks:
        used = tuple(k for k, i in enumerate(b) if point[i] != 0)
        last = 1 - sum(point[i] for i in b) != 0
        supports.append(used + ((len(b),) if last else ()))
    if all(len(s) == len(b) + 1 for s, b in zip(supports, blocks)):
        return None
    d = len(game.parameters)
    agents = block_agents(game, blocks)
    for face in faces(blocks, d, agents):
        if face.supports == tuple(supports):
            return face
    raise ValueError(f"no face of the region holds the point {tuple(point)}")


def face_margin(J: sp.Matrix, F, face: Face) -> FaceMargin:
    """The margin of a field with Jacobian ``J`` and values ``F`` at a point of ``face``.

    Parameters
    ----------
    J : sympy.Matrix, shape (d, d)
        DF at the point, exact.
    F : sequence of sympy.Expr, length d
        F at the point, exact (its multipliers are read from it).
    face : Face

    Examples
    --------
    >>> from eqselect.theory import builtin
    >>> f = face_at(builtin("stag-hunt", "direct"), (sp.Integer(0), sp.Integer(0)))
    >>> face_margin(sp.Matrix([[0, 3], [3, 0]]), [-2, -2], f).value
    2
    """
    mults = tuple(sp.nsimplify(m) if not isinstance(m, sp.Basic) else m
                  for m in face_multipliers(face, list(F)))
    tangent = None
    if face.free:
        P = sp.Matrix(face.P)
        if P.T * P == sp.eye(P.shape[1]):  # box faces: P's columns are unit vectors
            top = lambda_max_exact(P.T * J * P)
        else:  # simplex faces: generalised eigenvalues of (P^T sym J P, P^T P)
            top = _generalised_top(P, (J + J.T) / 2)
        tangent = None if top is None else -top
    pieces = list(mults) + ([tangent] if face.free else [])
    value = None if any(p is None for p in pieces) else (sp.Min(*pieces) if pieces else None)
    return FaceMargin(value, tangent, mults, face.describe())


def _generalised_top(P, S):
    """lambda_max of Q^T S Q, Q orthonormal with the span of P: the largest root of
    det(P^T S P - x P^T P), exactly (rational matrices), else None."""
    A, B = P.T * S * P, P.T * P
    if not all(x.is_Rational for x in A):
        return None
    x = sp.Symbol("x")
    roots = sp.Poly((A - x * B).det(), x).real_roots()
    return max(roots, key=lambda r: r.evalf(30)) if roots else None


__all__ = ["FaceMargin", "face_at", "face_margin"]
