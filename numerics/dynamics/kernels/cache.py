"""The disk cache of generated basin kernels.

A kernel module is written under the cache folder (``$XDG_CACHE_HOME/
eqselect/kernels``, else ``~/.cache/eqselect/kernels``; ``EQSELECT_CACHE_DIR``
overrides) as ``k_<key>.py``, where the key is a SHA-256 prefix, and
compiled by numba with ``cache=True``: a second run (in any process) loads
the machine code from disk. `load_kernel` keys a module by its text;
`cached_kernel` keys it by a specification (the field after common-
subexpression elimination, the schedule, the region, the predicate), so a
cached kernel loads without generating its text again, and a changed
field or schedule gives a new key, hence a new kernel.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
from pathlib import Path
from typing import Callable

#: Bumped whenever the generated code's form changes (old files are ignored).
FORMAT = "eqselect-fused-kernel-5"

_LOADED: dict = {}


def cache_dir() -> Path:
    """Where generated kernels and their compiled code live."""
    if os.environ.get("EQSELECT_CACHE_DIR"):
        return Path(os.environ["EQSELECT_CACHE_DIR"]) / "kernels"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "eqselect" / "kernels"


def digest(text: str) -> str:
    """The key of a text: the first 24 hex digits of its SHA-256."""
    return hashlib.sha256(text.encode()).hexdigest()[:24]


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
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # an unwritable cache: compile in a private folder instead
        folder = Path(tempfile.mkdtemp(prefix="eqselect-kernels-"))
    path = folder / f"k_{key}.py"
    if not path.exists():
        made = make_source()
        text, side = (made, {}) if isinstance(made, str) else made
        for suffix, blob in side.items():
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(blob)
            os.replace(tmp, path.with_suffix(suffix))
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text)
        os.replace(tmp, path)
    name = f"eqselect_kernel_{key}"
    spec_ = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec_)
    sys.modules[name] = module
    spec_.loader.exec_module(module)
    module.key = key
    _LOADED[key] = module
    return module
