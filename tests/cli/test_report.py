"""``eqselect report``: the main job writes a LaTeX document, figures and JSON."""

import contextlib
import io
import json
import re
import shutil
import subprocess

import pytest
import sympy as sp

from eqselect.cli import main
from eqselect.theory.rules import Rule

PDFLATEX = shutil.which("pdflatex")
needs_tex = pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is not installed "
                               "(.ci/run installs texlive-latex-base/-recommended/-extra)")
#: Sympy text that must never reach a .tex file.
FORBIDDEN = ("**", "CRootOf", "sqrt(", "log(")

THREE_BY_THREE = """
name = "coordination-3x3"
description = "3x3 coordination: a payoff-dominant, a middle and a safe action"
players = ["Row", "Column"]
actions = [["High", "Mid", "Safe"], ["High", "Mid", "Safe"]]
payoffs = [
  [[5, 0, 0], [0, 3, 0], [2, 2, 2]],
  [[5, 0, 2], [0, 3, 2], [0, 0, 2]],
]
"""
THREE_PLAYERS = """
name = "stag-hunt-3"
description = "three-player Stag Hunt: the stag needs all three hunters"
players = ["Ann", "Bob", "Cy"]
actions = [["Stag", "Hare"], ["Stag", "Hare"], ["Stag", "Hare"]]
payoffs = [
  [[[4, 0], [0, 0]], [[3, 2], [2, 2]]],
  [[[4, 0], [3, 2]], [[0, 2], [0, 2]]],
  [[[4, 3], [0, 2]], [[0, 2], [0, 2]]],
]
"""


def _report(out, *args):
    assert main(["report", *args, "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def stag_hunt(tmp_path_factory):
    """The paper's settings, direct Stag Hunt, with pgfplots output."""
    return _report(tmp_path_factory.mktemp("sh") / "rep", "stag-hunt", "--param", "direct",
                   "--tikz")


@pytest.fixture(scope="module")
def small_reports(tmp_path_factory):
    """IPD, a 3x3 and a 3-player game, one method each (kept fast)."""
    root = tmp_path_factory.mktemp("games")
    (root / "g3x3.toml").write_text(THREE_BY_THREE)
    (root / "sh3.toml").write_text(THREE_PLAYERS)
    return {
        "ipd": _report(root / "ipd", "ipd", "--method", "pg", "--grid", "3", "--steps", "20"),
        "3x3": _report(root / "c3", str(root / "g3x3.toml"), "--param", "direct",
                       "--method", "pg", "--grid", "9", "--steps", "60"),
        "3-player": _report(root / "s3", str(root / "sh3.toml"), "--param", "direct",
                            "--method", "pg,peer-only", "--lam-range", "0:2", "--grid", "5",
                            "--steps", "40"),
        # no --param: logit cannot hold three actions, the report switches to softmax
        "softmax-3x3": _report(root / "x3", str(root / "g3x3.toml"), "--method", "peer-only",
                               "--grid", "3", "--steps", "20"),
    }


def test_report_stag_hunt(stag_hunt):
    out = stag_hunt
    doc = json.loads((out / "report.json").read_text())
    assert doc["kind"] == "report" and "schema_version" in doc
    pg = doc["equilibria"]["pg"]["equilibria"]
    assert sorted(tuple(e["exact"]) for e in pg) == [("0", "0"), ("1", "1"), ("2/3", "2/3")]
    events = doc["continuation"]["events"]
    assert any(e["type"] == "boundary" and abs(e["lam"] - 40 / 33) < 1e-9 for e in events)
    assert doc["basins"]["meta-mapg"]["fraction"] > doc["basins"]["pg"]["fraction"]
    for name in doc["figures"]:
        assert (out / name).stat().st_size > 0
    assert {"bifurcation.tex", "phase-pg.tex"} <= set(doc["figures"])
    tex = (out / "report.tex").read_text()
    assert tex.startswith("\\documentclass") and "\\mathrm{peer}_{1}" in tex
    # closed forms kept in the payoff symbols, grouped; the values used are stated
    assert r"\mathrm{cur}_{1} &= S p_{2} + \left(b - d\right)" in tex
    assert r"\mathrm{peer}_{1} &= \eta S \left(S p_{1} + \left(c - d\right)\right)" in tex
    assert all(f"${k} = {v}$" in tex for k, v in zip("abcd", (4, 0, 3, 2)))
    assert r"\left(\frac{2}{3}, \frac{2}{3}\right)" not in tex and r"$\frac{2}{3}$" in tex
    assert tex.count(r"\captionof{figure}") == 3 and tex.count(r"\caption") >= 6


def test_report_states_the_ipd_payoffs(small_reports):
    tex = (small_reports["ipd"] / "report.tex").read_text()
    assert all(f"${k} = {v}$" in tex for k, v in zip("RSTP", (3, 0, 5, 1)))
    assert r"gamma = 24/25" in tex


def test_report_options_change_the_rule(tmp_path, capsys):
    """--method/--lam/--eta/--own reach the numerics, the JSON inputs and the text."""
    from eqselect.numerics.fixed_points.find import find_equilibria
    from eqselect.theory import Decomposition, builtin

    out = _report(tmp_path / "r", "stag-hunt", "--param", "direct", "--method", "meta-mapg",
                  "--lam", "5/2", "--eta", "1/2", "--own", "1/4", "--grid", "5", "--steps", "20")
    doc = json.loads((out / "report.json").read_text())
    assert doc["inputs"]["methods"] == ["meta-mapg"]
    assert (doc["inputs"]["lam"], doc["inputs"]["eta"], doc["inputs"]["own"]) == ("5/2", "1/2", "1/4")
    dec = Decomposition(builtin("stag-hunt", "direct"), eta=sp.Rational(1, 2))
    direct = find_equilibria(dec, Rule("meta-mapg", 2.5, 0.25))
    got = sorted(tuple(e["point"]) for e in doc["equilibria"]["meta-mapg"]["equilibria"])
    assert got == sorted(tuple(e.point) for e in direct.equilibria)
    assert doc["basins"]["meta-mapg"]["grid"] == 5
    tex = (out / "report.tex").read_text()
    assert r"\lambda = \frac{5}{2}" in tex and r"\eta = \frac{1}{2}" in tex
    assert r"c_{\mathrm{own}} = \frac{1}{4}" in tex


def _tex_files(root):
    return [p for p in root.rglob("*.tex")]


def test_no_sympy_text_reaches_a_tex_file(stag_hunt, small_reports):
    files = _tex_files(stag_hunt) + [f for out in small_reports.values() for f in _tex_files(out)]
    assert len(files) >= 6
    for f in files:
        text = f.read_text()
        bad = [s for s in FORBIDDEN if s in text]
        assert not bad, f"{f.name} contains {bad}"


def _compile(folder):
    proc = subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "report.tex"],
                          cwd=folder, capture_output=True, text=True, timeout=120)
    log = (folder / "report.log").read_text(errors="replace")
    return proc.returncode, log


@needs_tex
@pytest.mark.parametrize("which", ["stag-hunt", "ipd", "3x3", "3-player", "softmax-3x3"])
def test_report_compiles_without_errors_or_overfull_boxes(which, stag_hunt, small_reports):
    folder = stag_hunt if which == "stag-hunt" else small_reports[which]
    code, log = _compile(folder)
    assert code == 0 and not re.search(r"^! ", log, re.M), log[-2000:]
    assert "Overfull \\" not in log, [ln for ln in log.splitlines() if "Overfull" in ln]


@needs_tex
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
def test_every_figure_prints_inside_its_own_section(stag_hunt, tmp_path):
    """Guards the figures' placement: floating figures drifted above their
    section's heading (the bifurcation diagram above "Continuation", the basin
    maps inside "Alignment conditions")."""
    folder = tmp_path / "copy"
    shutil.copytree(stag_hunt, folder)
    assert _compile(folder)[0] == 0
    text = subprocess.run(["pdftotext", str(folder / "report.pdf"), "-"],
                          capture_output=True, text=True).stdout
    headings = ["Continuation in", "Alignment conditions", "Basins"]
    at = {h: re.search(r"(?m)^\f?" + h, text).start() for h in headings}
    figures = {"Bifurcation diagram": ("Continuation in", "Alignment conditions"),
               "Basin maps": ("Basins", None), "Phase portraits": ("Basins", None)}
    for caption, (section, following) in figures.items():
        where = re.search(r"Figure \d+: " + caption, text).start()
        assert at[section] < where < (at[following] if following else len(text)), caption


def test_report_says_what_it_skips(tmp_path, capsys):
    out = tmp_path / "t"
    assert main(["report", "tandem", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    doc = json.loads((out / "report.json").read_text())
    assert "basins" in doc["skipped"] and "not computed (basins)" in printed


def test_report_refuses_a_file_as_folder(tmp_path, capsys):
    f = tmp_path / "x"
    f.write_text("")
    assert main(["report", "stag-hunt", "--out", str(f)]) == 2
    assert "not a directory" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["no-such-game"], ["stag-hunt", "--method", "pg,nope"]])
def test_report_bad_input_exits_2(args, capsys):
    assert main(["report", *args]) == 2
    assert capsys.readouterr().err.startswith("eqselect: error:")


def test_failed_report_leaves_nothing_half_written(tmp_path, capsys, monkeypatch):
    import eqselect.studies.report.build as report

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure in the basin maps")

    monkeypatch.setattr(report, "_basins_and_portraits", broken)
    out = tmp_path / "rep"
    with pytest.raises(RuntimeError):  # after the equilibria, continuation and check
        main(["report", "stag-hunt", "--method", "pg,peer-only", "--lam-range", "0:1",
              "--out", str(out)])
    assert not out.exists() and list(tmp_path.iterdir()) == []


def _kpsewhich(name):
    if shutil.which("kpsewhich") is None:
        return None
    found = subprocess.run(["kpsewhich", name], capture_output=True, text=True).stdout.strip()
    return found or None


@pytest.mark.skipif(PDFLATEX is None or _kpsewhich("pgfplots.sty") is None,
                    reason="pdflatex with pgfplots (texlive-pictures) is not installed")
def test_tikz_figures_compile(stag_hunt, tmp_path):
    body = "\n\n".join(f"\\input{{{stag_hunt / name}}}" for name in
                     ("bifurcation.tex", "phase-pg.tex"))
    (tmp_path / "t.tex").write_text(
        "\\documentclass{article}\n\\usepackage{pgfplots}\n\\pgfplotsset{compat=1.16}\n"
        "\\usepackage[margin=2cm]{geometry}\n\\begin{document}\n" + body + "\n\\end{document}\n")
    proc = subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "t.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    log = (tmp_path / "t.log").read_text(errors="replace")
    assert proc.returncode == 0, log[-2000:]
    assert "Overfull \\hbox" not in log


def test_report_alignment_section_equals_eqselect_check(stag_hunt, printed):
    """The report's verdicts are eqselect check's for the first shaping method (peer-only)."""
    rep = json.loads((stag_hunt / "report.json").read_text())["check"]
    alone = json.loads(printed(["check", "stag-hunt", "--param", "direct", "--method",
                                "peer-only", "--json"]))
    strip = lambda vs: [{k: v[k] for k in ("id", "holds", "certified", "values")} for v in vs]
    assert strip(rep["conditions"]) == strip(alone["conditions"])
    assert strip(rep["claims"]) == strip(alone["claims"])
    # direct Stag Hunt under peer shaping: A3 holds exactly, A4 fails exactly
    by_id = {v["id"]: v for v in rep["conditions"]}
    assert (by_id["A3"]["holds"], by_id["A3"]["certified"]) == (True, "exact")
    assert (by_id["A4"]["holds"], by_id["A4"]["certified"]) == (False, "exact")
    assert "Alignment conditions" in (stag_hunt / "report.tex").read_text()


def test_report_with_tau_checks_the_game_regularised_once(tmp_path, monkeypatch,
                                                         checked_regularised_sh):
    """Guards `eqselect report GAME --tau T`: its alignment verdicts were those
    of the game regularised twice (2T); they are eqselect check --tau T's."""
    import eqselect.proofs_check as pc
    import eqselect.studies.report.build as report

    real = pc.check_game
    monkeypatch.setattr(pc, "check_game",  # the statements are not what is tested: skip them
                        lambda *a, **k: real(*a, **{**k, "statements": False}))
    # nor are the basin maps and phase portraits, drawn after the check
    monkeypatch.setattr(report, "_basins_and_portraits", lambda rep, out: None)
    # T = 1/2: the check at T differs from the one at 2T = 1 (its fixed points and
    # margins), and both search a smaller box than at T = 1/10 (a few seconds less)
    out = _report(tmp_path / "r", "stag-hunt", "--tau", "1/2", "--method", "peer-only",
                  "--grid", "3", "--steps", "5", "--lam-range", "0:1")
    got = json.loads((out / "report.json").read_text())["check"]
    alone = checked_regularised_sh  # real(builtin("stag-hunt"), "peer-only", tau=1/2, ...)
    assert got == json.loads(json.dumps(alone.to_json()))


def test_report_of_a_game_file_with_tau_states_it_and_skips_direct_basins(tmp_path):
    """Guards a game file's tau in a report: the basins ran (and failed the
    report) under direct, and the settings did not state the temperature."""
    game = tmp_path / "g.toml"
    game.write_text('tau = "1/10"\nparameterization = "direct"\n'
                    'payoffs = [[[4, 0], [3, 2]], [[4, 3], [0, 2]]]\n')
    out = _report(tmp_path / "r", str(game), "--method", "pg", "--grid", "3", "--steps", "5")
    doc = json.loads((out / "report.json").read_text())
    assert doc["inputs"]["tau"] == "1/10" and "basins" in doc["skipped"]
    assert r"entropy temperature $\tau = \frac{1}{10}$" in (out / "report.tex").read_text()


def test_report_basins_classify_by_attractor(tmp_path, stag_hunt):
    """Chicken's basin section names its two pure equilibria (not "everyone plays
    C", which is no equilibrium); Stag Hunt's fraction is the share of its
    payoff-dominant attractor (C, C), the number its table row also lists."""
    out = _report(tmp_path / "ch", "chicken", "--method", "pg", "--grid", "7")
    doc = json.loads((out / "report.json").read_text())
    bm = doc["basins"]["pg"]
    assert {a["name"] for a in bm["attractors"]} >= {"(C, D)", "(D, C)"}
    assert bm["preferred"] in ("(C, D)", "(D, C)")
    assert bm["fraction"] == pytest.approx(bm["shares"][bm["preferred"]]) and bm["fraction"] > 0.3
    section = (out / "report.tex").read_text().split("\\section*{Basins}")[1]
    assert "(C, D)" in section and "(D, C)" in section and "first-action profile." not in section
    sh = json.loads((stag_hunt / "report.json").read_text())["basins"]
    for m in ("pg", "meta-mapg"):
        assert sh[m]["preferred"] == "(C, C)"
        assert sh[m]["fraction"] == sh[m]["shares"]["(C, C)"]


#: Placeholder and pointer text no report may print.
PLACEHOLDERS = ("see \\texttt{--json}", "see --json", "operations)}", "TODO", "??")


def _basin_rows(tex):
    """method -> (shares by outcome, what the fraction counts, fraction), from the table."""
    section = tex.split("\\section*{Basins}")[1]
    rows = {}
    for m, shares, counted, frac in re.findall(
            r"^([\w-]+) & (.*?) & (.*?) & ([\d.]+\\%|--) \\\\$", section, re.M):
        named = dict((n.strip(), float(v)) for n, v in
                     re.findall(r"((?:\([^)]*\))|still moving|cycle)\s+([\d.]+)\\%", shares))
        rows[m] = (named, counted, None if frac == "--" else float(frac.rstrip("\\%")))
    return rows


def test_every_number_printed_twice_in_a_report_agrees(stag_hunt, small_reports, capsys):
    """A quantity printed in two places of one report has one value: the coefficients
    (every "eta = ", "lambda = ", "c_own = " in the text), each basin fraction and the
    share of the outcome it counts (table), the figure's title and legend, the JSON."""
    from eqselect.numerics.plots.portrait import basin_title

    for folder in [stag_hunt, *small_reports.values()]:
        tex = (folder / "report.tex").read_text()
        doc = json.loads((folder / "report.json").read_text())
        for name in (r"\\eta", r"\\lambda", r"c_\{\\mathrm\{own\}\}", r"\\gamma"):
            values = set(re.findall(name + r" = (\\frac\{\d+\}\{\d+\}|[\d.]+)(?![\d:])", tex))
            assert len(values) <= 1, (folder.name, name, values)
        rows = _basin_rows(tex) if "\\section*{Basins}" in tex else {}
        assert set(rows) == set(doc["basins"])
        for m, (named, counted, frac) in rows.items():
            bm = doc["basins"][m]
            if frac is None:  # a map by attractor with none to prefer counts nothing
                assert bm["shares"] is not None and bm["preferred"] is None
                continue
            assert frac == pytest.approx(100 * bm["fraction"], abs=0.051)
            if bm["shares"] is not None and bm["preferred"]:
                assert counted == bm["preferred"] and named.get(counted, 0.0) == frac
            title = basin_title(type("B", (), {**bm, "shares": bm["shares"],
                                               "interval": None, "game": doc["game"],
                                               "method": m, "schedule": "paper"})())
            assert f"{frac:.1f}%" in title


def test_basin_figure_title_and_legend_state_the_table_number(tmp_path):
    """The figure of a map states the fraction in its title and the same share in its legend."""
    from eqselect.numerics.plots.portrait import basin_plot
    from eqselect.studies.report.build import ReportOptions, _basin_map, Report
    from eqselect.theory import Decomposition, builtin
    from eqselect.numerics.fixed_points.find import find_equilibria

    game = builtin("stag-hunt", "direct")
    dec = Decomposition(game, eta=sp.Rational(11, 20))
    opts = ReportOptions(methods=("pg",), grid=7, steps=40)
    rep = Report(game, opts, dec, dec)
    rep.equilibria["pg"] = find_equilibria(dec, Rule("pg"))
    bm = _basin_map(rep, "pg")
    fig = basin_plot(bm, tmp_path / "b.png", game=game, size=(3.25, 3.9))
    ax = fig.axes[0]
    pct = f"{100 * bm.fraction:.1f}%"
    assert pct in ax.get_title()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(t.startswith(bm.preferred) and t.endswith(pct) for t in legend), legend


def test_reports_of_larger_games_have_alignment_basins_and_no_placeholder(small_reports):
    """IPD, 3x3 and 3-player reports carry the check's verdicts (whatever it decides)
    and basin maps on a slice; no placeholder, no pointer to a missing option."""
    for which in ("ipd", "3-player", "softmax-3x3"):
        doc = json.loads((small_reports[which] / "report.json").read_text())
        tex = (small_reports[which] / "report.tex").read_text()
        assert not [p for p in PLACEHOLDERS if p in tex], which
        if which != "ipd":  # the IPD report compares pg only: nothing shapes the field
            # the verdicts the check returns, or the one line saying why it returned none
            assert (doc["check"] is not None and "Alignment conditions" in tex) or (
                "alignment" in doc["skipped"] and "Not computed" in tex)
        assert doc["basins"] and "slice over" in tex
    ipd = (small_reports["ipd"] / "report.tex").read_text()
    assert r"V_i &= q_0^{\top} (I - \gamma P)^{-1} r_i" in ipd
    assert r"$V_{1} = \frac{225}{4}$" in ipd  # uniform play: 9/4 a round, times 1/(1 - 24/25)
    three = (small_reports["3-player"] / "report.tex").read_text()
    assert "Ann" in three and "Stag" in three


def test_logit_with_three_actions_switches_to_softmax_in_the_strategies(small_reports):
    folder = small_reports["softmax-3x3"]
    doc = json.loads((folder / "report.json").read_text())
    tex = (folder / "report.tex").read_text()
    assert doc["parameterization"] == "softmax" and "--param softmax" in doc["inputs"]["notes"][0]
    section = tex.split("\\section*{The decomposition}")[1].split("\\section*{Fixed")[0]
    assert r"\pi_{1,0}" in section and "e^{\\theta" not in section.split("Terms.")[1]
    assert "Row" in section and "High" in section


@pytest.fixture(scope="module")
def pg_report(tmp_path_factory):
    """A small PG report of Stag Hunt with --full-terms and --json: (folder, printed JSON)."""
    out = tmp_path_factory.mktemp("pg") / "r"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["report", "stag-hunt", "--method", "pg", "--grid", "3", "--steps", "5",
                     "--full-terms", "--json", "--out", str(out)]) == 0
    return out, printed.getvalue()


def test_full_terms_prints_what_the_summary_stands_for(pg_report):
    """--full-terms: terms.txt holds every term, equal to the decomposition's."""
    from eqselect.theory import Decomposition, builtin

    out = pg_report[0]
    lines = dict(line.split(" = ", 1) for line in (out / "terms.txt").read_text().splitlines()
                 if " = " in line and not line.startswith("#"))
    dec = Decomposition(builtin("stag-hunt", symbolic=True))
    for k, s in enumerate(dec.parameters):
        got = sp.sympify(lines[f"peer[{s.name}]"])
        assert sp.simplify(got - dec.term("peer")[k]) == 0


def test_report_json_prints_the_document(pg_report):
    out, printed = pg_report
    doc = json.loads(printed)
    assert doc["kind"] == "report" and doc == json.loads((out / "report.json").read_text())
