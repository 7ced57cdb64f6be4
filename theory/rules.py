"""Learning methods as linear combinations of the decomposition's terms.

==========  =======================================  =========================
method      update direction (ascent)                 source
==========  =======================================  =========================
pg          cur                                       naive policy gradient
meta-pg     cur + c own                               Al-Shedivat et al. 2018
peer-only   cur + lambda peer                         "LOLA-style" in the paper
meta-mapg   cur + c own + lambda peer                 Kim et al. 2021
lookahead   cur + la                                  Letcher et al. 2019
lola        cur + la + peer                           Foerster et al. 2018 (as
                                                      in Letcher et al. 2019)
==========  =======================================  =========================
"""

from __future__ import annotations

from enum import Enum

import sympy as sp

from eqselect.theory.game import GameError

LAMBDA = sp.Symbol("lambda")
OWN_COEF = sp.Symbol("c")


class Method(str, Enum):
    """A learning rule (see the module table)."""

    PG = "pg"
    META_PG = "meta-pg"
    PEER_ONLY = "peer-only"
    META_MAPG = "meta-mapg"
    LOOKAHEAD = "lookahead"
    LOLA = "lola"

    @classmethod
    def parse(cls, name) -> "Method":
        """The method called ``name``; an error listing the valid ones otherwise."""
        if isinstance(name, cls):
            return name
        try:
            return cls(name)
        except ValueError:
            valid = ", ".join(m.value for m in cls)
            raise GameError(f"unknown method {name!r}; valid: {valid}") from None


def coefficients(method, lam=LAMBDA, own_coef=OWN_COEF) -> dict[str, object]:
    """Coefficient of each term (cur, own, peer, lookahead) in a method's field.

    Examples
    --------
    >>> coefficients("meta-mapg", 3, 1)
    {'cur': 1, 'own': 1, 'peer': 3, 'lookahead': 0}
    """
    m = Method.parse(method)
    table = {
        Method.PG: (1, 0, 0, 0),
        Method.META_PG: (1, own_coef, 0, 0),
        Method.PEER_ONLY: (1, 0, lam, 0),
        Method.META_MAPG: (1, own_coef, lam, 0),
        Method.LOOKAHEAD: (1, 0, 0, 1),
        Method.LOLA: (1, 0, 1, 1),
    }
    return dict(zip(("cur", "own", "peer", "lookahead"), table[m]))
