"""One JSON form for every result eqselect returns.

Every document the command line prints or a report writes is built by
`document`: it carries ``schema_version``, the package version, the kind of
result and the inputs that produced it (game, rule, seeds, options), then the
result's own fields. Results are frozen dataclasses that inherit `Record`,
whose ``to_json`` turns each field into JSON with `jsonable`: exact numbers
become strings, floats stay floats (non-finite ones become null), enums their
values, complex numbers ``[re, im]``, nested records their own ``to_json``.
The field-by-field layout of each kind is in docs/cli.md.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from enum import Enum
from importlib import metadata
from pathlib import PurePath

import sympy as sp

#: Bumped when a key is renamed or removed (adding keys keeps the version).
SCHEMA_VERSION = 1


@functools.cache
def package_version() -> str:
    """The installed eqselect version ("unknown" when run from a bare tree); read from
    the installed metadata once a process."""
    try:
        return metadata.version("eqselect")
    except metadata.PackageNotFoundError:
        return "unknown"


def jsonable(value):
    """``value`` as plain JSON data (see the module docstring).

    Examples
    --------
    >>> jsonable({"x": (sp.Rational(2, 3), float("inf"), 1j)})
    {'x': ['2/3', None, [0.0, 1.0]]}
    """
    if isinstance(value, Enum):  # before str: the project's enums are str enums
        return jsonable(value.value)
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if hasattr(value, "to_json"):
        return value.to_json()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, complex):
        return [float(value.real), float(value.imag)]
    if isinstance(value, sp.Basic):
        return str(value)
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, dict):
        return {str(jsonable(k)): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return jsonable(value.tolist())
    raise TypeError(f"no JSON form for {type(value).__name__}")


class Record:
    """Mixin for frozen result dataclasses: one ``to_json`` for all of them.

    A subclass lists fields to leave out in ``_json_skip`` and may add
    derived entries by overriding ``_json_extra``.
    """

    _json_skip: tuple[str, ...] = ()

    def _json_extra(self) -> dict:
        return {}

    def to_json(self) -> dict:
        """Every field (but those in ``_json_skip``) through `jsonable`."""
        out = {f.name: jsonable(getattr(self, f.name))
               for f in dataclasses.fields(self) if f.name not in self._json_skip}
        out.update(self._json_extra())
        return out


def document(kind: str, result, inputs: dict) -> dict:
    """The top-level JSON document of one command or report section.

    Parameters
    ----------
    kind : str
        What the document holds ("derive", "equilibria", "continue", ...).
    result : Record or dict
        The result; its JSON keys are merged into the document.
    inputs : dict
        What produced it: game, parameterisation, rule, seeds, options.
    """
    body = jsonable(result)
    return {"schema_version": SCHEMA_VERSION, "eqselect_version": package_version(),
            "kind": kind, "inputs": jsonable(inputs), **body}
