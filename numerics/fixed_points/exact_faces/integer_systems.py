"""The integer systems of the faces: fraction-free elimination and the face table.

`integer_gauss_jordan` solves the small integer systems of the face search
(`eqselect.numerics.fixed_points.exact_faces.integer_elimination`,
`eqselect.numerics.fixed_points.exact_faces.split_faces`) with every division
exact; `face_table` holds the game-independent index data of every face.
"""

from __future__ import annotations

import functools

from eqselect.theory.budget import check_deadline
from eqselect.numerics.fixed_points.exact_faces.enumeration import faces


def integer_gauss_jordan(R, k: int) -> tuple[list, int]:
    """Fraction-free Gauss-Jordan on integer rows R (k coefficient columns), in place.

    After it, the first ``len(pivots)`` rows of R are D times the reduced
    row echelon form of the coefficient part (every pivot entry equals D),
    and the other rows are zero on the k coefficient columns (a non-zero
    last entry there: an inconsistent system). Each new entry is
    (piv * a - f * b) / prev, an exact division (every entry is a minor).

    Returns
    -------
    (list of int, int)
        The pivot columns and D (1 when there is no pivot).

    Examples
    --------
    >>> R = [[2, 1, 3], [4, 3, 7]]
    >>> integer_gauss_jordan(R, 2), R
    (([0, 1], 2), [[2, 0, 2], [0, 2, 2]])
    """
    prev, pivots, row, n = 1, [], 0, len(R)
    for col in range(k):
        p = next((i for i in range(row, n) if R[i][col]), None)
        if p is None:
            continue
        R[row], R[p] = R[p], R[row]
        top = R[row]
        piv = top[col]
        for i in range(n):
            if i != row:
                f = R[i][col]
                R[i] = [(piv * a - f * b) // prev for a, b in zip(R[i], top)]
        prev = piv
        pivots.append(col)
        row += 1
    return pivots, prev


@functools.lru_cache(maxsize=32)
def face_table(blocks, d: int, agents) -> tuple:
    """Every face with the index data of its system: ((face, columns, refs, equations), ...).

    Index d stands for the block's last action (G = 0, no parameter).
    ``columns[j]`` = (f, r): column j of P is e_f - e_r (e_d = 0); ``refs``
    lists the indices with q = 1; ``equations`` the pairs (a, b) of the
    equations G_a = G_b. Cached per block structure (faces are frozen and
    game independent).
    """
    def ix(i):
        return d if i is None else i

    out = []
    for face in faces(blocks, d, agents):
        check_deadline()  # the cooperative stop of an in-process budget
        cols = []
        for j, f in enumerate(face.free):
            minus = [l for l in range(d) if face.P[l][j] == -1]
            cols.append((f, minus[0] if minus else d))
        out.append((face, tuple(cols), tuple(l for l, v in enumerate(face.q) if v),
                    tuple((ix(a), ix(b)) for a, b in face.equations)))
    return tuple(out)


__all__ = ["face_table", "integer_gauss_jordan"]
