"""Files of a sweep store: written atomically, read without following links.

`write_atomic` writes through a temporary sibling and a rename, so a killed
process leaves the old file or the new one, never a part; a full, read-only
or vanished disk is a `StoreWriteError` with one line, and the temporary file
is removed. `dumps` is the one JSON text form of the store, `cell_text` and
`chunk_tail` the pieces of a chunk file (so a chunk's cells can be checked and
copied into cells.json as bytes, without parsing), `file_kind` says what a
path is without following a link.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from pathlib import Path

from eqselect.theory.serialize import jsonable

#: The text before a chunk's cells (a chunk file is ``dumps`` of its record).
CHUNK_HEAD = '{\n "cells": [\n'


class StoreWriteError(OSError):
    """The store could not be written (a full disk, a read-only or vanished folder).

    Raised with one line naming the file; the command exits with status 1.
    """


def dumps(doc) -> str:
    """The one JSON text form of the store (sorted keys, fixed separators)."""
    return json.dumps(jsonable(doc), sort_keys=True, indent=1) + "\n"


def cell_text(cell: dict) -> str:
    """One cell as it appears in a chunk file and in cells.json (two levels deep)."""
    return "  " + json.dumps(jsonable(cell), sort_keys=True, indent=1).replace("\n", "\n  ")


def chunk_body_text(cells: list) -> tuple[tuple, str]:
    """(the cells' ``index`` values, their text in a chunk file): what a worker
    sends back, so that the client only checks, hashes and writes bytes."""
    return tuple(c.get("index") for c in cells), ",\n".join(cell_text(c) for c in cells)


def chunk_tail(k: int, n_cells: int, digest: str) -> str:
    """The text after a chunk's cells: its number, cell count and checksum."""
    return f'\n ],\n "chunk": {k},\n "n_cells": {n_cells},\n "sha256": "{digest}"\n}}\n'


def open_temporary(path: Path) -> tuple[int, str]:
    """A new, empty sibling ``.NAME.RANDOM`` of ``path``, opened for writing: (fd, its path).

    Created with mode 0666 so that the system applies the umask, as for any file
    the user creates: the store's files are as readable as the heat maps beside
    them (``tempfile.mkstemp`` would make them 0600, private to their owner).
    """
    path = Path(path)
    for _ in range(100):
        tmp = str(path.parent / f".{path.name}.{secrets.token_hex(6)}")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def write_atomic(path: Path, text, sync: bool = True) -> None:
    """Write ``text`` (str or bytes) to ``path`` through a temporary sibling and a rename.

    Raises
    ------
    StoreWriteError
        The disk is full, read-only or not writable: the temporary file is
        removed and ``path`` keeps its previous content.
    """
    path = Path(path)
    tmp = None
    try:
        fd, tmp = open_temporary(path)
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode() if isinstance(text, str) else text)
            fh.flush()
            if sync:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        unlink_quietly(tmp)
        raise StoreWriteError(exc.errno, f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        unlink_quietly(tmp)
        raise


def unlink_quietly(path) -> None:
    if path is not None:
        try:
            os.unlink(path)
        except OSError:
            pass


def file_kind(path: Path) -> str:
    """"missing", "file", "dir" or "other" (a link, device, fifo, socket), links not followed."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "other"
    return "file" if stat.S_ISREG(mode) else "dir" if stat.S_ISDIR(mode) else "other"
