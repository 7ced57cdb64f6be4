"""The problem solved face by face, and the check that admits a face point.

A candidate phi on a face is a fixed point of the projected dynamics when
every support probability is > 0 and every normal-cone multiplier is >= 0
(`eqselect.numerics.fixed_points.exact_faces.enumeration`). `face_record` decides that exactly
(rational points) or at high precision (algebraic points) and hands an
admitted point to `characterise`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from eqselect.theory.engine import to_sympy

from eqselect.numerics.fixed_points.core.characterise import (
    KnownStability, characterise, face_multipliers)
from eqselect.numerics.fixed_points.exact_faces.enumeration import probability
from eqselect.numerics.fixed_points.core.field import SymbolicField
from eqselect.numerics.fixed_points.core.nash_check import exact_sign
from eqselect.numerics.fixed_points.core.record import Equilibrium, Route

#: Digits and zero tolerance used for points with algebraic (non-rational) coordinates.
DIGITS = 60
ALGEBRAIC_TOL = 1e-40
#: Zero tolerance for points only known as floats (a continuum's sampled point).
FLOAT_TOL = 1e-12


@dataclass(frozen=True)
class ProjectedProblem:
    """One game and field, solved face by face.

    Attributes
    ----------
    field : SymbolicField
        F exactly and DF (payoff defaults substituted).
    blocks : tuple of tuple of int
        The simplex blocks of the region.
    agents : tuple of int
        The agent owning each block.
    notes : tuple of str
        Notes carried by every record (payoff defaults used).
    """

    field: SymbolicField
    blocks: tuple
    agents: tuple
    notes: tuple = ()

    @property
    def params(self) -> tuple:
        """The game's parameters, in order."""
        return self.field.symbols

    @property
    def F(self) -> list:
        """The field's components, exact."""
        return self.field.F


def face_record(problem: ProjectedProblem, face, phi, continuum=None,
                exact_ok=True) -> Equilibrium | None:
    """The `Equilibrium` at a face point, or None if it is not a fixed point there.

    Requires every support probability > 0 and every multiplier >= 0.
    """
    rational = all(to_sympy(x).is_Rational for x in phi)
    notes = list(problem.notes)
    if rational:
        at, tol = phi, None
    else:  # algebraic (or float) point: decide signs at high precision
        at = tuple(high_precision(x) for x in phi)
        tol = ALGEBRAIC_TOL if exact_ok else FLOAT_TOL
        notes.append(f"algebraic point: signs decided numerically to {tol:g} "
                     f"at {DIGITS} digits")
    if any(exact_sign(probability(spec, at), tol) <= 0 for spec in face.probabilities):
        return None
    if any(exact_sign(m, tol) < 0 for m in face_multipliers(face, problem.field.values(at))):
        return None
    return characterise(at, problem.field, face, exact=tuple(phi) if exact_ok else None,
                        route=Route.EXACT, notes=notes, tol=tol,
                        known=KnownStability(continuum=continuum))


def high_precision(x) -> sp.Float:
    """x as a real Float of ``DIGITS`` digits, its ``CRootOf`` atoms evaluated once."""
    x = to_sympy(x)
    roots = {r: r.evalf(DIGITS + 20) for r in x.atoms(sp.CRootOf)}
    return sp.re(sp.N(x.xreplace(roots), DIGITS))


__all__ = ["ProjectedProblem", "face_record", "high_precision"]
