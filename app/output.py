"""Output folders and files that are replaced whole or not at all.

A report or replay folder is written into a staging folder beside the target
and swapped in only when everything succeeded: the old folder is renamed
aside, the new one renamed in, the old one removed. Every check that can be
made before the work (a parent that is a file, a folder that cannot be
written, a name too long, a target that is not an earlier eqselect output) is
made when the `StagedFolder` is created, so bad paths fail before any
computation. Staging and set-aside folders left by a killed run are removed
(or, for a set-aside folder whose target vanished, restored) on the next run.

A file system that refuses a write while an output is written (full disk,
read-only, no permission, a name too long: `WRITE_ERRORS`) ends the command
with one line and status 1 (`OutputError`): what was staged is removed and
the previous output is left whole. An empty ``--out``, a symbolic link, or
a folder whose marker file is not a regular file is refused before any work.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from eqselect.theory.errors import OptionsError, OutputError

_STAGE = ".eqselect-stage"
_OLD = ".eqselect-old"
#: The errors of a file system that refuses a write, each ended with one line.
WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM,
                          errno.ENAMETOOLONG, errno.EFBIG, errno.EIO})


def write_failed(path, exc: OSError) -> OutputError:
    """The one-line `OutputError` for ``exc`` raised while ``path`` was written."""
    reason = exc.strerror or type(exc).__name__
    return OutputError(f"cannot write {str(path)[:200]!r}: {reason} "
                       f"({errno.errorcode.get(exc.errno, exc.errno)}); the previous output "
                       "is left as it was")


def os_error_line(exc: OSError) -> str:
    """One line for a file system error: what failed, on which file, and its code."""
    name = f" {str(exc.filename)[:120]!r}" if exc.filename is not None else ""
    code = errno.errorcode.get(exc.errno, "")
    return f"{exc.strerror or exc}{':' + name if name else ''}" + (f" ({code})" if code else "")


#: File system errors that name a bad input path (exit status 2, as any bad input).
_BAD_PATH = frozenset({errno.ENAMETOOLONG, errno.ENOENT, errno.ENOTDIR, errno.EISDIR,
                       errno.ELOOP})


def os_error_status(exc: OSError) -> int:
    """2 for a path that cannot name an input (too long, missing, a loop), else 1."""
    return 2 if exc.errno in _BAD_PATH else 1


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
        raise write_failed(p, exc) from None
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # the folder itself went away or became read-only
            pass


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
        if not str(out).strip() or Path(out).name in ("", ".", ".."):
            raise OptionsError(f"{option} {str(out)[:60]!r} names no folder of its own; give "
                               "a folder name such as report-out")
        self.out, self.marker, self.option = Path(out), marker, option
        check_writable_path(self.out, option)
        _refuse_odd_target(self.out, marker, option)
        #: Folders above ``out`` that this run creates, deepest first: removed
        #: again (when still empty) if the run ends without committing.
        self.created = _missing_folders(self.out.parent)
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            clean_leftovers(self.out)
            self.stage = Path(tempfile.mkdtemp(
                prefix=f".{self.out.name}.{_STAGE[1:]}-{os.getpid()}-", dir=self.out.parent))
            # mkdtemp makes the folder private (0o700); the output it becomes
            # gets the mode ``mkdir`` would give it, as every file in it does
            from eqselect.theory.io.write import created_mode

            os.chmod(self.stage, created_mode(0o777))
        except OSError as exc:  # a full or read-only disk is status 1, a bad path 2
            if os_error_status(exc) == 1 and exc.errno in WRITE_ERRORS:
                raise write_failed(out, exc) from None
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
            raise write_failed(self.out, exc) from None
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        """Remove the staging folder (the previous output stays as it was) and
        the folders above ``out`` that this run created, unless a committed
        output or anything else now lives in them."""
        shutil.rmtree(self.stage, ignore_errors=True)
        for folder in self.created:
            try:
                folder.rmdir()  # refuses a folder that is not empty
            except OSError:
                break

    def __enter__(self) -> Path:
        return self.stage

    def __exit__(self, kind, exc, tb):
        try:
            if kind is None:
                self.commit()
        finally:
            self.discard()
        if isinstance(exc, OSError) and exc.errno in WRITE_ERRORS:
            raise write_failed(exc.filename or self.out, exc) from None
        return False


def _missing_folders(folder: Path) -> list:
    """``folder`` and its ancestors that do not exist yet, deepest first."""
    missing = []
    for f in [folder, *folder.parents]:
        if not str(f) or f == Path(".") or f.exists() or f.is_symlink():
            break
        missing.append(f)
    return missing


def _refuse_odd_target(out: Path, marker: str, option: str) -> None:
    """Refuse an output folder that a swap would follow or wrongly replace: a
    symbolic link, a file, a folder not written by eqselect, or one whose
    marker is not a regular file (a folder named report.json)."""
    if out.is_symlink():
        raise OptionsError(f"{option} {str(out)!r} is a symbolic link; give the folder "
                           "itself (a link is never replaced)")
    if out.exists() and not out.is_dir():
        raise OptionsError(f"{option} {str(out)!r} exists and is not a directory")
    if not out.is_dir() or not any(out.iterdir()):
        return
    held = out / marker
    if held.is_symlink() or not held.is_file():
        what = "without" if not (held.exists() or held.is_symlink()) else "whose"
        tail = "" if what == "without" else " is not a regular file"
        raise OptionsError(f"{option} {str(out)!r} is a folder {what} {marker}{tail}: it is "
                           "not an earlier eqselect output, so it is not replaced")


def _refuse_input_inside(game: str, out) -> None:
    """Refuse a game file that lies in the folder a report replaces whole: the
    swap would delete the file the report was made from."""
    path = Path(game)
    if not path.is_file():
        return  # a built-in name
    folder = Path(out).resolve()
    if folder in path.resolve().parents:
        raise OptionsError(f"GAME {game[:200]!r} lies inside --out {str(out)[:200]!r}, which "
                           "the report replaces whole; move the game file or choose another "
                           "folder")


def report_folder(args) -> str:
    """The folder ``eqselect report`` writes: ``--out``, or ``report-<game file stem>``."""
    return args.out if args.out is not None else f"report-{Path(args.game).stem}"


def staged_report(args, name: str, build):
    """Run ``build(folder, bar)`` into the report folder of ``eqselect report``.

    The folder is `report_folder`, written through a `StagedFolder` (the
    previous report stays whole until the new one is complete), under the
    command's time limit and a progress bar of four stages named after
    ``name``. Returns what ``build`` returns.
    """
    from eqselect.progress import Progress
    from eqselect.theory import limits

    _refuse_input_inside(args.game, report_folder(args))
    stage = StagedFolder(report_folder(args), "report.json")
    try:
        with limits.deadline("eqselect report"), Progress(4, f"report {name}") as bar:
            with stage as folder:
                return build(folder, bar)
    finally:
        stage.discard()
