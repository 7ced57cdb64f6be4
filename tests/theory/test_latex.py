"""LaTeX a paper can paste: the exact printer, grouped closed forms, broken lines."""

import shutil
import subprocess

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

from eqselect.theory import Decomposition, builtin
from eqselect.theory.closed_forms import (
    LINE_WIDTH, S, broken_lines, grouped, sigma_symbols, visible_width)
from eqselect.theory.latex import decomposition_latex, latex_names, term_latex
from eqselect.theory.latex_printer import ExactLatex, RootNotes, number_latex, point_latex

x = sp.Symbol("x")
FORBIDDEN = ("**", "CRootOf", "sqrt(", "log(")


@pytest.mark.parametrize("value, tex", [
    (sp.log(2), r"\log 2"),
    (sp.sqrt(3) / 2, r"\frac{\sqrt{3}}{2}"),
    (sp.Rational(-2, 3), r"- \frac{2}{3}"),
    (sp.log(sp.Rational(3, 2)), r"\log\left(\frac{3}{2}\right)"),
    (sp.log(2) ** 2, r"\left(\log 2\right)^{2}"),
])
def test_exact_numbers_print_as_a_paper_writes_them(value, tex):
    assert number_latex(value) == tex


def test_sympy_text_never_leaks():
    for value in (sp.Integer(22) ** sp.Rational(2, 3) * 5 ** sp.Rational(1, 3) / 22,
                  sp.log(2) + sp.sqrt(5), sp.CRootOf(132 * x**3 - 20 * x**2 - 15, 0)):
        tex = number_latex(value)
        assert not any(s in tex for s in FORBIDDEN), tex


def test_algebraic_numbers_are_decimals_with_their_polynomial():
    roots = RootNotes()
    r0 = sp.CRootOf(132 * x**3 - 20 * x**2 - 15, 0)
    r1 = sp.CRootOf(x**2 - 2, 1)
    tex = point_latex((r0, r1, r0, sp.Rational(1, 2)), roots)
    assert tex.count("^{(a)}") == 2 and tex.count("^{(b)}") == 1 and r"\frac{1}{2}" in tex
    shown = float(tex.split(r"\left(")[1].split(r"\ldots")[0])
    assert shown == pytest.approx(float(r0), rel=1e-5)
    notes = roots.latex_list()
    assert "132 x^{3} - 20 x^{2} - 15 = 0" in notes and "x^{2} - 2 = 0" in notes
    assert f"{float(r1):.12g}" in notes


ROOT_POWERS = [lambda r: r**2, lambda r: 3 * r**5 + r, lambda r: 1 / r**2,
               lambda r: r ** sp.Rational(3, 2), lambda r: r ** sp.Rational(-3, 2),
               lambda r: sp.sqrt(r), lambda r: r ** sp.Rational(1, 3), lambda r: 2**r]


def test_powers_of_an_algebraic_number_keep_its_value_and_one_superscript():
    """Guards the report's fixed-point table: a coordinate r^5 printed
    ``0.279\\ldots^{(a)}^{5}``, a double superscript that stops pdflatex. The
    printed decimal and power give the value back."""
    r = sp.CRootOf(x**3 - x - 1, 0)
    for power in ROOT_POWERS:
        tex = number_latex(power(r))
        assert r"\ldots^{(a)}^" not in tex, tex
    tex = number_latex(r**5)
    assert tex == r"\left(1.32472\ldots^{(a)}\right)^{5}"
    assert float(tex[6:13]) ** 5 == pytest.approx(float(r**5), rel=1e-5)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_powers_of_an_algebraic_number_compile(tmp_path):
    r = sp.CRootOf(x**3 - x - 1, 0)
    body = "\\\\\n".join(f"${number_latex(p(r))}$" for p in ROOT_POWERS)
    (tmp_path / "p.tex").write_text("\\documentclass{article}\n\\begin{document}\n"
                                    + body + "\n\\end{document}\n")
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "p.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, (tmp_path / "p.log").read_text(errors="replace")[-2000:]


def test_derive_groups_direct_symbolic_stag_hunt_as_researchers_write_it():
    dec = Decomposition(builtin("stag-hunt", "direct", symbolic=True))
    assert term_latex(dec, "cur", 0) == r"S p_{2} + \left(b - d\right)"
    assert term_latex(dec, "peer", 0) == r"\eta S \left(S p_{1} + \left(c - d\right)\right)"
    assert term_latex(dec, "own", 1) == "0"
    with pytest.raises(ValueError, match="unknown term"):
        term_latex(dec, "nope", 0)


def test_logit_forms_are_written_in_sigma():
    dec = Decomposition(builtin("stag-hunt", "logit"))
    tex = term_latex(dec, "cur", 0)
    assert r"\sigma_{1}" in tex and "e^{" not in tex and r"\theta" not in tex


def _back(expr, game):
    """Undo the display substitutions: S -> a - b - c + d, sigma_i -> sigma(theta_i)."""
    names = {s.name: s for s in game.payoff_symbols}
    if {"a", "b", "c", "d"} <= set(names):
        a, b, c, d = (names[k] for k in "abcd")
        expr = expr.xreplace({S: a - b - c + d})
    return expr.xreplace({s: 1 / (1 + sp.exp(-t)) for t, s in sigma_symbols(game).items()})


GAMES = [("stag-hunt", "direct", True), ("stag-hunt", "logit", True),
         ("chicken", "softmax", False), ("battle-of-sexes", "logit", True), ("tandem", None, False)]


@pytest.mark.parametrize("name, param, symbolic", GAMES)
def test_grouping_keeps_every_term_equal(name, param, symbolic):
    """grouped(e) is e: compared at random exact points (symbols included)."""
    game = builtin(name, param, symbolic=symbolic)
    dec = Decomposition(game)
    rng = np.random.default_rng(1)
    free = list(game.parameters) + list(game.payoff_symbols) + [sp.Symbol("eta")]
    for term in ("cur", "own", "peer", "lookahead"):
        for e in dec.component(term):
            g = _back(grouped(e, game), game)
            for _ in range(3):
                at = {s: sp.Rational(int(rng.integers(-9, 10)), 7) for s in free}
                assert sp.N(g.xreplace(at) - e.xreplace(at), 30) == pytest.approx(0, abs=1e-20)


@given(st.lists(st.text(alphabet="abxyz+-", min_size=1, max_size=30), min_size=1, max_size=30),
       st.integers(0, 30))
def test_broken_lines_keep_every_piece_in_order_within_the_width(pieces, first):
    lines = broken_lines(pieces, first=first)
    assert " ".join(lines).split(" ") == " ".join(pieces).split(" ")
    for k, line in enumerate(lines):
        if " " in line.strip() and k > 0:
            assert visible_width(line) <= LINE_WIDTH + 1


def test_long_formulas_are_broken_over_lines():
    """Three-player logit Stag Hunt: look-ahead terms exceed a line and are broken."""
    from eqselect.theory.closed_forms import align_rows
    from eqselect.theory.games.normal_form import normal_form_game

    u = [[[[4, 0], [0, 0]], [[3, 2], [2, 2]]], [[[4, 0], [3, 2]], [[0, 2], [0, 2]]],
         [[[4, 3], [0, 2]], [[0, 2], [0, 2]]]]
    game = normal_form_game(u, "logit", name="stag-hunt-3")
    dec = Decomposition(game)
    p = ExactLatex(latex_names(game))
    rows = align_rows(r"\mathrm{la}_{1}", dec.component("lookahead")[0], game, p)
    lines = rows.split("\\\\\n")
    assert len(lines) > 1
    assert all(visible_width(line) <= LINE_WIDTH + 8 for line in lines)
    assert rows.count(r"\bigl(") == rows.count(r"\bigr)") == 1


def _three_by_three():
    from eqselect.theory.games.normal_form import normal_form_game

    u1 = [[5, 0, 0], [0, 3, 0], [2, 2, 2]]
    u2 = [[5, 0, 2], [0, 3, 2], [0, 0, 2]]
    return normal_form_game([u1, u2], "softmax", name="coordination-3x3")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_softmax_3x3_decomposition_compiles_without_overfull_boxes(tmp_path):
    dec = Decomposition(_three_by_three())
    tex = decomposition_latex(dec, standalone=True)
    assert not any(s in tex for s in FORBIDDEN)
    (tmp_path / "d.tex").write_text(tex)
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "d.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    log = (tmp_path / "d.log").read_text(errors="replace")
    assert proc.returncode == 0, log[-2000:]
    assert "Overfull \\hbox" not in log


@pytest.mark.skipif(shutil.which("pdflatex") is None or shutil.which("pdftotext") is None,
                    reason="pdflatex or pdftotext is not installed")
def test_escaped_text_prints_dashes_quotes_and_backticks_as_typed(tmp_path):
    """Guards the report's notes ("check it in --param direct"): pdflatex turned
    -- into an en dash, '' into a closing quote and " into a right quote."""
    from eqselect.theory.latex import PREAMBLE, escape_latex

    text = "use --param direct or ---x; say ''hi'' or `q` and \"q\""
    (tmp_path / "e.tex").write_text(PREAMBLE + "\\begin{document}\n" + escape_latex(text)
                                    + "\n\\end{document}\n")
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "e.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:]
    printed = subprocess.run(["pdftotext", str(tmp_path / "e.pdf"), "-"],
                             capture_output=True, text=True).stdout
    printed = printed.replace("\u2018", "`").replace("\u2019", "'")
    assert text in " ".join(printed.split())
