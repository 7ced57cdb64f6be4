"""Output folders and files that are replaced whole or not at all.

A report or replay folder is written into a staging folder beside the target
and swapped in only when everything succeeded: the old folder is renamed
aside, the new one renamed in, the old one removed. Every check that can be
made before the work (a parent that is a file, a folder that cannot be
written, a name too long, a target that is not an earlier eqselect output) is
made when the `StagedFolder` is created, so bad paths fail before any
computation. Staging and set-aside folders left by a killed run are removed
(or, for a set-aside folder whose target vanished, restored) on the next run.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from eqselect.theory.errors import OptionsError

_STAGE = ".eqselect-stage"
_OLD = ".eqselect-old"
_LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?P<kind>eqselect-stage|eqselect-old)-(?P<pid>\d+)-\w+")


def _existing_ancestor(path: Path) -> Path:
    for parent in [path, *path.parents]:
        try:
            if parent.exists() or parent.is_symlink():
                return parent
        except OSError:  # a component too long: look further up
            continue
    return Path(".")


def check_writable_path(path: Path, option: str) -> None:
    """Refuse ``path`` (a file or folder to be created) with one clear line if
    it cannot be written: under a file, in a read-only folder, name too long."""
    text = str(path)
    if "\x00" in text or not text.strip():
        raise OptionsError(f"{option} {text[:60]!r} is not a usable file name")
    try:
        text.encode(sys.getfilesystemencoding())
    except UnicodeEncodeError:
        raise OptionsError(f"{option} {text[:60]!r} cannot be encoded as a file name") from None
    path = Path(path)
    try:
        limit = os.pathconf(_existing_ancestor(path), "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255
    for part in path.parts:
        if len(part.encode()) + 40 > limit:  # room for the staging suffix
            raise OptionsError(f"{option}: the name {part[:40]!r}... is too long "
                               f"(at most {limit - 40} bytes)")
    base = _existing_ancestor(path.parent if str(path.parent) else Path("."))
    if not base.is_dir():
        raise OptionsError(f"{option} {str(path)!r} is under {str(base)!r}, which is not a folder")
    if not os.access(base, os.W_OK | os.X_OK):
        raise OptionsError(f"{option} {str(path)!r}: folder {str(base)!r} is not writable")


def check_plot_path(path, option: str = "--plot") -> None:
    """Validate a PNG output path before any computation."""
    if path is None:
        return
    p = Path(path)
    if p.suffix.lower() != ".png":
        raise OptionsError(f"{option} writes PNG files; got {str(path)[:80]!r}")
    check_writable_path(p, option)
    if p.is_dir():
        raise OptionsError(f"{option} {str(path)!r} is a folder; give a file name")
    if not p.parent.is_dir():
        raise OptionsError(f"{option}: folder {str(p.parent)!r} does not exist")


@contextmanager
def replaced_file(path):
    """Yield a temporary path beside ``path``; move it onto ``path`` on success."""
    p = Path(path)
    tmp = p.with_name(f".{p.stem}.eqselect-tmp-{os.getpid()}{p.suffix}")
    try:
        yield tmp
        os.replace(tmp, p)
    except OSError as exc:
        raise OptionsError(f"cannot write {str(p)!r}: {exc.strerror or exc}") from None
    finally:
        if tmp.exists():
            tmp.unlink()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(out: Path) -> None:
    """Remove staging folders of ``out`` left by dead runs; put back a folder
    set aside by a run killed between its two renames."""
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        return
    for entry in parent.iterdir():
        m = _LEFTOVER.fullmatch(entry.name)
        if not m or m["name"] != out.name or _alive(int(m["pid"])):
            continue
        if m["kind"] == "eqselect-old" and not out.exists():
            os.rename(entry, out)
        else:
            shutil.rmtree(entry, ignore_errors=True)


class StagedFolder:
    """A folder ``out`` that a run replaces whole (see the module docstring).

    Parameters
    ----------
    out : path
    marker : str
        The file an eqselect output of this kind holds (``report.json``); an
        existing non-empty folder without it is refused, never replaced.
    option : str
        The option that named the folder, for messages.
    """

    def __init__(self, out, marker: str, option: str = "--out"):
        self.out, self.marker, self.option = Path(out), marker, option
        check_writable_path(self.out, option)
        if self.out.exists() and not self.out.is_dir():
            raise OptionsError(f"{option} {str(out)!r} exists and is not a directory")
        if self.out.is_dir() and any(self.out.iterdir()) and not (self.out / marker).exists():
            raise OptionsError(f"{option} {str(out)!r} is a folder without {marker}: it is not "
                               "an earlier eqselect output, so it is not replaced")
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            clean_leftovers(self.out)
            self.stage = Path(tempfile.mkdtemp(
                prefix=f".{self.out.name}.{_STAGE[1:]}-{os.getpid()}-", dir=self.out.parent))
        except OSError as exc:
            raise OptionsError(f"{option} {str(out)!r}: {exc.strerror or exc}") from None

    def commit(self) -> None:
        """Swap the staged folder in: rename the old aside, the new in, drop the old."""
        old = self.out.with_name(f".{self.out.name}.{_OLD[1:]}-{os.getpid()}-0")
        blocked = {signal.SIGINT, signal.SIGTERM}
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
        try:
            if self.out.exists():
                os.rename(self.out, old)
            try:
                os.rename(self.stage, self.out)
            except OSError:
                if old.exists():
                    os.rename(old, self.out)
                raise
        except OSError as exc:
            raise OptionsError(f"{self.option} {str(self.out)!r}: {exc.strerror or exc}") from None
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        """Remove the staging folder (the previous output stays as it was)."""
        shutil.rmtree(self.stage, ignore_errors=True)

    def __enter__(self) -> Path:
        return self.stage

    def __exit__(self, kind, exc, tb):
        try:
            if kind is None:
                self.commit()
        finally:
            self.discard()
        return False
