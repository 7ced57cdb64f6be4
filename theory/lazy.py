"""Lazy re-exports for package ``__init__`` files (PEP 562).

A package lists which of its modules defines each public name; the module is
imported on first access to one of its names. ``import eqselect`` stays fast
and does not pull numpy-heavy numerics or matplotlib until they are used.
"""

from __future__ import annotations

import importlib
from typing import Callable, Mapping, Sequence


def lazy_exports(package: str, exports: Mapping[str, Sequence[str]],
                 namespace: dict) -> tuple[Callable, Callable, list[str]]:
    """Module ``__getattr__``, ``__dir__`` and ``__all__`` for lazy re-exports.

    Parameters
    ----------
    package : str
        The package's ``__name__`` (for error messages).
    exports : mapping from module path to names
        ``{"eqselect.numerics.fixed_points.find": ["find_equilibria"], ...}``.
    namespace : dict
        The package's ``globals()``; a name is cached there once loaded.

    Returns
    -------
    (getattr, dir, all)
        Assign them to ``__getattr__``, ``__dir__`` and ``__all__``.

    Examples
    --------
    >>> ns = {}
    >>> get, names, everything = lazy_exports("demo", {"fractions": ["Fraction"]}, ns)
    >>> get("Fraction")(1, 2), "Fraction" in ns
    (Fraction(1, 2), True)
    """
    where = {name: module for module, names in exports.items() for name in names}

    def __getattr__(name: str):
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name]), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(where))

    return __getattr__, __dir__, sorted(where)
