"""The disk cache of generated basin kernels.

A kernel module is written under ``kernels/`` of the cache folder
(`eqselect.numerics.disk_cache.cache_root`: ``$EQSELECT_CACHE_DIR``, else
``$XDG_CACHE_HOME/eqselect``, else ``~/.cache/eqselect``) as ``k_<key>.py``,
where the key is a SHA-256 prefix, and compiled by numba with
``cache=True``: a second run (in any process) loads the machine code from
disk. The fused kernels also keep their loop as an object file
(``k_<key>.o``), which a later process loads without importing numba
(`eqselect.numerics.dynamics.kernels.entry`). `load_kernel` keys a module by its text; `cached_kernel` keys it by a
specification (the field after common-subexpression elimination, the
schedule, the region, the predicate), so a cached kernel loads without
generating its text again, and a changed field or schedule gives a new key,
hence a new kernel.

Entries are checked before they are imported: a module's first line holds
the SHA-256 of the rest, and a side file (a native field) is framed with
its own (`eqselect.numerics.disk_cache.frame`). A damaged entry, or one
that fails to import, is generated again and rewritten; an unwritable
folder sends the kernels of this process to a private temporary folder.

Several processes asking for one key (pytest-xdist workers, the processes of
a sweep) build it once: writing, importing and numba's first compilation of
each function of the module run under an exclusive lock on
``k_<key>.lock`` beside the module (``flock``), and whoever acquires it
second finds the module, then numba's compiled code, already on disk and
loads them. Where ``flock`` is missing (Windows), each process builds on its
own, as numba alone would.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

try:
    import fcntl
except ImportError:  # Windows: no lock between processes
    fcntl = None

from eqselect.numerics.disk_cache import cache_root, digest, load, store

#: Bumped whenever the generated code's form changes (old files are ignored).
FORMAT = "eqselect-fused-kernel-9"
#: The first line of a module file: this tag and the SHA-256 of the rest.
HEADER = "# eqselect-kernel "

_LOADED: dict = {}
_PRIVATE: list = []
#: The kernel paths whose lock this thread holds (each acquisition opens the
#: lock file anew, so threads of one process exclude each other as processes do).
_HELD = threading.local()


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
    with key_lock(path):  # checked again under the lock: another process may have built it
        module = _import_checked(path, key)
        if module is None:
            path = _write(path, make_source())
            module = _import_checked(path, key)
            if module is None:
                raise ImportError(f"the generated kernel {path} does not import")
    _lock_first_compiles(module, path)
    _LOADED[key] = module
    return module


@contextmanager
def key_lock(path: Path):
    """Hold the exclusive lock of the kernel at ``path`` (``k_<key>.lock`` beside it).

    Without a writable folder or ``flock`` nothing is locked (the kernel is
    then built as numba alone would).
    """
    held = _HELD.__dict__.setdefault("paths", set())
    if path in held:  # a nested request of the holder (flock would wait on itself)
        yield
        return
    fd = None
    if fcntl is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:
            if fd is not None:
                os.close(fd)
            fd = None
    held.add(path)
    try:
        yield
    finally:
        held.discard(path)
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def _lock_first_compiles(module, path: Path) -> None:
    """Compile the module's numba functions under the kernel's lock.

    numba compiles a function at its first call with new argument types
    (``_compile_for_args``), and with ``cache=True`` it first looks for
    machine code saved on disk: under the lock, the second process finds
    the first one's code and loads it instead of compiling.
    """
    for value in list(vars(module).values()):
        first = getattr(value, "_compile_for_args", None)
        if first is None or getattr(getattr(value, "py_func", None), "__module__", None) \
                != module.__name__:
            continue

        def locked(*args, _first=first, **kws):
            with key_lock(path):
                return _first(*args, **kws)

        value._compile_for_args = locked


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


def load_module(path) -> object:
    """The kernel module kept at ``path`` (a ``k_<key>.py`` of the cache), checked.

    What a process that did not derive the kernel uses to run it: nothing
    is generated, and a damaged or missing entry is an error, not rebuilt.

    Raises
    ------
    ImportError
        When the file is missing, fails its checksum, or does not import.
    """
    path = Path(path)
    module = _import_checked(path, path.stem.removeprefix("k_"))
    if module is None:
        raise ImportError(f"{path} is not an intact kernel module of the cache")
    return module


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
