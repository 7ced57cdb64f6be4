"""The records of rational face points of an affine field, in integers.

`characterise` builds a fixed point's record from Fractions and sympy
numbers; on the integer route (`eqselect.numerics.fixed_points.exact_faces.integer_elimination`)
every admitted point arrives as D phi (integers) with D > 0, and the record
can be read off in integers instead, with the same result:

- the field: F = A phi + c with A, c rational; with D_0 > 0 clearing their
  denominators, D D_0 F(phi) = A_0 (D phi) + c_0 D in integers, so every
  normal-cone multiplier is an integer over D D_0 (its sign exact, its
  float the correctly rounded quotient, as ``float(Fraction)`` gives);
- the strategies: under the direct parameterisation each strategy entry is
  an integer affine form in phi, so D x_i(a) is an integer;
- Nash: with payoffs scaled to integers by L > 0, u_i(a, x_{-i}) scaled by
  L D^(N-1) > 0 is an integer and the best-response check compares those;
- linearisation: eigenvalues of DF on the face (Q^T A Q, Q an orthonormal
  basis of the face's P, cached per face), then -m_k per bound direction,
  classified and noted exactly as `characterise` does.

`IntegerRecords.of` returns None when the game is outside that class
(irrational or symbolic payoffs, strategies that are not integer affine
forms, several states); the caller then uses `characterise`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

from eqselect.numerics.fixed_points.core.affine_forms import common_denominator, integral_form
from eqselect.numerics.fixed_points.core.characterise import SIGN_TOL, bound_notes
from eqselect.numerics.fixed_points.core.field import AffineField
from eqselect.numerics.fixed_points.core.nash_check import is_nash_rational
from eqselect.numerics.fixed_points.core.record import Equilibrium, Route, Stability, classify


@dataclass(frozen=True)
class IntegerRecords:
    """What the records of one affine field's face points need, in integers.

    Attributes
    ----------
    field : AffineField
    A, c : list of list of int, list of int
        D_0 times the field's A and c (`integral_form`), so that
        D D_0 F(phi) = A (D phi) + c D.
    scale : int
        D_0 > 0.
    strategies : tuple of tuple of (tuple of int, int)
        Per agent and action, the integer affine form (row, constant) of the
        strategy entry in phi.
    tables : tuple of nested lists of int
        The payoff tables times L > 0.
    notes : tuple of str
        Notes every record carries first (payoff defaults used).
    """

    field: AffineField
    A: list
    c: list
    scale: int
    strategies: tuple
    tables: tuple
    notes: tuple = ()

    @classmethod
    def of(cls, field, notes=()) -> IntegerRecords | None:
        """The integer data of ``field``, or None outside the class of the module docstring."""
        game = field.game
        if not isinstance(field, AffineField) or game.states != 1 or not game.payoffs \
                or not game.strategies:
            return None
        scale = common_denominator(field.A, field.c)
        if scale is None:
            return None
        A, c = integral_form(field.A, field.c)
        index = {s: i for i, s in enumerate(field.symbols)}
        rows = tuple(tuple(_integer_form(e, index) for e in block) for block in game.strategies)
        tables = _integer_tables(game.payoffs)
        if tables is None or any(r is None for block in rows for r in block):
            return None
        return cls(field, A, c, scale, rows, tables, tuple(notes))

    def record(self, face, phi, D: int, continuum: str | None = None) -> Equilibrium:
        """The record of the fixed point phi / D on ``face`` (the caller admitted it).

        Parameters
        ----------
        face : Face
        phi : sequence of int
            D phi, the point times its denominator.
        D : int
            A positive common denominator.
        continuum : str, optional
            The note of a continuum the point represents (stability DEGENERATE).

        Returns
        -------
        Equilibrium
            The record `characterise` gives at the same point (route EXACT).
        """
        notes = list(self.notes)
        d, k = len(phi), len(face.free)
        den = D * self.scale
        F = [sum(a * x for a, x in zip(row, phi) if a) + ci * D for row, ci in zip(self.A, self.c)]
        mults = [_at(F, s0) - _at(F, j) for s0, j, _ in face.multipliers]
        eigs, mu = self._linearisation(face, phi, [m / den for m in mults])
        notes += bound_notes(face, [m == 0 for m in mults], d, k)
        residual = max((abs(_at(F, a) - _at(F, b)) / den for a, b in face.equations),
                       default=0.0)
        size = max(_size((a for row in self.A for a in row), self.scale), _size(F, den))
        stability = classify(eigs, tol=SIGN_TOL * size)  # as `characterise` reads them
        if continuum is not None:
            stability = Stability.DEGENERATE
            notes.insert(0, continuum)
        X = tuple(tuple(sum(r * x for r, x in zip(row, phi) if r) + c0 * D for row, c0 in block)
                  for block in self.strategies)
        return Equilibrium(
            point=tuple(x / D for x in phi), exact=tuple(sp.Rational(x, D) for x in phi),
            strategies=tuple(tuple(x / D for x in s) for s in X), stability=stability,
            eigenvalues=eigs, mu=mu, nash=is_nash_integer(self.tables, X), boundary=k < d,
            route=Route.EXACT, residual=residual, notes=tuple(notes))

    def _linearisation(self, face, phi, multipliers) -> tuple[tuple, float]:
        """(eigenvalues, mu): those of Q^T DF Q on the face, then -m_k per bound
        direction; mu the smaller of -lambda_max(sym Q^T DF Q) and the m_k (floats)."""
        if face.free:
            Q = tangent_basis(face.P)
            R = Q.T @ self.field.jacobian(phi) @ Q
            tangent = list(np.linalg.eigvals(R))
            mu = 0.0 - float(np.max(np.linalg.eigvalsh((R + R.T) / 2)))
        else:
            tangent, mu = [], float("inf")
        if multipliers:
            mu = min([mu] + multipliers)
        eigs = tuple(complex(z) for z in tangent) + tuple(complex(-x) for x in multipliers)
        return eigs, mu


@functools.lru_cache(maxsize=4096)
def tangent_basis(P: tuple) -> np.ndarray:
    """Q of the QR factorisation of a face's P: orthonormal columns spanning the face."""
    Q, _ = np.linalg.qr(np.array(P, dtype=float))
    Q.setflags(write=False)
    return Q


def is_nash_integer(tables, X) -> bool:
    """The best-response check of `is_nash_rational` on integer data.

    Parameters
    ----------
    tables : sequence of N nested lists of int
        Positive multiples of the payoff tables (one factor for all).
    X : sequence of N sequences of int
        D times each agent's mixed strategy, one D > 0 for all agents.

    Each u_i(a, x_{-i}) is then L D^(N-1) times its value, an integer, and
    the comparisons with the best response are unchanged.

    Examples
    --------
    >>> T = [[[4, 0], [3, 2]], [[4, 3], [0, 2]]]  # Stag Hunt
    >>> is_nash_integer(T, ((2, 1), (2, 1))), is_nash_integer(T, ((3, 0), (0, 3)))
    (True, False)
    """
    return is_nash_rational(tables, X)


def _at(F, i):
    return 0 if i is None else F[i]


def _integer_form(expr, index):
    """(row, constant) in ints with expr = row . phi + constant, for a sum of integer
    multiples of 1 and of the parameters (a direct strategy: p, or 1 - sum(p)); else None."""
    row, const = [0] * len(index), 0
    for term in sp.Add.make_args(expr):
        coeff, rest = term.as_coeff_Mul()
        if not coeff.is_Integer:
            return None
        if rest is sp.S.One:
            const += int(coeff)
        elif rest in index:
            row[index[rest]] += int(coeff)
        else:
            return None
    return tuple(row), const


def _integer_tables(payoffs):
    """The payoff tables times the least L > 0 that makes them integers, or None."""
    flat = []  # (numerator, denominator) of every entry

    def walk(obj):
        if isinstance(obj, (list, tuple)):
            for o in obj:
                walk(o)
        elif isinstance(obj, (int, Fraction)):
            flat.append((Fraction(obj).numerator, Fraction(obj).denominator))
        else:
            flat.append((int(obj.p), int(obj.q)) if obj.is_Rational else None)

    walk(payoffs)
    if any(x is None for x in flat):
        return None
    L = math.lcm(*(q for _, q in flat))
    values = iter(p * (L // q) for p, q in flat)

    def nested(obj):
        if isinstance(obj, (list, tuple)):
            return [nested(o) for o in obj]
        return next(values)

    return tuple(nested(t) for t in payoffs)



def _size(ints, den: int) -> float:
    """min(1, max |x| / den) over the integers ``ints`` (compared as integers, so
    payoffs of 10^300 never reach a float): the size of DF or of F against which
    `characterise` reads eigenvalue signs (`sign_scale`)."""
    top = max((abs(x) for x in ints), default=0)
    return 1.0 if top >= den else top / den

__all__ = ["IntegerRecords", "is_nash_integer", "tangent_basis"]
