"""The README's console examples print what the README shows.

Every ``$ eqselect ...`` line of a fenced block of README.md that is followed
by output is run (in a scratch folder, so its ``--plot`` files land there),
and the lines shown must appear in the output in the same order; the README
may leave lines out (``...`` or a shortened block), never show one the
command does not print.
"""

import shlex
from pathlib import Path

import pytest

from eqselect.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"


def _blocks() -> list:
    """The fenced blocks of README.md, each a list of its lines."""
    blocks, current = [], None
    for line in README.read_text().splitlines():
        if line.startswith("```"):
            current = [] if current is None else blocks.append(current)
        elif current is not None:
            current.append(line)
    return blocks


def _examples() -> list:
    out = []
    for lines in _blocks():
        for k, line in enumerate(lines):
            if not line.startswith("$ eqselect "):
                continue
            shown = []
            for after in lines[k + 1:]:
                if after.startswith("$ "):
                    break
                if after.strip() not in ("", "..."):
                    shown.append(after)
            if shown:
                out.append(pytest.param(shlex.split(line[2:])[1:], shown, id=line[11:50]))
    return out


def _in_order(shown: list, printed: list) -> bool:
    it = iter(printed)
    return all(any(p == s for p in it) for s in shown)


@pytest.mark.parametrize("argv, shown", _examples())
def test_a_readme_example_prints_what_the_readme_shows(argv, shown, tmp_path, monkeypatch,
                                                       capsys):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 0
    printed = capsys.readouterr().out.splitlines()
    assert _in_order(shown, printed), "\n".join(printed)


def test_the_examples_are_found():
    assert len(_examples()) >= 5
