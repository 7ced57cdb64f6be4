"""Test functions of special points and their location on a branch.

Between two accepted points a and b of a branch, a test function tau that
changes sign marks an event; it is located by the Illinois (modified
regula falsi) iteration on the arclength s, every trial point corrected
back onto the branch:

- fold: tau = t_p, the parameter component of the tangent;
- branch point: tau = det [DH; t^T];
- Hopf: tau = prod_{i < j} (z_i + z_j) over the eigenvalues z of D_phi F
  (the determinant of the bialternate product 2 D_phi F (.) I, real and
  continuous where a pair of eigenvalues turns from real to complex); it
  also vanishes at a neutral saddle (z_i = -z_j real), so a located zero
  counts only where a complex pair lies on the imaginary axis (`is_hopf`);
- boundary (BOX or SIMPLEX region): tau = a coordinate (x_k, 1 - x_k, or
  1 - sum of a simplex block) crossing 0;
- the parameter window's ends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from eqselect.theory import Region, RegionKind

from eqselect.numerics.continuation.results import EventType
from eqselect.numerics.continuation.steps import correct, tangent


#: A constraint g_j this close below 0 still counts as satisfied (rounding of a
#: start on the boundary); a branch leaves the region when g_j < -G_TOL.
G_TOL = 1e-12
#: A fold or branch-point test this small on both sides of a sign change is
#: rounding, not an event: along a vertical branch (a continuum of fixed
#: points at one p) t_p and det [DH; t^T] vanish identically (and along a
#: branch of centres, a pair on the imaginary axis, the Hopf test does).
FLAT_TOL = 1e-10


def fold_test(t: np.ndarray) -> float:
    """Fold test function: t_p, the parameter component of the unit tangent."""
    return float(t[-1])


def branch_test(jac_ext: np.ndarray, t: np.ndarray) -> float:
    """Branch-point test function: det [DH; t^T] (nonzero at regular points and folds)."""
    return float(np.linalg.det(np.vstack([jac_ext, t])))


def hopf_test(eigenvalues, tol: float = 1e-9) -> float | None:
    """Hopf test function: max Re(z) over eigenvalues with |Im z| > tol; None without a pair.

    Examples
    --------
    >>> hopf_test([complex(-0.5, 2.0), complex(-0.5, -2.0), -3.0])
    -0.5
    >>> hopf_test([1.0, -1.0]) is None
    True
    """
    z = np.asarray(eigenvalues, dtype=complex)
    pairs = z[np.abs(z.imag) > tol]
    return float(pairs.real.max()) if pairs.size else None


def hopf_product(eigenvalues) -> float:
    """Hopf test function: the real part of prod_{i < j} (z_i + z_j) (1 with one eigenvalue).

    Examples
    --------
    >>> hopf_product([complex(-0.5, 2.0), complex(-0.5, -2.0), -3.0])
    -16.25
    """
    z = np.asarray(eigenvalues, dtype=complex)
    i, j = np.triu_indices(z.size, 1)
    return float(np.prod(z[i] + z[j]).real)


def is_hopf(eigenvalues, tol: float = 1e-6) -> bool:
    """Whether a complex pair lies on the imaginary axis (|Re| <= tol (1 + max|z|)).

    Examples
    --------
    >>> is_hopf([complex(1e-12, 2.0), complex(1e-12, -2.0), -3.0]), is_hopf([1.0, -1.0])
    (True, False)
    """
    z = np.asarray(eigenvalues, dtype=complex)
    pairs = z[np.abs(z.imag) > 1e-9]
    scale = 1.0 + (np.abs(z).max() if z.size else 0.0)
    return bool(pairs.size and np.abs(pairs.real).min() <= tol * scale)


def region_constraints(region: Region, d: int):
    """The functions g_j(phi) >= 0 that define the region, as one vector function g(phi, p).

    BOX: (x_k, 1 - x_k); SIMPLEX: (x_k, 1 - sum of each block); FREE: none.

    Examples
    --------
    >>> g, names = region_constraints(Region(RegionKind.BOX), 2)
    >>> g(np.array([0.25, 1.0])).tolist(), names[3]
    ([0.25, 1.0, 0.75, 0.0], 'x2 = 1')
    """
    if region.kind is RegionKind.BOX:
        names = [f"x{k + 1} = 0" for k in range(d)] + [f"x{k + 1} = 1" for k in range(d)]
        return (lambda x, p=None: np.concatenate([x, 1.0 - x])), names
    if region.kind is RegionKind.SIMPLEX:
        blocks = [list(b) for b in region.blocks]
        names = [f"x{k + 1} = 0" for k in range(d)] + [f"sum{b} = 1" for b in region.blocks]
        return (lambda x, p=None: np.concatenate([x, [1.0 - x[b].sum() for b in blocks]])), names
    return (lambda x, p=None: np.zeros(0)), []


# -- points and sign changes ------------------------------------------------------
@dataclass
class Point:
    u: np.ndarray
    t: np.ndarray
    jac: np.ndarray
    eig: np.ndarray
    tests: dict


def evaluate(system, u, t_ref, g) -> "Point":
    d = system.dim
    J = system.jacobian(u[:d], u[d])
    if not np.all(np.isfinite(J)):
        return None
    t = tangent(J, t_ref)
    eig = np.linalg.eigvals(J[:, :d]) if d else np.zeros(0)
    tests = {EventType.FOLD: fold_test(t), EventType.BRANCH: branch_test(J, t),
             EventType.HOPF: hopf_product(eig)}
    return Point(u, t, J, eig, {**tests, "g": g(u[:d], u[d]), "p": u[d]})


@dataclass(frozen=True)
class Crossing:
    """A test function tau that changes sign over one step: tau = ``ta`` at its
    start, ``tb`` at its end.

    Attributes
    ----------
    kind : EventType or "window"
    sub : int, float or None
        The boundary constraint's index, the window's bound, or None.
    ta, tb : float
        Finite values of tau at the two ends.
    """

    kind: object
    sub: object
    ta: float
    tb: float

    def __post_init__(self):
        if not (np.isfinite(self.ta) and np.isfinite(self.tb)):
            raise ValueError(f"a crossing needs finite test values, got ta = {self.ta}, "
                             f"tb = {self.tb}")


def opposite(x: float, y: float) -> bool:
    """Whether x and y have strictly opposite signs, read from the signs alone: the
    product of two test values far from 0 (a window end at 1e300) overflows.

    Examples
    --------
    >>> opposite(-1e300, 1e300), opposite(-1e300, -1e300), opposite(0.0, 1.0)
    (True, False, False)
    """
    return (x < 0 < y) or (y < 0 < x)


def crossings(a: Point, b: Point, window) -> list:
    """A `Crossing` for every test that changes sign from a to b.

    ``window`` is (p_min, p_max), either end possibly infinite. A step that
    starts on an end and goes out of the window crosses it too: a branch
    seeded at a fold on the window's end has both halves outside.
    """
    out = []
    for kind in (EventType.FOLD, EventType.BRANCH, EventType.HOPF):
        ta, tb = a.tests[kind], b.tests[kind]
        flat = kind is not EventType.HOPF and ta is not None and tb is not None and \
            max(abs(ta), abs(tb)) < FLAT_TOL
        # a pair on the imaginary axis at an end (a branch of centres, or a centre at the
        # window's edge, where lambda = 0 leaves plain PG) starts no crossing
        flat = flat or (kind is EventType.HOPF and (is_hopf(a.eig, 1e-9) or
                                                     is_hopf(b.eig, 1e-9)))
        if ta is not None and tb is not None and opposite(ta, tb) and not flat:
            out.append(Crossing(kind, None, ta, tb))
    ga, gb = a.tests["g"], b.tests["g"]
    for j in range(ga.size):  # from >= 0 (up to rounding) to < 0
        if ga[j] >= -G_TOL > gb[j]:
            out.append(Crossing(EventType.BOUNDARY, j, ga[j], gb[j]))
    for bound, outward in zip(window, (-1.0, 1.0)):
        if not np.isfinite(bound):
            continue
        ta, tb = a.u[-1] - bound, b.u[-1] - bound
        if opposite(ta, tb) or (tb == 0 and ta != 0) or (ta == 0 and outward * tb > 0):
            out.append(Crossing("window", bound, ta, tb))
    return out


#: The notes of the events found by `silent_crossing`, which the test functions, odd
#: in the number of eigenvalues crossing, do not see.
SILENT_NOTES = {
    EventType.BRANCH: "an even number of real eigenvalues of D_phi F cross 0 here: D_phi F "
                      "has a kernel of dimension >= 2 (a degenerate branch point, e.g. of a "
                      "symmetric game); det [DH; t^T] does not change sign across it",
    EventType.HOPF: "an even number of complex pairs of eigenvalues of D_phi F cross the "
                    "imaginary axis here at once (a double Hopf point, e.g. of a symmetric "
                    "game); the Hopf test function does not change sign across it",
}


def real_signs(eig, tol: float) -> tuple[int, int, int]:
    """(real eigenvalues with Re > tol, real ones with Re < -tol, complex ones with
    Re > tol); an eigenvalue is real when |Im z| <= tol.

    Examples
    --------
    >>> real_signs([0.5, -2.0, complex(1.0, 3.0), complex(1.0, -3.0)], 1e-9)
    (1, 1, 2)
    """
    z = np.asarray(eig, dtype=complex)
    real = np.abs(z.imag) <= tol
    return (int(np.sum(real & (z.real > tol))), int(np.sum(real & (z.real < -tol))),
            int(np.sum(~real & (z.real > tol))))


def silent_crossing(a: Point, b: Point, tol: float):
    """The event type of a change of stability from a to b that no test function
    sees, or None.

    The fold test t_p and the branch test det [DH; t^T] change sign with an
    odd number of real eigenvalues through 0, the Hopf test
    prod_{i<j} (z_i + z_j) with an odd number of complex pairs through the
    imaginary axis. Two at once (a double zero eigenvalue, or two equal pairs,
    as on the symmetric branch of a symmetric game) leave every sign
    unchanged while the stability does change: an even number of real
    eigenvalues changing sign, the complex ones keeping theirs, is a
    (degenerate) branch point; an even number of pairs crossing, the real
    ones keeping their signs, a (double) Hopf point. ``tol`` reads the signs
    as the stability classes do.
    """
    (pa, na, ca), (pb, nb, cb) = real_signs(a.eig, tol), real_signs(b.eig, tol)
    moved = pb - pa
    if ca == cb and moved != 0 and moved % 2 == 0 and na - nb == moved:
        return EventType.BRANCH
    if pa == pb and na == nb and cb != ca and (cb - ca) % 4 == 0:
        return EventType.HOPF
    return None


def locate_silent(system, a: Point, b: Point, ds: float, g, opts):
    """Bisection on s in (0, ds) for the point where the number of eigenvalues of
    D_phi F with positive real part changes (see `silent_crossing`); returns
    (s, point, note) as `locate` does."""
    count = lambda pt: int(np.sum(np.asarray(pt.eig).real > 0))  # noqa: E731
    first = count(a)
    lo, hi, best = 0.0, ds, b
    for _ in range(60):
        if hi - lo <= 1e-13 * max(1.0, abs(ds)):
            break
        s = 0.5 * (lo + hi)
        u, _, ok = correct(system, a.u + s * a.t, a.t, opts.newton_tol, opts.newton_max_iter)
        pt = evaluate(system, u, a.t, g) if ok else None
        if pt is None:
            return hi, best, "event location: corrector failed; approximate"
        if count(pt) == first:
            lo = s
        else:
            hi, best = s, pt
    return hi, best, ""


def spectral(kind, pt: Point) -> bool:
    """Whether an event read from the spectrum of D_phi F (a fold, a branch point, a
    Hopf point with its pair on the imaginary axis) accounts for a change of
    stability in its step."""
    return kind in (EventType.FOLD, EventType.BRANCH) or (kind is EventType.HOPF and
                                                          is_hopf(pt.eig))


def unresolved(x, newton_tol: float) -> bool:
    """Whether a logit / softmax point lies where F cannot be resolved any more.

    Each component of a logit field carries the factor s_i = p_i (1 - p_i)
    ~ exp(-|theta_i|) (`eqselect.numerics.fixed_points.infinity.pure_profiles`):
    past |theta|_inf = log(1 / newton_tol) every F there is below the
    corrector's tolerance, so a corrector that fails at ds_min there has
    followed the branch as far toward infinity as floating point allows.

    Examples
    --------
    >>> unresolved([26.3, 26.3], 1e-11), unresolved([3.0, 1.0], 1e-11)
    (True, False)
    """
    return float(np.max(np.abs(x), initial=0.0)) >= math.log(1.0 / newton_tol)


def _tau(pt: Point, kind, sub) -> float:
    if kind == "window":
        return pt.u[-1] - sub
    if kind is EventType.BOUNDARY:
        return pt.tests["g"][sub]
    return pt.tests[kind]


def locate(system, a: Point, b: Point, ds: float, crossing: Crossing, g, opts):
    """Illinois iteration on s in (0, ds) for tau(u(s)) = 0; returns (s, point, note).

    ``a`` and ``b`` are the ends of the step of arclength ``ds`` over which
    ``crossing`` changes sign; ``opts`` gives the corrector's tolerances.
    """
    kind, sub, ta, tb = crossing.kind, crossing.sub, crossing.ta, crossing.tb
    if tb == 0:
        return ds, b, ""
    if ta == 0 and kind == "window":  # the step leaves from the window's end: its start
        return 0.0, a, ""
    lo, hi, flo, fhi = 0.0, ds, ta, tb
    best = b
    side = 0
    for _ in range(80):
        s = hi - fhi * (hi - lo) / (fhi - flo) if fhi != flo else 0.5 * (lo + hi)
        if not (min(lo, hi) < s < max(lo, hi)):
            s = 0.5 * (lo + hi)
        u, _, ok = correct(system, a.u + s * a.t, a.t, opts.newton_tol, opts.newton_max_iter)
        if not ok:
            return 0.5 * (lo + hi), best, "event location: corrector failed; approximate"
        pt = evaluate(system, u, a.t, g)
        if pt is None:
            return 0.5 * (lo + hi), best, "event location: D F not finite; approximate"
        f = _tau(pt, kind, sub)
        if f is None:
            return s, pt, "event location: test function undefined; approximate"
        best = pt
        if f == 0 or abs(hi - lo) < 1e-14 * max(1.0, abs(ds)) or abs(f) < 1e-15:
            return s, pt, ""
        if opposite(f, fhi):
            lo, flo = hi, fhi
            hi, fhi = s, f
            side = 0
        else:
            hi, fhi = s, f
            side += 1
            if side >= 2:  # Illinois: halve the retained end's value
                flo *= 0.5
    return s, best, "event location: no convergence in 80 iterations; approximate"


def exact_on(pt: Point, kind, sub, region: Region) -> "Point":
    """Snap the crossed constraint exactly (x_k = 0 or 1) at a boundary event."""
    if kind is EventType.BOUNDARY and region.kind is RegionKind.BOX:
        u = pt.u.copy()
        x = u[:-1]
        for val in (0.0, 1.0):
            x[np.abs(x - val) < 1e-12] = val
        return Point(u, pt.t, pt.jac, pt.eig, pt.tests)
    if kind == "window":
        u = pt.u.copy()
        u[-1] = sub
        return Point(u, pt.t, pt.jac, pt.eig, pt.tests)
    return pt


__all__ = ["SILENT_NOTES", "branch_test", "fold_test", "hopf_product",
           "hopf_test", "is_hopf", "locate_silent", "opposite", "real_signs",
           "region_constraints", "silent_crossing", "spectral", "unresolved"]
