"""The code in docs/ runs: every ```python block executes, and every ```toml
block that is a whole game file loads (`eqselect.theory.io.spec.load_spec`)."""

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _blocks(language: str) -> list:
    out = []
    for page in sorted(DOCS.glob("*.md")):
        for k, m in enumerate(re.finditer(rf"```{language}\n(.*?)```", page.read_text(),
                                          re.S)):
            out.append(pytest.param(m.group(1), id=f"{page.stem}-{k}"))
    return out


@pytest.mark.parametrize("code", _blocks("python"))
def test_a_python_block_of_the_docs_runs(code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # what a block writes lands here
    exec(compile(code, "<docs>", "exec"), {"__name__": "__docs__"})


@pytest.mark.parametrize("text", _blocks("toml"))
def test_a_game_file_of_the_docs_loads(text, tmp_path):
    from eqselect.theory.io.spec import load_spec

    if "payoffs" not in text and "[[edges]]" not in text:
        pytest.skip("a fragment of a game file, not a whole one")
    path = tmp_path / "game.toml"
    path.write_text(text)
    assert load_spec(str(path)) is not None
