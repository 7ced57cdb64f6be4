"""The disk cache of generated basin kernels.

A kernel module is written under ``kernels/`` of the cache folder
(`eqselect.numerics.disk_cache.cache_root`: ``$EQSELECT_CACHE_DIR``, else
``$XDG_CACHE_HOME/eqselect``, else ``~/.cache/eqselect``) as ``k_<key>.py``,
where the key is a SHA-256 prefix, and compiled by numba with
``cache=True``: a second run (in any process) loads the machine code from
disk. `load_kernel` keys a module by its text; `cached_kernel` keys it by a
specification (the field after common-subexpression elimination, the
schedule, the region, the predicate), so a cached kernel loads without
generating its text again, and a changed field or schedule gives a new key,
hence a new kernel.

Entries are checked before they are imported: a module's first line holds
the SHA-256 of the rest, and a side file (a native field) is framed with
its own (`eqselect.numerics.disk_cache.frame`). A damaged entry, or one
that fails to import, is generated again and rewritten; an unwritable
folder sends the kernels of this process to a private temporary folder.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Callable

from eqselect.numerics.disk_cache import cache_root, digest, load, store

#: Bumped whenever the generated code's form changes (old files are ignored).
FORMAT = "eqselect-fused-kernel-7"
#: The first line of a module file: this tag and the SHA-256 of the rest.
HEADER = "# eqselect-kernel "

_LOADED: dict = {}
_PRIVATE: list = []


def cache_dir() -> Path:
    """Where generated kernels and their compiled code live."""
    return cache_root() / "kernels"


def load_kernel(source: str):
    """Import the kernel module of ``source`` (keyed by its text), writing it once.

    Returns
    -------
    module
        With ``run(x0, steps, q, final, first_hit)`` and ``key``.
    """
    return cached_kernel(source, lambda: source, keyed_by_text=True)


def cached_kernel(spec: str, make_source: Callable[[], str], keyed_by_text: bool = False):
    """The kernel module of a specification; ``make_source()`` runs only on a miss.

    Parameters
    ----------
    spec : str
        Everything the generated text depends on (hashed into the key,
        with `FORMAT` unless ``keyed_by_text``).
    make_source : callable
        Returns the module text, or (text, {suffix: bytes}) with side files
        the module reads next to itself (written before the module, so a
        module on disk always has them).
    """
    key = digest(spec if keyed_by_text else FORMAT + "\n" + spec)
    if key in _LOADED:
        return _LOADED[key]
    path = (_PRIVATE[0] if _PRIVATE else cache_dir()) / f"k_{key}.py"
    module = _import_checked(path, key)
    if module is None:
        path = _write(path, make_source())
        module = _import_checked(path, key)
        if module is None:
            raise ImportError(f"the generated kernel {path} does not import")
    _LOADED[key] = module
    return module


def _intact(path: Path) -> bool:
    """Whether a module file and the side files it names pass their checksums."""
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError):
        return False
    head, sep, body = text.partition("\n")
    if not sep or head != HEADER + hashlib.sha256(body.encode()).hexdigest():
        return False
    sides = [s for s in re.findall(r'__file__\[:-3\] \+ "(\.\w+)"', body)]
    return all(load(path.with_suffix(s)) is not None for s in sides)


def _import_checked(path: Path, key: str):
    """The module at ``path`` when it is intact and imports; else None."""
    if not _intact(path):
        return None
    name = f"eqselect_kernel_{key}"
    try:
        spec_ = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec_)
        sys.modules[name] = module
        spec_.loader.exec_module(module)
    except Exception:  # a damaged entry: generated again by the caller
        sys.modules.pop(name, None)
        return None
    module.key = key
    return module


def _write(path: Path, made) -> Path:
    """Write a module (and its side files first); another folder if this one is not
    writable. Returns where the module is."""
    text, side = (made, {}) if isinstance(made, str) else made
    body = HEADER + hashlib.sha256(text.encode()).hexdigest() + "\n" + text
    for _ in range(2):
        if all(store(path.with_suffix(suffix), blob) for suffix, blob in side.items()) \
                and _store_text(path, body):
            return path
        if not _PRIVATE:  # an unwritable cache: this process compiles in a private folder
            _PRIVATE.append(Path(tempfile.mkdtemp(prefix="eqselect-kernels-")))
        path = _PRIVATE[0] / path.name
    raise OSError(f"no writable folder for the kernel {path.name}")


def _store_text(path: Path, body: str) -> bool:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(body)
        os.replace(tmp, path)
        return True
    except OSError:
        return False
