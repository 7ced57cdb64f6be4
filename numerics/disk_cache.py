"""The disk cache of compiled artefacts: where it lives, and entries checked on load.

Compiled fields (`eqselect.numerics.codegen`) and basin kernels
(`eqselect.numerics.dynamics.kernels.cache`) are kept between processes
under one folder: ``$EQSELECT_CACHE_DIR`` when set, else
``$XDG_CACHE_HOME/eqselect``, else ``~/.cache/eqselect``; each kind in its
own sub-folder. An entry is keyed by a hash of what it was built from (the
symbolic form after common-subexpression elimination, the eqselect and
symengine versions), so a changed field or a new release never finds a stale
entry.

The cache is an optimisation and never a failure:

- an entry is framed by a header holding the SHA-256 of its payload
  (`frame`); `unframe` returns None for a missing, truncated or damaged
  entry, which the caller then builds again and rewrites;
- entries are written to a temporary file and renamed into place, so a
  reader never sees half an entry, even with several processes at once;
- an unwritable folder (read-only home, full disk) is skipped: `store`
  returns False and the caller keeps what it built in memory, with no
  traceback and no warning on the command line.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

#: The first bytes of a framed entry (a new framing gets a new tag).
MAGIC = b"eqselect-cache-1 "


def cache_root() -> Path:
    """The cache folder (see the module docstring)."""
    if os.environ.get("EQSELECT_CACHE_DIR"):
        return Path(os.environ["EQSELECT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "eqselect"


def digest(text: str | bytes) -> str:
    """The key of a text: the first 24 hex digits of its SHA-256."""
    data = text.encode() if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()[:24]


def frame(payload: bytes) -> bytes:
    """``payload`` behind a header with its SHA-256 (what `unframe` checks).

    Examples
    --------
    >>> unframe(frame(b"abc")), unframe(frame(b"abc")[:-1]), unframe(b"junk")
    (b'abc', None, None)
    """
    return MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload


def unframe(blob: bytes) -> bytes | None:
    """The payload of a framed entry, or None when the entry is not intact."""
    if not blob.startswith(MAGIC):
        return None
    head, sep, payload = blob[len(MAGIC):].partition(b"\n")
    if not sep or hashlib.sha256(payload).hexdigest().encode() != head:
        return None
    return payload


def load(path: Path) -> bytes | None:
    """The checked payload at ``path``; None when absent, unreadable or damaged."""
    try:
        return unframe(path.read_bytes())
    except OSError:
        return None


def store(path: Path, payload: bytes) -> bool:
    """Write ``payload`` framed at ``path`` atomically; False when the folder is
    not writable (nothing is raised)."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(frame(payload))
        os.replace(tmp, path)
        return True
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass
        return False


__all__ = ["MAGIC", "cache_root", "digest", "frame", "load", "store", "unframe"]
