"""`eqselect check` as a reader sees it: each verdict's statement, the values it
rests on, its meaning and what would decide it, in text, JSON and LaTeX; the
LaTeX compiles (fragment and --standalone) with no overfull box."""

import json
import os
import shutil
import subprocess
import time

import pytest

from eqselect.cli import main
from eqselect.theory.latex import PREAMBLE

STAG = ["check", "stag-hunt", "--param", "direct", "--method", "peer-only"]
LOGIT = ["check", "stag-hunt", "--method", "peer-only"]  # P and R at infinity: undecided


def _run(capsys, args):
    assert main(args) == 0
    return capsys.readouterr().out


def _block(text, id):
    """The lines of one verdict: its line and the indented ones below it."""
    lines = text.splitlines()
    k = next(i for i, ln in enumerate(lines) if ln.split()[:1] == [id])
    out = [lines[k]]
    for ln in lines[k + 1:]:
        if not ln.startswith("    "):
            break
        out.append(ln.strip())
    return out


def test_text_states_the_values_each_verdict_rests_on(printed):
    text = printed(STAG)
    doc = json.loads(printed(STAG + ["--json"]))
    assert "rests on: mu_M(P) = 33/5; mu_M(R) = -33/20; difference = 33/4" in _block(text, "A2")
    a4 = [c for c in doc["conditions"] if c["id"] == "A4"][0]
    assert a4["values"]["counterexample"] == ["1/8", "1/8"]
    assert any("counterexample = (1/8, 1/8)" in ln for ln in _block(text, "A4"))
    assert any("selection_global_beyond = 40/33" in ln and "boundary at lambda = 40/33" in ln
               for ln in _block(text, "A5"))
    assert all(any(ln.startswith("statement: ") for ln in _block(text, c["id"]))
               and any(ln.startswith("meaning: ") for ln in _block(text, c["id"]))
               for c in doc["conditions"])
    assert _block(text, "weyl")[0].split()[1:5] == ["holds", "(with", "equality)", "exact"]


def test_json_keeps_its_keys_and_adds_to_decide_where_undecided(printed):
    doc = json.loads(printed(LOGIT + ["--json"]))
    keys = {"id", "statement", "holds", "certified", "values", "evidence", "reason"}
    text = printed(LOGIT)
    for v in doc["conditions"] + doc["claims"]:
        assert keys <= set(v) and "to_decide" in v
        if v["holds"] is not None:
            assert v["to_decide"] == ""
        elif v["id"] in ("A1", "A2", "A5", "ift-shift", "weyl", "radius"):
            assert v["to_decide"]
            assert f"to decide: {v['to_decide']}" in _block(text, v["id"])


def test_standalone_needs_latex(capsys):
    assert main(STAG + ["--standalone"]) == 2
    assert "--standalone needs --latex" in capsys.readouterr().err


def _pdflatex(tmp_path, name, source):
    (tmp_path / f"{name}.tex").write_text(source)
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                           f"{name}.tex"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    log = (tmp_path / f"{name}.log").read_text(errors="replace")
    assert proc.returncode == 0, log[-2000:]
    assert "Overfull" not in log


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("args", [STAG, LOGIT], ids=["direct", "logit"])
def test_latex_fragment_and_standalone_compile_without_overfull_boxes(printed, tmp_path, args):
    fragment = printed(args + ["--latex"])
    assert r"\begin{document}" not in fragment
    _pdflatex(tmp_path, "fragment", PREAMBLE + "\\begin{document}\n" + fragment
              + "\\end{document}\n")
    standalone = printed(args + ["--latex", "--standalone"])
    assert standalone.startswith("\\documentclass") and fragment.split("\n", 1)[1] in standalone
    _pdflatex(tmp_path, "standalone", standalone)
    if args is STAG:
        assert r"$\mu_M(P)$ = $\frac{33}{5}$" in fragment
        assert r"\frac{40}{33}" in fragment and r"\frac{1}{8}" in fragment
    else:
        assert r"\emph{To decide:}" in fragment


def test_the_report_writes_the_verdicts_with_the_same_renderer(checked_direct_sh):
    from types import SimpleNamespace

    from eqselect.proofs_check.verdict_text import check_latex, verdicts_latex
    from eqselect.studies.report.document import alignment_latex
    from eqselect.theory import builtin

    game = builtin("stag-hunt", "direct")
    res = checked_direct_sh  # check_game(game, "peer-only", statements=False)
    section = alignment_latex(SimpleNamespace(check=res, game=game))
    assert section.startswith("\\section*{Alignment conditions}")
    body = verdicts_latex(res, game)
    assert section.endswith(body) and body in check_latex(res, game=game)
    assert "(C, C)" in body  # P named by the game's actions, as in check's text


def test_selection_effect_and_statistical_verdicts_beside_the_others(printed):
    """The outcome route on the logit Stag Hunt: the paired sample is in the JSON,
    its change is (gained - lost) / n, and the text prints it."""
    args = LOGIT + ["--samples", "400"]
    doc = json.loads(printed(args + ["--json"]))
    sel = doc["selection"]
    assert sel["n"] == 400 and doc["inputs"]["samples"] == 400
    assert sel["change"] == pytest.approx((sel["gains"] - sel["losses"]) / 400)
    lo, hi = sel["interval"]
    assert lo <= sel["change"] <= hi
    assert sel["mass_at_lam"]["mass"] - sel["mass_at_0"]["mass"] == pytest.approx(sel["change"])
    a5 = [c for c in doc["conditions"] if c["id"] == "A5"][0]
    assert a5["certified"] == "statistical" and a5["values"]["n"] == 400
    assert "selection effect: P's basin mass" in printed(args)


def test_preferred_success_and_state_profiles(printed, capsys):
    doc = json.loads(printed(LOGIT + ["--preferred", "success", "--samples", "400",
                                           "--json"]))
    assert doc["preferred"]["label"] == "success"
    assert doc["preferred"]["outcome"]["kind"] == "region"
    assert doc["alternative"]["label"] == "D,D"
    a3 = [c for c in doc["conditions"] if c["id"] == "A3"][0]
    assert a3["certified"] == "statistical" and a3["values"]["n"] == 400
    assert main(["check", "ipd", "--preferred", "start:C,X"]) == 2
    assert "'X' is not an action of agent 2" in capsys.readouterr().err
    assert main(["check", "ipd", "--preferred", "nowhere:C,C"]) == 2
    assert "'nowhere' is not a state of game 'ipd' (start, CC, CD, DC, DD" in \
        capsys.readouterr().err


@pytest.mark.skipif(os.environ.get("EQSELECT_FULL_SCALE") != "1",
                    reason="runs the IPD check twice (about 30 s each)")
@pytest.mark.parametrize("method", ["meta-mapg", "peer-only"])
def test_ipd_check_names_p_and_r_and_decides_within_a_minute(capsys, method):
    t = time.perf_counter()
    doc = json.loads(_run(capsys, ["check", "ipd", "--method", method, "--json"]))
    assert time.perf_counter() - t < 60
    assert doc["preferred"]["label"] == "mutual-cooperation"
    assert doc["alternative"]["label"] == "mutual-defection"
    verdicts = {c["id"]: c for c in doc["conditions"]}
    for id in ("A0", "A1", "A2", "A3", "A5"):
        assert verdicts[id]["holds"] is not None, (id, verdicts[id]["reason"])
    assert verdicts["A3"]["certified"] == "statistical"
    assert doc["selection"]["interval"][0] > 0  # 8% -> 37% in the paper, here a gain too
