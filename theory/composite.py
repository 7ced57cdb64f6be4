"""The fields of EG, CGD and LSS minus v, as exact expressions.

With v the game gradient, H = Dv (H[r][c] = d v_r / d phi_c), H_o the
off-diagonal blocks of H (d v_i / d phi_j for agents j != i) and I the
identity, in ascent form (docs/rules.md):

    extragradient = v(phi + eta v(phi)) - v       (EG: Korpelevich 1976; Gidel et al. 2019)
    competitive   = (I - eta H_o)^{-1} v - v      (CGD: Schaefer & Anandkumar 2019)
    surgery       = (v + H^T W v) / 2 - v         (LSS: Mazumdar et al. 2019)

with W = H^{-1}, or the damped inverse (H^T H + delta I)^{-1} H^T where det H
vanishes identically (Letcher et al.'s reference code, delta =
`LSS_DAMPING`). The losses of those papers are converted once: xi = -v and
D xi = -H, so CGD's descent step -(I + eta H_o(xi))^{-1} xi is
(I - eta H_o)^{-1} v, and LSS's -(xi + D xi^T (D xi)^{-1} xi) / 2 is
(v + H^T H^{-1} v) / 2. CGD and LSS invert a d x d matrix of expressions, up
to `EXACT_INVERSE_MAX_DIM` parameters; past it the numerics solve the system
at each point. HOLA's terms are LOLA's series (:mod:`eqselect.theory.unrolled`).
"""

from __future__ import annotations

import symengine as se
import sympy as sp

from eqselect.theory import engine
from eqselect.theory.errors import OptionsError
from eqselect.theory.rules import series_order

#: CGD's and LSS's exact fields invert a d x d matrix of expressions up to this d;
#: past it they are evaluated pointwise (:mod:`eqselect.numerics.compiled`).
EXACT_INVERSE_MAX_DIM = 4
#: LSS's damping delta where det H vanishes identically (Letcher et al.'s reference code).
LSS_DAMPING = sp.Rational(1, 10)


def composite_term(dec, name: str) -> list:
    """One of the module's terms (or HOLA's ``lola_order_k``) for a Decomposition.

    Returns a list of symengine expressions aligned with the parameters.

    Raises
    ------
    OptionsError
        For CGD and LSS past `EXACT_INVERSE_MAX_DIM` parameters.
    """
    from eqselect.theory.unrolled import lola_series_terms

    k = series_order(name)
    if k:
        return lola_series_terms(dec, k)[k]
    phi, v, eta = dec.parameters_engine(), dec.term_engine("cur"), engine.to_engine(dec.eta)
    if name == "extragradient":
        at = dict(zip(phi, [p + eta * x for p, x in zip(phi, v)]))
        return [x.subs(at) - x for x in v]
    d = len(phi)
    if d > EXACT_INVERSE_MAX_DIM:
        raise OptionsError(f"{name}: the exact field inverts a {d} x {d} matrix of "
                           f"expressions (exact up to d = {EXACT_INVERSE_MAX_DIM}); it is "
                           "evaluated pointwise instead (docs/rules.md)")
    H, col = se.DenseMatrix(engine.jacobian(v, phi)), se.DenseMatrix(d, 1, v)
    if name == "competitive":
        x = cramer(competitive_matrix(H, owners(dec.game), eta), col)
        return [x[r] - v[r] for r in range(d)]
    if dec.jacobian_singular_everywhere:
        damp = engine.to_engine(LSS_DAMPING)
        w = cramer(H.T * H + damp * se.eye(d), H.T * col)
    else:
        w = cramer(H, col)
    adj = H.T * se.DenseMatrix(d, 1, w)
    return [(v[r] + adj[r]) / 2 - v[r] for r in range(d)]


def cramer(M, b) -> list:
    """M^{-1} b by Cramer's rule: x_r = det(M with column r replaced by b) / det M.

    Elimination on symbolic entries divides by pivots that can vanish at
    points where M is invertible (0/0 there); determinants do not.
    """
    d = M.rows
    det = M.det()
    out = []
    for r in range(d):
        Mr = se.DenseMatrix(d, d, [b[i] if c == r else M[i, c]
                                   for i in range(d) for c in range(d)])
        out.append(Mr.det() / det)
    return out


def owners(game) -> list[int]:
    """The agent owning each parameter, in parameter order."""
    return [i for i, s in enumerate(game.slices) for _ in range(s.start, s.stop)]


def competitive_matrix(H, owner, eta):
    """I - eta H_o for a symengine matrix H (H_o: entries between different agents)."""
    d = len(owner)
    return se.DenseMatrix(d, d, [(1 if r == c else 0) - (eta * H[r, c] if owner[r] != owner[c]
                                                         else 0)
                                 for r in range(d) for c in range(d)])


def det_vanishes_identically(rows, phi) -> bool:
    """Whether det of the matrix ``rows`` (symengine, in ``phi``) vanishes identically.

    The determinant is evaluated at three fixed rational points first (30
    digits): a value away from 0 decides False without symbolic work;
    otherwise it is decided exactly.
    """
    det = se.DenseMatrix(rows).det()
    for k in range(3):
        at = {p: se.Rational(k + 2 * j + 1, 7 + k) for j, p in enumerate(phi)}
        value = engine.to_sympy(det.subs(at)).evalf(30)
        if value.is_number and abs(value) > sp.Float("1e-20"):
            return False
    return engine.is_exactly_zero(engine.to_sympy(det))
