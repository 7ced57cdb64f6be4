"""The resumable on-disk store of a sweep: a manifest, shards of cells and their index.

Layout of the output folder (docs/sweep.md, "The output folder"):

- ``manifest.json``: the argument hash (`SweepSpec.digest`), the spec, the
  number of cells and chunks; written first, checked on every restart;
- ``chunks/chunk-NNNNNN.json``: the cells of one finished chunk, in order,
  with the chunk's number, its cell count and the sha256 of its cells' text;
- ``index.jsonl``: one line per stored chunk, appended once its file is in
  place: ``{"bytes", "chunk", "n_cells", "sha256"}``;
- ``cells.json``: the whole atlas, streamed from the chunks once every one is there.

Nothing on disk is trusted. A chunk counts as done only when the index has a
line for it whose count is the chunk's, the file is a regular file (not a
link, a device or a folder) of the recorded size, and its cells' text has the
recorded sha256 (which the file repeats): a damaged, truncated, tampered or
linked chunk is removed and computed again, with a note. A kill between a
chunk's rename and its index line leaves a chunk that is computed again.

Every file is written through a temporary sibling and a rename, so a killed
sweep leaves whole files or none; files hold no timestamps, so a resumed
sweep writes the same bytes as an uninterrupted one. One process writes into
a folder at a time: `SweepStore.open` takes an exclusive lock (``.lock``,
removed when the sweep ends) and a second sweep into the folder is refused.
A full or read-only disk is a `StoreWriteError` (one line): the temporary
file is removed and what was stored before stays whole.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
from pathlib import Path

from eqselect.theory.errors import OptionsError
from eqselect.theory.serialize import SCHEMA_VERSION

from eqselect.studies.sweep.files import (
    CHUNK_HEAD, StoreWriteError, cell_text, chunk_body_text, chunk_tail, dumps, file_kind,
    open_temporary, unlink_quietly, write_atomic)
from eqselect.studies.sweep.grid import SweepSpec
from eqselect.studies.sweep.lock import LOCK, FolderLock

MANIFEST = "manifest.json"
CHUNKS = "chunks"
INDEX = "index.jsonl"
CELLS = "cells.json"
#: The prefix of the folder the heat maps are drawn in before they are moved into place.
MAPS_STAGE = ".maps-"
#: Largest manifest read (a spec with two 10^6-value axes is about 30 MB).
MAX_MANIFEST_BYTES = 64 << 20
#: Notes about damaged chunks listed one by one; the rest are counted.
MAX_DAMAGE_NOTES = 5

__all__ = ["CELLS", "CHUNKS", "INDEX", "LOCK", "MANIFEST", "MAPS_STAGE", "StoreWriteError",
           "SweepStore", "cell_text", "chunk_tail", "dumps", "write_atomic"]


class SweepStore:
    """A sweep's output folder.

    Parameters
    ----------
    out : path
    spec : SweepSpec

    Raises
    ------
    OptionsError
        When ``out`` is not a folder (a file, a link), holds a file of the
        store as a folder, link or device, holds a sweep made with other
        arguments, or is not empty and holds no sweep. Nothing is written.
    """

    def __init__(self, out, spec: SweepSpec):
        self.out, self.spec = Path(out), spec
        self.notes: list[str] = []
        self._lock = None
        self._created = self._fresh = False
        self._stored = 0
        self._index: dict[int, dict] = {}
        self._check_layout()
        self._check_manifest()

    # -- checks before anything is written --------------------------------------
    def _check_layout(self) -> None:
        kind = file_kind(self.out)
        if kind not in ("missing", "dir"):
            raise OptionsError(f"--out {str(self.out)!r} exists and is not a folder "
                               f"(a file or a link); choose a folder")
        for name, want in ((MANIFEST, "file"), (INDEX, "file"), (CELLS, "file"),
                           (CHUNKS, "dir"), (LOCK, "file")):
            found = file_kind(self.out / name)
            if found not in ("missing", want):
                what = {"dir": "a folder", "file": "a file"}.get(found, "a link or special file")
                raise OptionsError(f"--out {str(self.out)!r}: {name} is {what}, where the "
                                   f"sweep keeps {'its chunks' if want == 'dir' else 'a file'}; "
                                   f"remove it or choose another folder")

    def _read_manifest(self):
        path = self.out / MANIFEST
        try:
            if os.lstat(path).st_size > MAX_MANIFEST_BYTES:
                raise ValueError
            return json.loads(path.read_text(encoding="utf-8")).get("arguments_sha256")
        except (OSError, ValueError, AttributeError, RecursionError):
            raise OptionsError(f"{path} is not a readable sweep manifest; remove the folder "
                               f"or choose another") from None

    def _check_manifest(self) -> None:
        if file_kind(self.out / MANIFEST) == "missing":
            if self.out.is_dir() and any(p.name != LOCK and not p.name.startswith(f".{MANIFEST}.")
                                         for p in self.out.iterdir()):
                raise OptionsError(f"--out {str(self.out)!r} is not empty and holds no sweep "
                                   f"manifest; choose an empty or new folder")
            return
        old = self._read_manifest()
        if old != self.spec.digest():
            raise OptionsError(
                f"--out {str(self.out)!r} holds a sweep with other arguments (hash "
                f"{str(old)[:12]}, these are {self.spec.digest()[:12]}); use another folder "
                f"or rerun with the same arguments to resume")

    # -- the writer's lock --------------------------------------------------------
    def open(self) -> None:
        """Lock the folder for this process, then create the manifest (idempotent).

        Raises
        ------
        OptionsError
            Another sweep is writing into the folder, or it cannot be created.
        StoreWriteError
            The manifest cannot be written.
        """
        try:
            os.mkdir(self.out)
            self._created = True
        except FileExistsError:
            pass
        except OSError as exc:
            raise OptionsError(f"cannot create --out {str(self.out)!r}: "
                               f"{exc.strerror or exc}") from None
        self._lock = FolderLock(self.out)
        try:
            self._check_layout()
            self._check_manifest()  # again, now that no other writer can change it
            if file_kind(self.out / MANIFEST) == "missing":  # first, so a kill leaves a sweep
                write_atomic(self.out / MANIFEST, dumps(self._manifest()))
                self._fresh = True
            try:
                (self.out / CHUNKS).mkdir(exist_ok=True)
            except OSError as exc:
                raise StoreWriteError(exc.errno, f"cannot create {self.out / CHUNKS}: "
                                                 f"{exc.strerror or exc}") from None
            self._remove_temporaries()
            self._index = self._valid_index()
        except BaseException:
            self.close(discard=True)
            raise

    def _remove_temporaries(self) -> None:
        """Remove what a killed sweep left half-written in the folder: temporary
        siblings of the manifest and of cells.json (``.NAME.RANDOM``, as large as the
        atlas) and the staging folders of the heat maps (``.maps-*``). Only this
        sweep's writers make such names, and the lock is held: none is in use."""
        for p in self.out.iterdir():
            name = p.name
            if name.startswith((f".{MANIFEST}.", f".{CELLS}.")) and file_kind(p) != "dir":
                unlink_quietly(p)
            elif name.startswith(MAPS_STAGE) and file_kind(p) == "dir":
                for q in p.iterdir():
                    if file_kind(q) != "dir":
                        unlink_quietly(q)
                try:
                    p.rmdir()
                except OSError:
                    pass

    def close(self, discard: bool = False) -> None:
        """Release the lock. With ``discard``, a sweep that created the folder or
        began its store (wrote its manifest) and stored no chunk removes what it
        wrote, and the folder too when it created it: a sweep that failed before
        its first chunk leaves the folder as it found it."""
        if self._lock is None or not self._lock.held:
            return
        undo = discard and (self._fresh or self._created) and self._stored == 0
        if undo:
            for name in (MANIFEST, INDEX):
                unlink_quietly(self.out / name)
            try:
                (self.out / CHUNKS).rmdir()
            except OSError:
                pass
        self._lock.release()
        if undo and self._created:
            try:
                self.out.rmdir()
            except OSError:
                pass

    def _manifest(self) -> dict:
        return {"schema_version": SCHEMA_VERSION, "kind": "sweep-manifest",
                "arguments_sha256": self.spec.digest(), "n_cells": self.spec.n_cells,
                "n_chunks": self.spec.n_chunks, "spec": self.spec}

    # -- the index and the validation of chunks -----------------------------------
    def _index_lines(self) -> list[str]:
        path = self.out / INDEX
        kind = file_kind(path)
        if kind == "missing":
            return []
        limit = 256 * (self.spec.n_chunks + 64)  # a line is under 200 bytes; recomputes append
        if kind != "file" or os.lstat(path).st_size > 4 * limit:
            raise OptionsError(f"{path} is not a sweep index (a link, a device or too large); "
                               f"remove it to recompute every chunk")
        with open(path, "rb") as fh:
            data = fh.read()
        return data.decode("utf-8", errors="replace").split("\n")

    def _valid_index(self) -> dict[int, dict]:
        """{chunk: index entry} of the chunks whose files are whole; the others removed."""
        entries, bad_lines = {}, 0
        for line in self._index_lines():
            if not line.strip():
                continue
            try:
                e = json.loads(line)
                k, n = int(e["chunk"]), int(e["n_cells"])
                ok = (0 <= k < self.spec.n_chunks and n == len(self.spec.chunk(k))
                      and isinstance(e["sha256"], str) and int(e["bytes"]) > 0)
            except (ValueError, KeyError, TypeError, OverflowError):
                ok = False
            if ok:
                entries[k] = e
            else:
                bad_lines += 1
        if bad_lines:
            self.notes.append(f"{bad_lines} unreadable line(s) of {INDEX} ignored")
        valid, damaged = {}, []
        for k, e in sorted(entries.items()):
            why = self._damage(k, e)
            if why is None:
                valid[k] = e
            else:
                damaged.append((k, why))
        for k in self._stray_chunks(set(valid) | {k for k, _ in damaged}):
            damaged.append((k, "not in the index"))
        for k, why in sorted(damaged):
            self._remove_chunk(k)
        self._note_damage(sorted(damaged))
        return valid

    def _damage(self, k: int, entry: dict) -> str | None:
        """Why chunk ``k``'s file does not match its index entry (None: it does)."""
        return self._checked_body(k, entry)[1]

    def _checked_body(self, k: int, entry: dict) -> tuple[bytes | None, str | None]:
        """(the text of chunk ``k``'s cells, None) when its file matches its index
        entry, else (None, why not). A link or special file is never opened."""
        path = self.chunk_path(k)
        kind = file_kind(path)
        if kind != "file":
            return None, "missing" if kind == "missing" else "not a regular file"
        if os.lstat(path).st_size != int(entry["bytes"]):
            return None, "wrong size"
        data = path.read_bytes()
        head, tail = CHUNK_HEAD.encode(), chunk_tail(k, entry["n_cells"], entry["sha256"]).encode()
        if len(data) != int(entry["bytes"]) or not (data.startswith(head) and data.endswith(tail)):
            return None, "not a chunk of this sweep"
        body = data[len(head):len(data) - len(tail)]
        if hashlib.sha256(body).hexdigest() != entry["sha256"]:
            return None, "checksum mismatch"
        return body, None

    def _stray_chunks(self, valid: set) -> list[int]:
        """Chunk files the index does not vouch for (numbers in range only)."""
        out = []
        for p in (self.out / CHUNKS).iterdir():
            name = p.name
            if name.startswith("chunk-") and name.endswith(".json") and name[6:-5].isdigit():
                k = int(name[6:-5])
                if k not in valid and 0 <= k < self.spec.n_chunks and p.name == \
                        self.chunk_path(k).name:
                    out.append(k)
            elif name.startswith(".chunk-"):  # a temporary file of a killed write
                unlink_quietly(p)
        return out

    def _remove_chunk(self, k: int) -> None:
        path = self.chunk_path(k)
        if file_kind(path) == "missing":
            return
        try:
            os.unlink(path)  # a link is removed, never followed
        except OSError as exc:
            raise OptionsError(f"{path} is damaged and cannot be removed "
                               f"({exc.strerror or exc}); remove it by hand") from None

    def _note_damage(self, damaged: list) -> None:
        shown = [(k, why) for k, why in damaged if why != "missing"]
        for k, why in shown[:MAX_DAMAGE_NOTES]:
            self.notes.append(f"chunk {k} was not whole ({why}) and is computed again")
        if len(shown) > MAX_DAMAGE_NOTES:
            self.notes.append(f"{len(shown) - MAX_DAMAGE_NOTES} more damaged chunk(s) are "
                              f"computed again")

    @property
    def _opened(self) -> bool:
        return self._lock is not None and self._lock.held

    # -- reading and writing chunks ------------------------------------------------
    def chunk_path(self, k: int) -> Path:
        """Where chunk ``k`` is stored."""
        return self.out / CHUNKS / f"chunk-{k:06d}.json"

    def done(self) -> set[int]:
        """Indices of the chunks stored whole (checked when the store was opened)."""
        if not self._opened:  # not opened: a look from outside, nothing removed
            return set(self._peek_index())
        return set(self._index)

    def _read_index(self) -> dict:
        """{chunk: last index entry}, parsed but not checked against the files."""
        if file_kind(self.out / CHUNKS) != "dir":
            return {}
        out = {}
        try:
            lines = self._index_lines()
        except OptionsError:
            return {}
        for line in lines:
            try:
                e = json.loads(line)
                k, n = int(e["chunk"]), int(e["n_cells"])
                if 0 <= k < self.spec.n_chunks and n == len(self.spec.chunk(k)):
                    out[k] = e
            except (ValueError, KeyError, TypeError, OverflowError):
                continue
        return out

    def indexed(self) -> set[int]:
        """Chunks the index lists (its word, not checked against the files): a cheap
        look, for progress and for whether work is left."""
        return set(self._index) if self._opened else set(self._read_index())

    def _peek_index(self) -> dict:
        return {k: e for k, e in self._read_index().items() if self._damage(k, e) is None}

    def missing(self) -> list[int]:
        """Indices of the chunks still to compute, in order."""
        done = self.done()
        return [k for k in range(self.spec.n_chunks) if k not in done]

    def write_chunk(self, k: int, cells: list) -> None:
        """Store the cells of chunk ``k`` (see `write_chunk_text`)."""
        self.write_chunk_text(k, *chunk_body_text(cells))

    def write_chunk_text(self, k: int, indices: tuple, body: str) -> None:
        """Store chunk ``k`` from its cells' text (`chunk_body_text`): checked by
        count and cell numbers, written atomically, then entered in the index.

        Raises
        ------
        ValueError
            Cells that are not chunk ``k``'s.
        StoreWriteError
            The disk refused the write.
        """
        expected = self.spec.chunk(k)
        if tuple(indices) != tuple(expected):
            raise ValueError(f"chunk {k} needs cells {expected[0]}..{expected[-1]}, got "
                             f"{len(indices)} cells numbered otherwise")
        data = body.encode()
        digest = hashlib.sha256(data).hexdigest()
        text = CHUNK_HEAD.encode() + data + chunk_tail(k, len(indices), digest).encode()
        write_atomic(self.chunk_path(k), text, sync=False)
        entry = {"bytes": len(text), "chunk": k, "n_cells": len(indices), "sha256": digest}
        line = json.dumps(entry, sort_keys=True) + "\n"
        try:
            with open(self.out / INDEX, "a", encoding="utf-8") as fh:
                fh.write(line)
        except OSError as exc:
            raise StoreWriteError(exc.errno or errno.EIO, f"cannot write {self.out / INDEX}: "
                                                          f"{exc.strerror or exc}") from None
        self._index[k] = entry
        self._stored += 1

    def chunk_body(self, k: int) -> bytes:
        """The text of chunk ``k``'s cells, checked against its index entry.

        Raises
        ------
        OptionsError
            The chunk changed on disk since it was stored or checked.
        """
        if not self._index and not self._opened:  # a finished store, read from outside
            self._index = self._read_index()
        entry = self._index.get(k)
        body = None if entry is None else self._checked_body(k, entry)[0]
        if body is None:
            raise OptionsError(f"chunk {k} of {self.out} changed on disk while the sweep ran; "
                               f"rerun the same command to compute it again")
        return body

    def chunk_cells(self, k: int) -> list:
        """The cells of chunk ``k`` as JSON data (checked, see `chunk_body`)."""
        return json.loads(b"[\n" + self.chunk_body(k) + b"\n]")

    def iter_cells(self):
        """Every cell, in order, read one chunk at a time."""
        for k in range(self.spec.n_chunks):
            yield from self.chunk_cells(k)

    def read_cells(self) -> list:
        """Every cell, in order, from the chunk files (all must be present)."""
        return list(self.iter_cells())

    def write_cells_json(self, head: dict) -> None:
        """Write cells.json: ``head`` (the document without its cells) with every
        chunk's cells streamed in order, through a temporary file and a rename.

        The bytes are those of ``dumps`` of the whole document; no more than one
        chunk is held in memory.
        """
        text = dumps({**head, "cells": []})
        mark = '\n "cells": [],\n'
        at = text.index(mark)
        path = self.out / CELLS
        tmp = None
        try:
            fd, tmp = open_temporary(path)
            with os.fdopen(fd, "wb") as fh:
                fh.write(text[:at].encode() + b'\n "cells": [\n')
                for k in range(self.spec.n_chunks):
                    fh.write(self.chunk_body(k))
                    fh.write(b",\n" if k + 1 < self.spec.n_chunks else b"\n ],\n")
                fh.write(text[at + len(mark):].encode())
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            unlink_quietly(tmp)
            raise StoreWriteError(exc.errno, f"cannot write {path}: "
                                             f"{exc.strerror or exc}") from None
        except BaseException:
            unlink_quietly(tmp)
            raise
