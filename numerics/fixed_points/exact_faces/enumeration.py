"""Faces of the direct parameterisation's region (a product of simplex blocks).

Under the direct parameterisation the parameters live in a polytope: a box
[0, 1]^d (two actions per agent) or a product of simplex blocks
{p >= 0, sum(p) <= 1} (m actions, m - 1 parameters per block). A face is one
non-empty support per block; on it phi = P y + q with y the free
coordinates. The fixed points of the projected dynamics on a face solve
G_k = G_{s0} for the support actions and have normal-cone multipliers
G_{s0} - G_j >= 0 for the unused ones (docs/theory.md).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from eqselect.theory import GameError, RegionKind

@dataclass(frozen=True)
class Face:
    """One face of the region: a support per block, in affine coordinates.

    The face is phi = P y + q, y the free coordinates (a subset of the
    parameters, named by ``free``).

    Attributes
    ----------
    supports : tuple of tuple of int
        Per block, the actions with positive probability.
    free : tuple of int
        Indices of the free parameters (the columns of P).
    P : tuple of tuple of int, shape (d, k)
    q : tuple of int, shape (d,)
    equations : tuple of (int, int)
        Pairs (k, s0) of parameter indices (s0 may be None for G = 0):
        the face's equations G_k - G_{s0} = 0, one per free coordinate.
    multipliers : tuple of (int or None, int or None, (int, int))
        (s0, j, (block, action)): the multiplier G_{s0} - G_j of each bound
        direction (an unused action), an index None standing for the last
        action (G = 0).
    probabilities : tuple of (bool, tuple of int)
        Per support action: (False, (i,)) for the probability p_i, or
        (True, block) for the last action's probability 1 - sum(p_block).
    agents : tuple of int
        Per block, the index of the agent who owns it (for messages).
    """

    supports: tuple
    free: tuple
    P: tuple
    q: tuple
    equations: tuple
    multipliers: tuple
    probabilities: tuple
    agents: tuple = ()

    def describe(self, agent_of_block=None) -> str:
        """A one-line name of the face, e.g. ``agent 1 support {0, 1}; agent 2 support {1}``."""
        owners = self.agents if agent_of_block is None else agent_of_block
        return "; ".join(f"agent {owners[b] + 1} support {set(s)}"
                         for b, s in enumerate(self.supports))


def region_blocks(game) -> tuple[tuple[int, ...], ...]:
    """The simplex blocks of a direct-parameterised game (singletons for the box).

    Raises
    ------
    GameError
        For a region that is not a box or a simplex product.
    """
    kind = game.region.kind
    d = len(game.parameters)
    if kind is RegionKind.BOX:
        return tuple((k,) for k in range(d))
    if kind is RegionKind.SIMPLEX:
        blocks = tuple(tuple(b) for b in game.region.blocks)
        covered = sorted(k for b in blocks for k in b)
        missing = sorted(set(range(d)) - set(covered))
        if len(covered) != len(set(covered)):
            raise GameError(f"game {game.name!r} has overlapping simplex blocks {blocks}")
        return blocks + tuple((k,) for k in missing)
    raise GameError(f"game {game.name!r} has region {kind.value!r}; projected fixed "
                    "points need the direct parameterisation (box or simplex)")


#: Face-by-face search is exhaustive; past this many faces it is refused
#: (the direct-parameterised IPD has 3^10 = 59049).
MAX_FACES = 5000


def faces(blocks, d: int, agents=None):
    """Every face of the product of simplex blocks, as `Face` records.

    A block of b parameters (m = b + 1 actions) has 2^m - 1 faces, one per
    non-empty support S; s0 = max(S) is the reference action.

    Examples
    --------
    >>> len(list(faces(((0,), (1,)), 2)))
    9
    """
    per_block = [[S for r in range(1, len(b) + 2)
                  for S in itertools.combinations(range(len(b) + 1), r)] for b in blocks]
    owners = tuple(range(len(blocks))) if agents is None else tuple(agents)
    for supports in itertools.product(*per_block):
        yield _face(blocks, supports, d, owners)


def _face(blocks, supports, d, agents=()) -> Face:
    free, q, eqs, mults, probs = [], [0] * d, [], [], []
    columns = {}
    for bi, (block, S) in enumerate(zip(blocks, supports)):
        b = len(block)
        s0 = max(S)
        ref = block[s0] if s0 < b else None
        for k in S:
            if k != s0:
                columns[block[k]] = len(free)
                free.append(block[k])
                eqs.append((block[k], ref))
        for j in range(b + 1):
            if j not in S:
                mults.append((ref, block[j] if j < b else None, (bi, j)))
        for k in S:
            if k < b:
                probs.append((False, (block[k],)))
        if ref is not None:
            q[ref] = 1
        else:
            probs.append((True, tuple(block)))
    P = [[0] * len(free) for _ in range(d)]
    for i, col in columns.items():
        P[i][col] = 1
    for block, S in zip(blocks, supports):
        s0 = max(S)
        if s0 < len(block):
            for k in S:
                if k != s0:
                    P[block[s0]][columns[block[k]]] = -1
    return Face(tuple(supports), tuple(free), tuple(map(tuple, P)), tuple(q),
                tuple(eqs), tuple(mults), tuple(probs), tuple(agents))


def probability(spec, phi):
    """A support probability: p_i, or 1 - sum(p_block) for a block's last action."""
    last, idx = spec
    if last:
        return 1 - sum((phi[i] for i in idx[1:]), start=phi[idx[0]])
    return phi[idx[0]]


def block_agents(game, blocks) -> tuple[int, ...]:
    """The agent owning each block (its first parameter's agent)."""
    owner = {}
    for i, sl in enumerate(game.slices):
        for k in range(sl.start, sl.stop):
            owner[k] = i
    return tuple(owner[b[0]] for b in blocks)


def face_point(face, y) -> tuple:
    """phi = P y + q on a face (exact in, exact out)."""
    import sympy as sp

    return tuple(sp.Integer(face.q[i]) + sum((coef * y[j] for j, coef in enumerate(row)
                                             if coef), sp.Integer(0))
                 for i, row in enumerate(face.P))


__all__ = ["Face", "MAX_FACES", "block_agents", "face_point", "faces", "probability",
           "region_blocks"]
