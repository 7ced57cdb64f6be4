"""A sweep's document (cells.json) as typed records, read in one place.

The heat maps and the verdict counts work on an `Atlas`, never on the JSON:
`read_atlas` is the only function that knows the document's keys
(docs/sweep.md, "The output folder" and "What a cell holds"). An atlas holds

- the game, the methods and the shape (methods, axis 1 [, axis 2], lambda);
- one `AtlasCell` per cell, in cell order (lambda fastest): its success
  fraction, its starts per attractor, its fixed points (`AtlasPoint`) and its
  alignment verdicts (`CellVerdicts`, None when the sweep did not compute them);
- the axes with their exact values, and per method the panels of exact event
  curves drawn over its maps (`EventPanel`, `EventCurve`);
- the preferred equilibrium P of the verdicts, when computed;
- the action names of the pure-profile outcome labels, where the game has them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import prod

from eqselect.theory.errors import OptionsError

#: Alignment conditions a sweep cell decides.
CONDITIONS = ("A1", "A2", "A3")
#: The per-cell values of the verdicts drawn as maps (floats, None where undefined).
VERDICT_VALUES = ("mu_M(P)", "mu_M(R)", "A3 min")


@dataclass(frozen=True)
class AtlasPoint:
    """A fixed point of a cell: its label (probability coordinates), its exact
    coordinates as text (None when not exact) and its stability class."""

    label: str
    exact: tuple | None
    stability: str

    @property
    def is_corner(self) -> bool:
        """Whether it is exactly a pure profile (every coordinate 0 or 1)."""
        return self.exact is not None and all(v in ("0", "1") for v in self.exact)


@dataclass(frozen=True)
class CellVerdicts:
    """A cell's alignment verdicts.

    Attributes
    ----------
    status : str
        ``"computed"``, ``"timed out"`` or ``"not decided"``.
    holds : dict of str to bool or None
        A1, A2, A3: True holds, False fails, None not decided or not applicable.
    values : dict of str to float or None
        ``mu_M(P)``, ``mu_M(R)``, ``A3 min``.
    """

    status: str
    holds: dict
    values: dict


@dataclass(frozen=True)
class AtlasCell:
    """One cell of an atlas, as the maps read it.

    Attributes
    ----------
    method : str
    fraction : float
        Share of starts meeting the success predicate.
    outcomes : dict of str to int
        Starts per attractor label, plus ``unresolved``.
    n_starts : int
    points : tuple of AtlasPoint
        The fixed points of the rule's field.
    verdicts : CellVerdicts or None
        None when the sweep did not compute the verdicts.
    """

    method: str
    fraction: float
    outcomes: dict
    n_starts: int
    points: tuple = ()
    verdicts: CellVerdicts | None = None

    @property
    def n_stable(self) -> int:
        """Number of stable fixed points."""
        return sum(p.stability == "stable" for p in self.points)


@dataclass(frozen=True)
class AtlasAxis:
    """A swept quantity (a payoff symbol or ``lam``) and its exact values as text;
    ``labels`` are what a labelled axis's values stand for (graph specs), else ()."""

    name: str
    values: tuple
    labels: tuple = ()

    @property
    def floats(self) -> list[float]:
        """The values as floats (exact fractions first, then rounded once)."""
        return [float(Fraction(v)) for v in self.values]


@dataclass(frozen=True)
class EventCurve:
    """Where a pure profile stops being a fixed point: its exact solutions (text)
    and the curve's segments as (x, y) points in the map's coordinates."""

    corner: str
    solutions: tuple
    segments: tuple


@dataclass(frozen=True)
class EventPanel:
    """The exact event curves of one panel; ``fixed`` holds the values (text)
    of the quantities the panel keeps fixed, e.g. {"lam": "3/2"}."""

    fixed: dict
    curves: tuple


@dataclass(frozen=True)
class Atlas:
    """A sweep's cells with what is drawn over them.

    Attributes
    ----------
    game : str
    methods : tuple of str
    shape : tuple of int
        (methods, axis 1 [, axis 2], lambda).
    cells : sequence of AtlasCell
        In cell order, lambda varying fastest; ``prod(shape)`` of them (a
        tuple, or `StoredCells` read lazily from a sweep store).
    axes : tuple of AtlasAxis
        The symbol axes then lambda (empty when only quantities are wanted).
    events : dict of str to tuple of EventPanel
        Per method, the panels of exact event curves.
    preferred : str or None
        P of the verdicts (``--preferred``), None when they were not computed.
    names : dict of str to str
        The action names of the pure-profile outcome labels (``"(0, 0)"`` ->
        ``"(hare, hare)"``), where the game names its actions.

    Raises
    ------
    ValueError
        When the number of cells does not match the shape.
    """

    game: str
    methods: tuple
    shape: tuple
    cells: tuple
    axes: tuple = ()
    events: dict = field(default_factory=dict)
    preferred: str | None = None
    names: dict = field(default_factory=dict)

    @property
    def has_verdicts(self) -> bool:
        """Whether the sweep computed the alignment verdicts of its cells."""
        return self.preferred is not None

    def __post_init__(self):
        if len(self.cells) != prod(self.shape) or self.shape[0] != len(self.methods):
            raise ValueError(f"an atlas of shape {tuple(self.shape)} over "
                             f"{len(self.methods)} methods needs {prod(self.shape)} cells "
                             f"and one shape entry per method; got {len(self.cells)} cells")


class StoredCells(Sequence):
    """The cells of a sweep store as `AtlasCell`s, read one chunk at a time.

    ``chunk_cells(k)`` gives chunk k's cells as JSON data (checked by the
    store); ``chunk_size`` and ``n_cells`` place a cell in its chunk. The
    last chunk read is kept, so iterating reads each chunk once.
    """

    def __init__(self, chunk_cells, n_cells: int, chunk_size: int):
        self._read, self._n, self._size = chunk_cells, n_cells, chunk_size
        self._cached = (None, [])

    def __len__(self) -> int:
        return self._n

    def _chunk(self, k: int) -> list:
        if self._cached[0] != k:
            self._cached = (k, [_cell(c) for c in self._read(k)])
        return self._cached[1]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._n))]
        if not -self._n <= i < self._n:
            raise IndexError(f"cell {i} outside 0..{self._n - 1}")
        i %= self._n
        return self._chunk(i // self._size)[i % self._size]

    def __iter__(self):
        for k in range(-(-self._n // self._size)):
            yield from self._chunk(k)


def read_atlas(doc: dict, cells: Sequence | None = None) -> Atlas:
    """The `Atlas` of a sweep document (the contents of cells.json).

    ``cells``, when given, stands for ``doc["cells"]`` (a `StoredCells` read
    lazily from the store, with ``doc`` the document's head).

    Raises
    ------
    OptionsError
        ``doc`` is not a sweep document (another command's JSON, a damaged file):
        one line naming what is missing, not a bare KeyError.

    Examples
    --------
    >>> doc = {"inputs": {"spec": {"game": "stag-hunt"}}, "methods": ["pg"],
    ...        "shape": [1, 1, 1], "axes": [{"name": "a", "values": ["4"]},
    ...        {"name": "lam", "values": ["0"]}], "events": {"pg": []},
    ...        "alignment": {"status": "not computed"},
    ...        "cells": [{"method": "pg", "fraction": 1.0, "outcomes": {"(1, 1)": 4},
    ...                   "n_starts": 4, "equilibria": [{"label": "(1, 1)",
    ...                   "exact": ["1", "1"], "stability": "stable"}],
    ...                   "alignment": {"status": "not computed"}}]}
    >>> atlas = read_atlas(doc)
    >>> atlas.cells[0].points[0].is_corner, atlas.cells[0].verdicts, atlas.axes[0].floats
    (True, None, [4.0])
    """
    try:
        return _atlas(doc, cells)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        what = f"no key {exc}" if isinstance(exc, KeyError) else f"{type(exc).__name__}: {exc}"
        kind = doc.get("kind") if isinstance(doc, dict) else type(doc).__name__
        raise OptionsError(f"not a sweep document (cells.json; this one is "
                           f"{kind or 'of no kind'}): {what}"[:300]) from None


def _atlas(doc: dict, cells) -> Atlas:
    alignment = doc.get("alignment", {})
    computed = alignment.get("status") == "computed"
    return Atlas(
        game=doc["inputs"]["spec"]["game"], methods=tuple(doc["methods"]),
        shape=tuple(doc["shape"]),
        cells=tuple(_cell(c) for c in doc["cells"]) if cells is None else cells,
        axes=tuple(AtlasAxis(a["name"], tuple(a["values"]), tuple(a.get("labels", ())))
                   for a in doc["axes"]),
        events={m: tuple(_panel(p) for p in panels) for m, panels in doc["events"].items()},
        preferred=alignment["options"]["preferred"] if computed else None,
        names=dict(doc.get("outcome_names", {})))


def _cell(c: dict) -> AtlasCell:
    points = tuple(AtlasPoint(e["label"], None if e["exact"] is None else tuple(e["exact"]),
                              e["stability"]) for e in c["equilibria"])
    return AtlasCell(c["method"], float(c["fraction"]), dict(c["outcomes"]),
                     int(c["n_starts"]), points, _verdicts(c["alignment"]))


def _verdicts(al: dict) -> CellVerdicts | None:
    if al["status"] == "not computed":
        return None
    conditions = al.get("conditions", {})
    return CellVerdicts(al["status"],
                        {k: conditions.get(k, {}).get("holds") for k in CONDITIONS},
                        {k: al.get("values", {}).get(k) for k in VERDICT_VALUES})


def _panel(p: dict) -> EventPanel:
    curves = tuple(EventCurve(c["corner"], tuple(c["solutions"]),
                              tuple(tuple(map(tuple, seg)) for seg in c["segments"]))
                   for c in p["curves"])
    return EventPanel(dict(p["fixed"]), curves)
