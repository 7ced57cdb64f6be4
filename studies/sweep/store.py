"""The resumable on-disk store of a sweep: a manifest and one file per chunk.

Layout of the output folder (docs/sweep.md):

- ``manifest.json``: the argument hash (`SweepSpec.digest`), the spec, the
  number of cells and chunks; written first, checked on every restart;
- ``chunks/chunk-NNNNNN.json``: the cells of one finished chunk, in order;
- ``cells.json``: the whole atlas, written once every chunk is there.

Every file is written atomically (a temporary file in the same folder, then
``os.replace``), so a killed sweep leaves whole chunk files or none, and a
restart with the same arguments computes only the chunks that are missing.
Files hold no timestamps, so a resumed sweep writes the same bytes as an
uninterrupted one.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from eqselect.theory.errors import OptionsError
from eqselect.theory.serialize import SCHEMA_VERSION, jsonable

from eqselect.studies.sweep.grid import SweepSpec

MANIFEST = "manifest.json"
CHUNKS = "chunks"


def dumps(doc) -> str:
    """The one JSON text form of the store (sorted keys, fixed separators)."""
    return json.dumps(jsonable(doc), sort_keys=True, indent=1) + "\n"


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary sibling and a rename."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class SweepStore:
    """A sweep's output folder.

    Parameters
    ----------
    out : path
    spec : SweepSpec

    Raises
    ------
    OptionsError
        When ``out`` is a file, cannot be created, or holds a sweep made
        with other arguments.
    """

    def __init__(self, out, spec: SweepSpec):
        self.out, self.spec = Path(out), spec
        if self.out.exists() and not self.out.is_dir():
            raise OptionsError(f"--out {str(self.out)!r} exists and is not a directory")
        self._check_manifest()

    def _manifest(self) -> dict:
        return {"schema_version": SCHEMA_VERSION, "kind": "sweep-manifest",
                "arguments_sha256": self.spec.digest(), "n_cells": self.spec.n_cells,
                "n_chunks": self.spec.n_chunks, "spec": self.spec}

    def _check_manifest(self) -> None:
        path = self.out / MANIFEST
        if not path.exists():
            if self.out.exists() and any(self.out.iterdir()):
                raise OptionsError(f"--out {str(self.out)!r} is not empty and holds no sweep "
                                   f"manifest; choose an empty or new folder")
            return
        try:
            old = json.loads(path.read_text(encoding="utf-8")).get("arguments_sha256")
        except (OSError, ValueError, AttributeError):
            raise OptionsError(f"{path} is not a readable sweep manifest") from None
        if old != self.spec.digest():
            raise OptionsError(
                f"--out {str(self.out)!r} holds a sweep with other arguments (hash "
                f"{str(old)[:12]}, these are {self.spec.digest()[:12]}); use another folder "
                f"or rerun with the same arguments to resume")

    def open(self) -> None:
        """Create the folder and the manifest (idempotent)."""
        try:
            (self.out / CHUNKS).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OptionsError(f"cannot create --out {str(self.out)!r}: {exc.strerror}") from None
        if not (self.out / MANIFEST).exists():
            write_atomic(self.out / MANIFEST, dumps(self._manifest()))

    def chunk_path(self, k: int) -> Path:
        """Where chunk ``k`` is stored."""
        return self.out / CHUNKS / f"chunk-{k:06d}.json"

    def done(self) -> set[int]:
        """Indices of the chunks already on disk."""
        return {k for k in range(self.spec.n_chunks) if self.chunk_path(k).exists()}

    def missing(self) -> list[int]:
        """Indices of the chunks still to compute, in order."""
        done = self.done()
        return [k for k in range(self.spec.n_chunks) if k not in done]

    def write_chunk(self, k: int, cells: list) -> None:
        """Store the cells of chunk ``k`` (atomically)."""
        expected = len(self.spec.chunk(k))
        if len(cells) != expected:
            raise ValueError(f"chunk {k} needs {expected} cells, got {len(cells)}")
        write_atomic(self.chunk_path(k), dumps({"chunk": k, "cells": cells}))

    def read_cells(self) -> list:
        """Every cell, in order, from the chunk files (all must be present)."""
        cells = []
        for k in range(self.spec.n_chunks):
            doc = json.loads(self.chunk_path(k).read_text(encoding="utf-8"))
            cells.extend(doc["cells"])
        return cells
