"""One writer per sweep folder: an exclusive, non-blocking lock on ``.lock``.

``flock`` on a file in the folder: released by the kernel when the process
ends, however it ends, so a killed sweep never leaves a stale lock. The lock
file is removed when the sweep ends; a process that opened it just before
holds a lock on a removed file, so after locking, the file at the path must
still be the one locked (same inode), else the lock is taken again.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from eqselect.theory.errors import OptionsError

LOCK = ".lock"


class FolderLock:
    """The lock of one output folder, held by this process.

    Raises
    ------
    OptionsError
        Another process holds it (one line), or it cannot be created.
    """

    def __init__(self, folder):
        self.path = Path(folder) / LOCK
        self._fd = None
        for _ in range(3):
            fd = self._open_and_lock()
            try:  # the lock file of a sweep that just ended may have been removed meanwhile
                same = os.stat(self.path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self._fd = fd
                return
            os.close(fd)
        raise OptionsError(f"cannot lock {self.path.parent}: its lock keeps changing")

    def _open_and_lock(self) -> int:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            raise OptionsError(f"cannot lock --out {str(self.path.parent)!r}: "
                               f"{exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise OptionsError(f"--out {str(self.path.parent)!r} is being written by another "
                               f"eqselect sweep; wait for it to finish or choose another "
                               f"folder") from None
        return fd

    @property
    def held(self) -> bool:
        """Whether this process still holds the lock."""
        return self._fd is not None

    def release(self) -> None:
        """Remove the lock file and release the lock (idempotent)."""
        if self._fd is None:
            return
        try:
            os.unlink(self.path)
        except OSError:
            pass
        os.close(self._fd)
        self._fd = None
