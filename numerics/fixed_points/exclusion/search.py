"""Exclusion by subdivision: every zero of a function in a box, each one proven.

For G: R^d -> R^d with an arb enclosure of G and DG, a box X is settled when

- some enclosure of G_i on X excludes 0 (no zero in X), or
- the Krawczyk operator K(X) misses X (no zero in X) or maps into the
  interior of X (exactly one zero in X; `eqselect.numerics.fixed_points.certify.krawczyk`).

An unsettled box is bisected along its widest side. A small unsettled box
(a zero on or near its edge) is handed to Newton (mpmath, 40 digits) from
its centre; the root is proven in a box U around it, and every box inside
some U is settled by it (U holds exactly one zero). A zero proven in two
boxes (on the cut between them) is listed once: it is the same zero when its
tight box lies in the other's uniqueness box. Boxes narrower than
``min_width`` that neither test settles are left open: then the list is not
proven complete (a singular zero, a continuum).
"""

from __future__ import annotations

import time

import mpmath
import sympy as sp
from flint import arb, arb_mat

from eqselect.numerics.intervals import IntervalFunction, box
from eqselect.numerics.fixed_points.certify.krawczyk import krawczyk, prove_zero


class ExclusionSearch:
    """Every zero of G in the box |x_i| <= bound[i]: proven boxes, or open ones.

    Parameters
    ----------
    symbols : sequence of sympy.Symbol
    G : sequence of sympy.Expr
        The function whose zeros are sought (enclosed in arb on boxes).
    DG : sequence of sequence of sympy.Expr
        Its Jacobian.
    bound : sequence of float
        Half-widths of the search box, centred at 0.
    max_boxes : int
    min_width : float
        Boxes narrower than this that no test settles are left open.

    Attributes
    ----------
    zeros : list of list of arb
        One tight box per zero (proven to hold exactly one).
    unique : list of list of arb
        Boxes proven to hold exactly one zero (several may hold the same one).
    open_boxes : list of list of arb
        Boxes neither excluded nor proven (the search is then not complete).
    examined : int
    exhausted : bool
        The box or time budget ran out.
    """

    def __init__(self, symbols, G, DG, bound, max_boxes: int, min_width: float):
        self.symbols, self.bound = tuple(symbols), tuple(bound)
        self.max_boxes, self.min_width = max_boxes, min_width
        self.d = len(self.symbols)
        self.G = IntervalFunction(list(G), self.symbols)
        self.DG = IntervalFunction([e for row in DG for e in row], self.symbols)
        self.mpG = sp.lambdify(self.symbols, list(G), "mpmath")
        self.mpDG = sp.lambdify(self.symbols, [list(row) for row in DG], "mpmath")
        self.zeros, self.owners, self.unique, self.open_boxes = [], [], [], []
        self.examined, self.exhausted = 0, False

    def f(self, b):
        """Enclosures of G on the box b."""
        return self.G(b)

    def jac(self, b):
        """Enclosures of DG on the box b, as d x d nested lists."""
        flat = self.DG(b)
        return [flat[i * self.d:(i + 1) * self.d] for i in range(self.d)]

    def run(self, deadline: float) -> None:
        """Subdivide until every box is settled, ``deadline`` (time.monotonic) passes
        or ``max_boxes`` are examined."""
        stack = [box([-b for b in self.bound], list(self.bound))]
        while stack:
            if self.examined >= self.max_boxes or (
                    self.examined % 64 == 0 and time.monotonic() > deadline):
                self.exhausted = True
                self.open_boxes.extend(stack)
                return
            X = stack.pop()
            self.examined += 1
            if any(_inside(X, U) for U in self.unique):
                continue
            if any(v > 0 or v < 0 for v in self.f(X)):
                continue  # some G_i has one sign on X
            settled = self._krawczyk(X)
            if settled:
                continue
            width = max(float(x.rad()) * 2 for x in X)
            if width < 1e-2 and self._newton_from(X):
                stack.append(X)  # a new uniqueness box may settle X now
                continue
            if width < self.min_width:
                self.open_boxes.append(X)
                continue
            stack.extend(_bisect(X))

    def _krawczyk(self, X) -> bool:
        """True when X is settled: no zero in X, or exactly one (then recorded)."""
        centre = [arb(x.mid()) for x in X]
        try:
            arb_mat([[arb(v.mid()) for v in row] for row in self.jac(centre)]).inv()
        except ZeroDivisionError:
            return False  # singular at the centre: no conclusion either way
        inside, K = krawczyk(self.f, self.jac, X)
        if K is None:
            return True  # K(X) misses X: no zero in X
        if inside:
            self._add(X, prove_zero(self.f, self.jac, X, steps=12) or K)
            return True
        return False

    def _newton_from(self, X) -> bool:
        """Newton from X's centre; True when it proves a new zero in a box around it."""
        with mpmath.workdps(40):
            x = mpmath.matrix([mpmath.mpf(x.mid().str(40, radius=False)) for x in X])
            for _ in range(60):
                try:
                    step = mpmath.lu_solve(mpmath.matrix(self.mpDG(*x)),
                                           -mpmath.matrix(self.mpG(*x)))
                except ZeroDivisionError:
                    return False
                x += step
                if mpmath.norm(step, mpmath.inf) < mpmath.mpf(10) ** -35 * (
                        1 + mpmath.norm(x, mpmath.inf)):
                    break
            else:
                return False
            centre = [arb(mpmath.nstr(v, 45)) for v in x]
        if any(all(c.overlaps(u) for c, u in zip(centre, U)) for U in self.unique):
            return False
        w = max(float(v.rad()) * 2 for v in X)
        for r in (4 * w, w, w / 16, 1e-6 * w, 1e-12):
            U = [c + arb(0, r) for c in centre]
            inside, K = krawczyk(self.f, self.jac, U)
            if inside:
                self._add(U, prove_zero(self.f, self.jac, U, steps=12) or K)
                return True
        return False

    def _add(self, U, Z) -> None:
        """Record the zero in Z (unique in U) unless it is one already listed.

        A zero on the cut between two boxes is proven in both; it is the same
        zero when its box lies in the other's uniqueness box (or the reverse).
        """
        same = any(_inside(Z, U0) or _inside(Z0, U) for Z0, U0 in zip(self.zeros, self.owners))
        self.unique.append(U)
        if not same:
            self.zeros.append(Z)
            self.owners.append(U)

    def certificate(self) -> dict:
        """The search box, the boxes examined, the zero, uniqueness and open boxes."""
        def show(b):
            return [[float(x.lower()), float(x.upper())] for x in b]
        return {"search_box": [[-b, b] for b in self.bound],
                "boxes_examined": self.examined, "zero_boxes": [show(z) for z in self.zeros],
                "uniqueness_boxes": [show(u) for u in self.unique],
                "open_boxes": [show(b) for b in self.open_boxes]}


def _inside(X, U) -> bool:
    """Whether the box X lies in the box U."""
    return all(u.contains(x) for x, u in zip(X, U))


def _bisect(X) -> list:
    """X cut in two across its widest side."""
    k = max(range(len(X)), key=lambda i: float(X[i].rad()))
    lo, hi, mid = X[k].lower(), X[k].upper(), arb(X[k].mid())
    left, right = list(X), list(X)
    left[k] = box([lo], [mid])[0]
    right[k] = box([mid], [hi])[0]
    return [left, right]


__all__ = ["ExclusionSearch"]
