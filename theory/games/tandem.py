"""Letcher et al.'s Tandem game, converted to values (agents maximise).

Letcher et al. (2019, "Stable Opponent Shaping", sec. 4) state it as losses
L_1 = (x + y)^2 - 2x and L_2 = (x + y)^2 - 2y, minimised; here
J_1 = -L_1 and J_2 = -L_2. Every point with x + y = 1 is a fixed point of
the gradient field; LookAhead keeps them and LOLA moves them.
"""

from __future__ import annotations

import sympy as sp

from eqselect.theory.game import Game, Region, RegionKind

X, Y = sp.symbols("x y")


def tandem() -> Game:
    """The Tandem game with parameters x (agent 1) and y (agent 2).

    Examples
    --------
    >>> tandem().values[0]
    2*x - (x + y)**2
    """
    losses = ((X + Y) ** 2 - 2 * X, (X + Y) ** 2 - 2 * Y)
    return Game(
        name="tandem", agents=((X,), (Y,)), values=tuple(-L for L in losses),
        region=Region(RegionKind.FREE), parameterization="continuous",
        description="Tandem (Letcher et al. 2019): losses (x+y)^2 - 2x, (x+y)^2 - 2y, negated",
    )
