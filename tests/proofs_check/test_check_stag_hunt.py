"""eqselect check on the Stag Hunt: the regularised logit game and the direct game."""

import json
import shutil
import subprocess

import mpmath
import numpy as np
import pytest
import sympy as sp

from eqselect.cli import main
from eqselect.numerics import intervals as iv
from eqselect.numerics.shaping import ShapingField
from eqselect.proofs_check.check import check_game
from eqselect.theory import Decomposition, GameError, builtin, entropy_regularized
from eqselect.theory.rules import Rule

ETA = sp.Rational(11, 20)


@pytest.fixture(scope="module")
def regularised(tmp_path_factory):
    """`eqselect check stag-hunt --param logit --tau 0.25 --method meta-mapg --json`."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["check", "stag-hunt", "--param", "logit", "--tau", "0.25",
                     "--method", "meta-mapg", "--json"])
    assert code == 0
    return json.loads(out.getvalue())


def test_regularised_check_finds_the_payoff_dominant_equilibrium(regularised):
    P, R = regularised["preferred"], regularised["alternative"]
    # the cooperative regularised equilibrium: both agents mostly cooperate (theta > 0)
    assert P["point"][0] > 3 and P["point"][0] == pytest.approx(P["point"][1])
    assert R["point"][0] < -7
    assert P["strategies"][0][0] > 0.95 and R["strategies"][0][0] < 0.01
    assert [c["id"] for c in regularised["conditions"]] == ["A0", "A1", "A2", "A3", "A4", "A5"]
    for c in regularised["conditions"]:
        assert c["holds"] in (True, False, None) and c["certified"] in (
            "exact", "interval", "trace-certified", "numerical")
        if c["holds"] is None:
            assert c["reason"]
    assert regularised["kind"] == "check" and "schema_version" in regularised


def _lambda_max_sym_fd(exprs, syms, x):
    f = sp.lambdify(syms, list(exprs), "mpmath")
    h = mpmath.mpf(10) ** -10
    J = mpmath.matrix(2, 2)
    for j in range(2):
        e = [mpmath.mpf(0)] * 2
        e[j] = h
        up, dn = f(*[a + b for a, b in zip(x, e)]), f(*[a - b for a, b in zip(x, e)])
        for i in range(2):
            J[i, j] = (up[i] - dn[i]) / (2 * h)
    return max(mpmath.eigsy((J + J.T) / 2)[0])


def test_mu_and_mu_M_recomputed_by_finite_differences_at_30_digits(regularised):
    g = entropy_regularized(builtin("stag-hunt", "logit"), sp.Rational(1, 4)).substitute()
    dec = Decomposition(g, eta=ETA)
    M = dec.own + dec.peer  # meta-mapg: M = own + peer, independently of ShapingField
    for key in ("preferred", "alternative"):
        r = regularised[key]
        with mpmath.workdps(30):
            x = [mpmath.mpf(v) for v in r["point"]]
            mu = -_lambda_max_sym_fd(dec.cur, g.parameters, x)
            mu_M = -_lambda_max_sym_fd(M, g.parameters, x)
        lo, hi = r["enclosure_mu"]
        assert lo - 1e-16 <= float(mu) <= hi + 1e-16
        lo, hi = r["enclosure_mu_M"]
        assert lo - 1e-16 <= float(mu_M) <= hi + 1e-16


def test_regularised_tau_branches_principal_lands_at_the_risk_dominant(regularised):
    tau = next(c for c in regularised["conditions"] if c["id"] == "A5")["values"]["tau_branches"]
    plain = tau["no shaping (pg)"]["principal"]
    assert plain and all(b["lands_near"] == "R" for b in plain if b["reaches_tau"])
    # P lies on a second branch, born at a fold in tau above 1/4
    folds = [e for e in tau["P_branch_upward"]["events"] if e["type"] == "fold"]
    assert folds and 0.25 < folds[0]["tau"] < 1.0


def test_regularised_a3_is_decided_and_its_node_values_recheck(regularised):
    """A3 decided (trace-certified, true) and the enclosures of <M, n_P> at the reported
    nodes hold det[v, M] / |v| recomputed at 40 digits with mpmath (n_P is v rotated)."""
    a3 = next(c for c in regularised["conditions"] if c["id"] == "A3")
    assert (a3["holds"], a3["certified"]) == (True, "trace-certified")
    g = entropy_regularized(builtin("stag-hunt", "logit"), sp.Rational(1, 4)).substitute()
    dec = Decomposition(g, eta=ETA)
    M = dec.own + dec.peer
    f = sp.lambdify(g.parameters, [*M, *dec.cur], "mpmath")
    for node, (lo, hi) in a3["evidence"]["first_nodes"][1:]:
        with mpmath.workdps(40):
            m0, m1, v0, v1 = f(*[mpmath.mpf(float(x)) for x in node])
            val = abs(v0 * m1 - v1 * m0) / mpmath.sqrt(v0 ** 2 + v1 ** 2)
        assert lo <= float(val) <= hi and lo > 0


@pytest.fixture(scope="module")
def direct(checked_direct_sh):
    """`check_game(builtin("stag-hunt", "direct"), "peer-only", eta=ETA, statements=False)`."""
    return checked_direct_sh


def test_direct_peer_only_a3_is_exact_and_positive(direct):
    """Sigma is p1 + p2 = 4/3 (from (1/3, 1) to (1, 1/3)); with n_P = (1, 1) towards (C, C),
    <M, n_P> = 3 eta (3 p1 + 1) + 3 eta (3 p2 + 1) = 3 eta (3 * 4/3 + 2) = 18 eta = 99/10 > 0:
    a constant polynomial on the segment, so no root and a positive sign."""
    a3 = direct.verdict("A3")
    assert a3.holds is True and a3.certified.value == "exact"
    assert a3.values["inner_product"] == 18 * ETA
    assert a3.evidence["root_isolating_intervals"] == () and a3.evidence["sturm_root_count"] == 0
    x0 = sp.Matrix(a3.values["saddle"])
    assert sum(x0) == sp.Rational(4, 3)
    lo, hi = a3.values["s_range"]  # the segment runs wall to wall inside the box
    assert hi - lo == sp.Rational(2, 3)


def test_direct_peer_only_a4_is_exact_and_fails(direct):
    """g = <peer, grad W> = 3 eta [(3 p1 + 1)(6 p2 - 1) + (3 p2 + 1)(6 p1 - 1)]
    (grad_1 W = 6 p2 - 1), negative near (0, 0) (g(0, 0) = -6 eta): A4 fails."""
    a4 = direct.verdict("A4")
    p1, p2 = builtin("stag-hunt", "direct").parameters
    g = 3 * ETA * ((3 * p1 + 1) * (6 * p2 - 1) + (3 * p2 + 1) * (6 * p1 - 1))
    assert sp.expand(a4.values["inner_product"] - g) == 0
    assert a4.holds is False and a4.certified.value == "exact"
    pt = a4.values["counterexample"]
    assert g.subs({p1: pt[0], p2: pt[1]}) == a4.values["value_there"] < 0


def test_direct_peer_only_a5_reports_the_corner_leaving_at_40_33(direct):
    a5 = direct.verdict("A5")
    assert a5.holds is True
    assert a5.values["selection_global_beyond"] == sp.Rational(40, 33)


def test_preferring_the_risk_dominant_flips_a3(direct):
    flipped = check_game(builtin("stag-hunt", "direct"), "peer-only", eta=ETA,
                         preferred="D,D", statements=False)
    assert flipped.preferred.point == (0.0, 0.0)
    assert direct.verdict("A3").holds is True and flipped.verdict("A3").holds is False
    assert flipped.verdict("A3").values["inner_product"] == -18 * ETA


def test_cli_text_and_latex(printed):
    text = printed(["check", "stag-hunt", "--param", "direct", "--method", "peer-only"])
    assert "A3" in text and "holds" in text
    tex = printed(["check", "stag-hunt", "--param", "direct", "--method", "peer-only",
                   "--latex"])
    assert "\\begin{description}" in tex and "\\item[A4]" in tex


@pytest.mark.parametrize("args, needle", [
    (["--preferred", "X,Y"], "not an action"),
    (["--preferred", "7"], "fixed-point list"),
    (["--method", "sgd"], "unknown method"),
])
def test_bad_check_input_exits_2(args, needle, capsys):
    assert main(["check", "stag-hunt", "--param", "direct", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("eqselect: error:") and needle in err


def _claim(doc, id):
    return next(c for c in doc["claims"] if c["id"] == id)


def test_regularised_statements_and_their_evidence(regularised):
    ift = _claim(regularised, "ift-shift")
    assert ift["holds"] is True and ift["values"]["relative_error"] < 1e-4
    radius = _claim(regularised, "radius")
    assert radius["holds"] is True and radius["certified"] == "interval"
    # re-check the contraction inequality at sampled points of the ball, at 30 digits
    g = entropy_regularized(builtin("stag-hunt", "logit"), sp.Rational(1, 4)).substitute()
    sf = ShapingField(Decomposition(g, eta=ETA), Rule("meta-mapg"))
    F = sp.lambdify(g.parameters, list(sf.F(sp.Rational(3, 2))), "mpmath")
    c, rho, m = (radius["values"][k] for k in ("phi*_lambda", "rho", "m"))
    rng = np.random.default_rng(1)
    for _ in range(20):
        u = rng.normal(size=2)
        x = np.asarray(c) + rho * rng.uniform() * u / np.linalg.norm(u)
        with mpmath.workdps(30):
            h = [mpmath.mpf(float(a)) - mpmath.mpf(float(b)) for a, b in zip(x, c)]
            val = F(*[mpmath.mpf(float(a)) for a in x])
            lhs = sum(a * b for a, b in zip(val, h))
            assert lhs <= -m / 2 * sum(a * a for a in h) + 1e-20
    two = _claim(regularised, "two-phase")
    assert two["holds"] is False and two["values"]["p"] == "6/25"
    assert _claim(regularised, "weyl")["holds"] is True


def test_a_regularised_game_is_checked_at_its_own_temperature(checked_regularised_sh):
    """Guards `eqselect report GAME --tau T`: the report passed its regularised
    game and tau again, so its alignment verdicts were those of tau = 2T.
    T = 1/2: the checks at T and 2T differ, and each searches a smaller box than at 1/10."""
    tau = sp.Rational(1, 2)
    reg = entropy_regularized(builtin("stag-hunt"), tau)
    # check_game(builtin("stag-hunt"), "peer-only", tau=tau, statements=False)
    plain = checked_regularised_sh
    own = check_game(reg, "peer-only", statements=False)
    assert own.to_json() == plain.to_json()
    assert check_game(reg, "peer-only", tau=tau, statements=False).to_json() == plain.to_json()
    with pytest.raises(GameError, match="already entropy-regularised"):
        check_game(reg, "peer-only", tau=2 * tau)


def test_check_game_uses_the_decomposition_it_is_given(direct):
    """The report shares its decomposition with the checker instead of deriving
    the game twice (the same verdicts as `direct`, which derives its own); a
    decomposition of another game is refused."""
    game = builtin("stag-hunt", "direct")
    dec = Decomposition(game, eta=ETA)
    shared = check_game(game, "peer-only", eta=ETA, decomposition=dec, statements=False)
    assert shared.to_json() == direct.to_json()
    with pytest.raises(GameError, match="not that of the checked game"):
        check_game(builtin("chicken", "direct"), "peer-only", eta=ETA, decomposition=dec)
    with pytest.raises(GameError, match="not that of the checked game"):
        check_game(game, "peer-only", eta=sp.Rational(1, 2), decomposition=dec)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_check_latex_compiles_within_the_page(printed, tmp_path):
    """Guards `eqselect check --latex`: its table ran 180 pt past an A4 page
    with 2 cm margins (columns sized to their content)."""
    from eqselect.theory.latex import PREAMBLE

    tex = printed(["check", "stag-hunt", "--param", "direct", "--method", "peer-only",
                   "--latex"])
    (tmp_path / "c.tex").write_text(PREAMBLE + "\\begin{document}\n" + tex
                                    + "\\end{document}\n")
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "c.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    log = (tmp_path / "c.log").read_text(errors="replace")
    assert proc.returncode == 0, log[-2000:]
    assert "Overfull \\hbox" not in log


def test_an_irrational_saddle_is_decided_on_the_exact_segment():
    """Payoffs [[sqrt(2), 0], [log(3), 1]] under direct: the saddle p1 = p2 =
    1 / (1 + sqrt(2) - log(3)) is exact but irrational; Sigma is still the exact line
    p1 + p2 = 2 p* and <M, n_P> an exact constant whose sign is proven, which agrees with
    a 50-digit evaluation of 2 eta k (k p* + (c - d)) * 2, k = a - b - c + d."""
    from eqselect.theory import normal_form_game

    irr = [[[sp.sqrt(2), 0], [sp.log(3), 1]], [[sp.sqrt(2), sp.log(3)], [0, 1]]]
    a3 = check_game(normal_form_game(irr, "direct"), "peer-only", eta=ETA,
                    statements=False).verdict("A3")
    assert a3.certified.value == "exact" and a3.holds is not None
    k = sp.sqrt(2) - 0 - sp.log(3) + 1
    p_star = 1 / (1 + sp.sqrt(2) - sp.log(3))
    # peer_1 = eta k (k p1 + (c - d)); on p1 + p2 = 2 p*, n_P = (1, 1) up to scale
    expected = ETA * k * (k * 2 * p_star + 2 * (sp.log(3) - 1))
    n = sp.Matrix(a3.values["normal_toward_P"])
    scale = n[0]
    assert n[1] == scale
    got = a3.values["inner_product"] / scale
    assert abs(sp.N(got - expected, 50)) < 1e-40
    assert a3.holds == bool(sp.N(expected, 50) > 0)
