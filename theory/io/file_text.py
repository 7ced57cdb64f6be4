"""A game file's text and its table: read within the limits, parsed without evaluation.

The file's size is checked before it is read and the nesting of its brackets
before it is parsed (:mod:`eqselect.theory.limits`); JSON numbers are held to
the digit limit and a JSON object may not repeat a key. Every game file
(:mod:`eqselect.theory.io.spec`, :mod:`eqselect.theory.io.network_spec`) is
read here.
"""

from __future__ import annotations

import json
from pathlib import Path

from eqselect.theory.errors import GameError
from eqselect.theory.limits import check_nesting, current

__all__ = ["parse_table", "read_text"]


def parse_table(text: str, path: Path) -> dict:
    """The top-level table of a .json or .toml game file's ``text``."""
    check_nesting(text, path.name)
    data = (_parse_json(text, path.name) if path.suffix.lower() == ".json"
            else _parse_toml(text, path.name))
    if not isinstance(data, dict):
        raise GameError(f"{path.name}: the top level must be a table/object")
    return data


def read_text(path: Path) -> str:
    """The file's text, refused unread when larger than ``max_file_bytes``."""
    limit = current().max_file_bytes
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise GameError(f"cannot read game file {path}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise GameError(f"game file {path} is larger than {limit} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise GameError(f"game file {path} is not UTF-8 text") from None


def _unique_keys(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise GameError(f"key {key!r} appears twice in one JSON object")
        out[key] = value
    return out


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > current().max_digits:
        raise GameError(f"a number has more than {current().max_digits} digits")
    return int(text)


def _json_float(text: str) -> float:
    if len(text) > current().max_digits:
        raise GameError(f"a number has more than {current().max_digits} digits")
    return float(text)


def _parse_json(text: str, name: str):
    try:
        return json.loads(text, object_pairs_hook=_unique_keys,
                          parse_int=_json_int, parse_float=_json_float)
    except json.JSONDecodeError as exc:
        raise GameError(f"{name}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except (ValueError, RecursionError) as exc:  # Python's digit limit; nesting
        if isinstance(exc, GameError):
            raise GameError(f"{name}: {exc}") from None
        raise GameError(f"{name}: not readable JSON ({str(exc)[:120]})") from None


def _parse_toml(text: str, name: str):
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GameError(f"{name}: not valid TOML ({exc})") from None
    except (ValueError, RecursionError) as exc:
        raise GameError(f"{name}: not readable TOML ({str(exc)[:120]})") from None
