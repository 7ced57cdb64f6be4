"""What continuation returns: events, branches and the run's result.

All are frozen dataclasses inheriting `eqselect.theory.serialize.Record`, so
each has one ``to_json`` (docs/cli.md). Every event and branch names the
parameter it varies ("lam" for the shaping coefficient lambda, else the
payoff symbol's name); an event of a lambda run keeps the key ``"lam"`` for
its value as well, for readers of the earlier form.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import networkx as nx
import numpy as np
import sympy as sp

from eqselect.theory.serialize import Record


class EventType(str, Enum):
    """Special points reported on a branch."""

    FOLD = "fold"
    HOPF = "hopf"
    BRANCH = "branch"
    BOUNDARY = "boundary"
    SATURATION = "saturation"  # the branch runs off to infinity (logit coordinates)


@dataclass(frozen=True)
class Event(Record):
    """A located special point.

    Attributes
    ----------
    type : EventType
    value : float
        The parameter value p at the event.
    point : tuple of float
        phi at the event.
    index : int
        Row of the event in its branch's ``points`` (-1 when not on a
        computed branch, e.g. a corner fixed point).
    exact_value : sympy.Expr or None
        p in exact form when solved exactly.
    note : str
    parameter : str
        The name of p ("lam" or a payoff symbol).
    """

    type: EventType
    value: float
    point: tuple
    index: int = -1
    exact_value: sp.Expr | None = None
    note: str = ""
    parameter: str = "lam"

    def _json_extra(self) -> dict:
        out = {"type": self.type.value}
        return {**out, "lam": float(self.value)} if self.parameter == "lam" else out


class BranchStatus(str, Enum):
    """Why a branch ended."""

    WINDOW = "window"  # reached p_min or p_max
    REGION = "region"  # left the region (a boundary event)
    SATURATED = "saturated"  # ran past the at-infinity bound (a saturation event)
    MAX_STEPS = "max_steps"
    DS_MIN = "ds_min"  # the corrector kept failing at the smallest step
    START_FAILED = "start_failed"  # Newton did not converge at the start
    CLOSED = "closed"  # came back to its first point: a closed curve of fixed points
    FIXED = "fixed"  # a boundary fixed point over a window (no arclength steps)


@dataclass(frozen=True, eq=False)
class Branch(Record):
    """A computed branch of fixed points.

    Attributes
    ----------
    parameter : str
    points : ndarray, shape (n, 1 + d)
        Rows [p, phi_1, ..., phi_d] in arclength order (events included).
    stability : tuple of eqselect.numerics.fixed_points.core.record.Stability
        Class of the eigenvalues of D_phi F at each row.
    eigenvalues : tuple of ndarray
        Eigenvalues of D_phi F at each row (left out of the JSON form).
    events : tuple of Event
    status : BranchStatus
    notes : tuple of str
    kind : str
        "interior" (an arclength branch), "face" (an arclength branch on an
        edge or face of the region, some coordinates pinned at a bound) or
        "corner" (a vertex of the box or of the simplex product that is a
        fixed point of the projected dynamics over a window).
    face : str
        The pinned coordinates of a face or corner branch (e.g. "p1 = 0",
        "p2 support (0, 2)"); "" for an interior branch.
    origin : str
        "continuation" (started from a fixed point found at an end of the
        range, handed over at a boundary event, or a corner window) or
        "branch-switch" (started at a branch point of another branch along
        the second root of the algebraic bifurcation equation,
        `eqselect.numerics.continuation.switching`).
    switched_at : float or None
        The parameter value of the branch point a switched branch started
        from; None otherwise.
    """

    parameter: str
    points: np.ndarray
    stability: tuple
    eigenvalues: tuple
    events: tuple
    status: BranchStatus
    notes: tuple = ()
    kind: str = "interior"
    face: str = ""
    origin: str = "continuation"
    switched_at: float | None = None

    _json_skip = ("eigenvalues",)

    def _json_extra(self) -> dict:
        return {"stability": [s.value for s in self.stability], "status": self.status.value}


@dataclass(frozen=True, eq=False)
class ContinuationResult(Record):
    """Branches, events and their graph for one continuation run.

    Attributes
    ----------
    parameter : str
        "lam" or the payoff symbol's name.
    value_range : tuple of float
        (a, b), seeds at a.
    branches : tuple of Branch
        Interior arclength branches first, then face branches, then corner
        branches.
    events : tuple of Event
        Every event, deduplicated, sorted by parameter value.
    graph : networkx.Graph
        Nodes: fixed points at events and at branch ends (attributes
        ``lam``, ``point``, ``type``); edges: branch segments (attributes
        ``stability``, ``n_points``, ``branch``). Left out of the JSON form.
    notes : tuple of str
        Numerical trouble met on the way (failed seeds, singular starts).
    """

    parameter: str
    value_range: tuple
    branches: tuple
    events: tuple
    graph: nx.Graph
    notes: tuple = ()

    _json_skip = ("graph",)


__all__ = ["Branch", "BranchStatus", "ContinuationResult", "Event", "EventType"]
