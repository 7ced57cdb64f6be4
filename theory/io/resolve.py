"""Resolve a GAME argument: a built-in name or a game file."""

from __future__ import annotations

from pathlib import Path

from eqselect.theory import Game, GameError, builtin
from eqselect.theory.games.builtins import BUILTINS

FILE_SUFFIXES = (".toml", ".json", ".nfg")


def load_game(spec: str, parameterization: str | None = None, symbolic: bool = False, *,
              fallback: str = "logit") -> Game:
    """The game a user named: a key of ``BUILTINS`` or a path to a game file.

    A ``parameterization`` given (``--param``) wins over the one a game file
    states; None takes the file's, else ``fallback`` (built-ins: logit).

    Raises
    ------
    GameError
        Unknown name, missing file, or a file that breaks the spec rules.
    """
    if not isinstance(spec, str):
        raise GameError(f"a game is a built-in name or a file path, got {type(spec).__name__}")
    if spec in BUILTINS:
        return builtin(spec, parameterization, symbolic=symbolic)
    path = Path(spec)
    if path.suffix.lower() in FILE_SUFFIXES:
        if path.is_dir():
            raise GameError(f"game file {spec[:200]!r} is a folder, not a file")
        if not path.is_file():
            raise GameError(_not_a_file(path, spec))
        from eqselect.theory.io.spec import load_spec

        return load_spec(path, parameterization, fallback=fallback)
    raise GameError(
        f"unknown game {spec[:60]!r}; built-ins: {', '.join(sorted(BUILTINS))}; "
        f"or a path ending in {', '.join(FILE_SUFFIXES)}")


def _not_a_file(path: Path, spec: str) -> str:
    """Why ``path`` names no game file: missing, a link to nothing (dangling or
    a loop), or something that is not a regular file (a pipe, a socket, a
    device: reading one could block or never end, so it is not opened)."""
    shown = repr(spec[:200])
    if path.is_symlink() and not path.exists():
        return f"game file {shown} is a symbolic link to nothing (missing target or a loop)"
    if path.exists():
        return (f"game file {shown} is not a regular file (a pipe, socket or device); "
                "give a .toml, .json or .nfg file")
    return f"game file not found: {shown}"
