"""The plots package: one convention (a finished Figure; a file when given a path),
legends, names from the game, distinguishable branches, one basin renderer."""

from types import SimpleNamespace

import matplotlib
import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from eqselect.numerics.continuation.branches import continue_in_lambda
from eqselect.numerics.dynamics.basins import basin_map, basin_monte_carlo
from eqselect.numerics.dynamics.starts import grid_starts
from eqselect.numerics.dynamics.separatrix import separatrix
from eqselect.numerics.fixed_points.core.record import Equilibrium, Route, Stability
from eqselect.numerics.plots.bifurcation import bifurcation_diagram
from eqselect.numerics.plots.portrait import (
    SUCCESS_COLORS, basin_plot, draw_starts, phase_portrait, probability_field)
from eqselect.numerics.plots.style import new_figure, parameter_label
from eqselect.numerics.plots.tikz import bifurcation_tikz, phase_portrait_tikz
from eqselect.theory import Rule, builtin
from eqselect.numerics.dynamics.starts import GridStarts, SampledStarts

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def peer_branches(direct_sh):
    return continue_in_lambda(direct_sh, Rule("peer-only", own_coef=0.35), (0, 3))


def _points():
    return [Equilibrium((1.0, 1.0), None, (), Stability.STABLE, (), 0.0, True, True, Route.EXACT),
            Equilibrium((2 / 3, 2 / 3), None, (), Stability.SADDLE, (), 0.0, True, False,
                        Route.EXACT)]


def _is_png(path):
    data = path.read_bytes()
    return len(data) > 1000 and data[:8] == PNG


def test_phase_portrait_returns_a_figure_and_writes_the_file(direct_sh, logit_sh, tmp_path):
    backend = matplotlib.get_backend()
    sep = separatrix(direct_sh, (2 / 3, 2 / 3), Rule("pg"))
    fig = phase_portrait(direct_sh, Rule("pg"), fixed_points=_points(), separatrix=sep,
                         path=tmp_path / "phase.png")
    assert isinstance(fig, Figure) and _is_png(tmp_path / "phase.png")
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert {"separatrix", "stable", "saddle"} <= set(labels)
    assert "theta_{1}" in fig.axes[0].get_xlabel() or "p_{1}" in fig.axes[0].get_xlabel()
    assert "$p_{2}$" in fig.axes[0].get_ylabel()
    fig = phase_portrait(logit_sh, Rule("meta-mapg", 1.5, 0.35))  # no path: the figure only
    assert isinstance(fig, Figure) and r"$\theta_{1}$" in fig.axes[0].get_xlabel()
    assert matplotlib.get_backend() == backend  # the user's backend is left alone


def test_rule_and_explicit_coefficients_give_the_same_field(logit_sh):
    from eqselect.theory.rules import resolve

    a = probability_field(logit_sh, Rule("meta-mapg", lam=2, own_coef=0.5), n=4)
    b = probability_field(logit_sh, resolve("meta-mapg", 2.0, 0.5), n=4)
    c = probability_field(logit_sh, Rule("meta-mapg"), n=4)  # the paper's lambda 3/2
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.allclose(a[2], c[2])


def test_basin_plot_has_a_legend_of_the_outcomes(logit_sh, tmp_path):
    bm = basin_map(logit_sh, Rule("pg"), steps=30, starts=GridStarts(grid=7))
    fig = basin_plot(bm, tmp_path / "basin.png", game=logit_sh.game)
    assert _is_png(tmp_path / "basin.png")
    legend = fig.axes[0].get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert len(texts) == len(set(bm.success.tolist()))
    colors = {to_hex(h.get_facecolor()) for h in legend.legend_handles}
    assert colors == {to_hex(SUCCESS_COLORS[int(v)]) for v in set(bm.success.tolist())}
    mc = basin_monte_carlo(logit_sh, Rule("pg"), steps=20, starts=SampledStarts(n=60, seed=0))
    assert isinstance(basin_plot(mc, tmp_path / "mc.png"), Figure) and _is_png(tmp_path / "mc.png")


def test_grid_cells_sit_where_their_starts_are():
    """draw_starts puts start k of grid_starts at its own (p1, p2) cell."""
    g = 5
    p = grid_starts(2, g, 0.05, 0.95)
    value = (p[:, 0] > p[:, 1]).astype(int)  # an asymmetric pattern catches a transpose
    fig, ax = new_figure()
    draw_starts(ax, p, value, SUCCESS_COLORS, ("no", "yes"), grid=g)
    mesh = ax.collections[0]
    cells = np.asarray(mesh.get_array()).reshape(g, g)  # rows: p2, columns: p1
    axis = np.linspace(0.05, 0.95, g)
    for i, y in enumerate(axis):
        for j, x in enumerate(axis):
            assert cells[i, j] == int(x > y)


def test_bifurcation_branches_stay_distinguishable(peer_branches, tmp_path):
    names = [parameter_label(s) for s in builtin("stag-hunt", "direct").parameters]
    fig = bifurcation_diagram(peer_branches, 1, tmp_path / "bif.png", names=names)
    assert _is_png(tmp_path / "bif.png")
    ax = fig.axes[0]
    assert ax.get_ylabel() == "$p_{2}$" and ax.get_xlabel() == r"$\lambda$"
    drawn = [ln for ln in ax.get_lines() if len(ln.get_xdata()) > 1]
    style = {(to_hex(ln.get_color()), ln.get_marker()) for ln in drawn}
    assert len(style) == len(peer_branches.branches)  # one colour and marker per branch
    labels = ax.get_legend_handles_labels()[1]
    assert {"stable", "not stable", "branch point", "boundary point"} <= set(labels)
    # the legend numbers the branches as the continue text and JSON do: 0 .. N-1
    numbered = [lab.split(":")[0] for lab in labels if lab.startswith("branch ")
                and lab != "branch point"]
    assert numbered == [f"branch {k}" for k in range(len(peer_branches.branches))]
    faces = {lab.split(": ", 1)[1] for lab in labels if ": " in lab}
    assert faces == {br.face for br in peer_branches.branches if br.face}


def test_tikz_versions_carry_the_same_data(peer_branches, direct_sh, tmp_path):
    tex = bifurcation_tikz(peer_branches, 0, ylabel="p_{1}", path=tmp_path / "bif.tex")
    assert (tmp_path / "bif.tex").read_text() == tex
    n_runs = tex.count(r"\addplot[eqs")
    assert n_runs >= len(peer_branches.branches)
    for ev in peer_branches.events:
        assert f"({ev.value:.6g},{ev.point[0]:.6g})" in tex
    tex = phase_portrait_tikz(direct_sh, Rule("pg"), fixed_points=_points(), n=5)
    assert "quiver" in tex and tex.count("only marks") == 2 and "**" not in tex


def _title_fits(fig) -> bool:
    fig.canvas.draw()
    box = fig.axes[0].title.get_window_extent(fig.canvas.get_renderer())
    return box.x0 >= 0 and box.x1 <= fig.bbox.width and box.y1 <= fig.bbox.height


def test_basin_titles_fit_the_figure(tmp_path):
    """A 3-player Monte-Carlo map's title (game, method, fraction and interval)
    ran past the right edge; long custom titles and attractor names too."""
    from eqselect.numerics.dynamics.attractors import attractor_list
    from eqselect.numerics.fixed_points.find import find_equilibria
    from eqselect.theory import Decomposition
    from eqselect.theory.games.normal_form import normal_form_game

    pay = [[[[4, 0], [0, 0]], [[2, 2], [2, 2]]], [[[4, 0], [2, 2]], [[0, 0], [2, 2]]],
           [[[4, 2], [0, 2]], [[0, 2], [0, 2]]]]
    game = normal_form_game(pay, "direct", name="three-stag", players=["a1", "a2", "a3"],
                            action_names=[["S", "H"]] * 3)
    dec = Decomposition(game, eta=0.55)
    found = find_equilibria(dec, Rule("meta-mapg"))
    bm = basin_monte_carlo(dec, Rule("meta-mapg"), steps=20, equilibria=found,
                           starts=SampledStarts(n=40))
    assert attractor_list(game, found)
    assert _title_fits(basin_plot(bm, tmp_path / "b3.png", game=game))
    assert _title_fits(basin_plot(bm, tmp_path / "t.png", title="x" * 30 + " y" * 40))


def test_a_mixed_attractor_named_by_its_profile_keeps_the_map_readable(tmp_path):
    """An interior attractor of a 3x3 game is named by its profile, some 60
    characters: on one legend line it ran past the figure's edge, and with a
    three-line title the layout shrank the map to a stamp with the legend
    over its axis label."""
    import warnings
    from dataclasses import replace

    from eqselect.numerics.fixed_points.find import find_equilibria
    from eqselect.theory import Decomposition

    dec = Decomposition(builtin("stag-hunt", "logit"), eta=0.55)
    found = find_equilibria(dec, Rule("meta-mapg"))
    bm = basin_map(dec, Rule("meta-mapg"), GridStarts(9), steps=20, equilibria=found)
    long = "(0.339 R + 0.366 P + 0.295 S, 0.339 R + 0.366 P + 0.295 S)"
    first = bm.attractors[0]
    bm = replace(bm, attractors=[replace(first, name=long), *bm.attractors[1:]],
                 shares={long if k == first.name else k: v for k, v in bm.shares.items()},
                 preferred=long)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns when no layout fits
        fig = basin_plot(bm, tmp_path / "long.png", game=dec.game)
    ax, renderer = fig.axes[0], fig.canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    label = ax.xaxis.label.get_window_extent(renderer)
    # with room to spare: text is wider in a PNG written at another resolution
    assert 0 <= legend.x0 and legend.x1 <= 0.95 * fig.bbox.width
    assert legend.y1 <= label.y0  # under the axis label, not over it
    assert ax.get_position().width > 0.5  # the map keeps over half the figure's width
    assert any(long[:20] in t.get_text() for t in ax.get_legend().get_texts())
    assert _title_fits(fig)


def test_a_map_by_attractor_that_counts_the_success_predicate_says_so_in_its_title():
    """Guards ``eqselect basins stag-hunt --plot``: the command's fraction (43.5%) is
    the paper's success predicate, while the title said "no attractor to prefer"."""
    from dataclasses import replace

    from eqselect.numerics.fixed_points.find import find_equilibria
    from eqselect.numerics.plots.portrait import basin_title
    from eqselect.theory import Decomposition

    dec = Decomposition(builtin("stag-hunt", "logit"), eta=0.55)
    found = find_equilibria(dec, Rule("meta-mapg"))
    bm = basin_map(dec, Rule("meta-mapg"), GridStarts(9), steps=40, equilibria=found)
    assert bm.shares is not None and bm.preferred is None
    judge = bm.problem.judge
    counted = replace(bm, problem=replace(bm.problem, judge=replace(judge, predicate=True)),
                      fraction=0.435)
    assert basin_title(counted).endswith("\nsuccess predicate: 43.5%")
    nothing = replace(bm, problem=replace(bm.problem, judge=replace(judge, predicate=False)))
    assert basin_title(nothing).endswith("\nno attractor to prefer")


def test_a_slice_map_states_what_lies_off_its_axes_in_its_title():
    """A slice of a larger game holds the other coordinates fixed: the figure says at
    what (the ``--fix`` values, or the rest uniform), as the command's text does."""
    from eqselect.numerics.dynamics.basins import run_basins
    from eqselect.numerics.dynamics.problem import BasinProblem
    from eqselect.numerics.dynamics.slices import SliceStarts
    from eqselect.numerics.plots.portrait import basin_title
    from eqselect.theory import Decomposition, normal_form_game

    game = normal_form_game([[[[4, 0], [0, 0]], [[3, 3], [3, 3]]]] * 3, "logit", name="three")
    dec = Decomposition(game.substitute(), eta=0.55)
    for fixed, held in (((), "the rest uniform"), ((("3:0", 0.25),), "3:0=0.25")):
        starts = SliceStarts(5, ("1:0", "2:0"), fixed)
        bm = run_basins(BasinProblem(dec, Rule("pg"), starts, 3))
        assert starts.held() == held
        assert basin_title(bm).endswith(f"\nslice at {held}")
        p3 = 1 / (1 + np.exp(-bm.starts[:, 2]))  # player 3's probability of action 0
        assert np.allclose(p3, 0.5 if not fixed else 0.25)
