"""Network games checked from outside: the sparse field against the terms written
by hand from the edge payoffs, and the fixed points of a small graph game against
the same game written as an explicit normal-form game."""

from __future__ import annotations

import itertools
import json

import networkx as nx
import numpy as np
import pytest

from eqselect.theory import Rule
from eqselect.theory.network import network_game
from eqselect.numerics.network.equilibria import consensus_points
from eqselect.numerics.network.field import NetworkField
from eqselect.numerics.network.newton import NewtonOptions, network_equilibria
from eqselect.numerics.sources.fields import float_coefficients

ETA = 0.55
STAG = [[4, 0], [3, 2]]


def _random_network(param: str, n: int = 200, seed: int = 3):
    """A random graph of n agents with random integer payoffs edge by edge."""
    g = nx.gnm_random_graph(n, 3 * n, seed=seed)
    rng = np.random.default_rng(seed)
    pay = {(u, v): (rng.integers(-5, 6, (2, 2)).tolist(), rng.integers(-5, 6, (2, 2)).tolist())
           for u, v in g.edges}
    return g, pay, network_game(g, pay, param)


def _by_hand(g, pay, names, t, param):
    """cur, own, peer, look-ahead at parameters t (one per agent, in ``names`` order).

    Edge i -> j with payoff P (A_uv = row, A_vu = column^T, docs/networks.md):
    u = p_i p_j P00 + p_i (1 - p_j) P01 + (1 - p_i) p_j P10 + (1 - p_i)(1 - p_j) P11,
    du/dp_i = B = p_j (P00 - P10) + (1 - p_j)(P01 - P11),
    du/dp_j = C = p_i (P00 - P01) + (1 - p_i)(P10 - P11), d2u/dp_i dp_j = S.
    With s', s'' the derivatives of p(t) (1, 0 direct; p(1-p), p(1-p)(1-2p) logit):
    g_i = s'_i sum B, own_i = eta s''_i (sum B) g_i,
    peer_i = eta sum_j (s'_i s'_j S_ji)(s'_j C_ij), la_i = eta sum_j s'_i s'_j S_ij g_j.
    """
    at = {str(name): k for k, name in enumerate(names)}  # agents are named by str(node)
    p = t if param == "direct" else 1 / (1 + np.exp(-t))
    d1 = np.ones_like(p) if param == "direct" else p * (1 - p)
    d2 = np.zeros_like(p) if param == "direct" else p * (1 - p) * (1 - 2 * p)
    edges = {}
    for (u, v), (row, col) in pay.items():
        edges[(at[str(u)], at[str(v)])] = np.array(row, float)
        edges[(at[str(v)], at[str(u)])] = np.array(col, float).T
    sum_b = np.zeros_like(p)
    for (i, j), P in edges.items():
        sum_b[i] += p[j] * (P[0, 0] - P[1, 0]) + (1 - p[j]) * (P[0, 1] - P[1, 1])
    g_ = d1 * sum_b
    own = ETA * d2 * sum_b * g_
    peer, la = np.zeros_like(p), np.zeros_like(p)
    for (i, j), P in edges.items():
        Q = edges[(j, i)]
        s_ij = P[0, 0] - P[0, 1] - P[1, 0] + P[1, 1]
        s_ji = Q[0, 0] - Q[0, 1] - Q[1, 0] + Q[1, 1]
        c_ij = p[i] * (P[0, 0] - P[0, 1]) + (1 - p[i]) * (P[1, 0] - P[1, 1])
        peer[i] += ETA * d1[i] * d1[j] * s_ji * d1[j] * c_ij
        la[i] += ETA * d1[i] * d1[j] * s_ij * g_[j]
    return {"cur": g_, "own": own, "peer": peer, "lookahead": la}


@pytest.mark.parametrize("param", ["direct", "logit"])
def test_field_of_two_hundred_agents_equals_the_terms_by_hand(param):
    g, pay, net = _random_network(param)
    field = NetworkField(net, ETA)
    rng = np.random.default_rng(7)
    for _ in range(3):
        t = rng.uniform(0, 1, net.n_agents) if param == "direct" \
            else rng.normal(0, 2, net.n_agents)
        got = field.components(t[None, :])
        want = _by_hand(g, pay, net.graph.names, t, param)
        for name in ("cur", "own", "peer", "lookahead"):
            assert np.allclose(got[name][0], want[name], rtol=1e-12, atol=1e-10), name


def _path_of_three_file(tmp_path) -> str:
    """Stag Hunt on the path 1 - 2 - 3 as a three-player normal-form game file:
    the ends play the edge game once, the middle agent twice."""
    pay = [np.zeros((2, 2, 2), int) for _ in range(3)]
    for a1, a2, a3 in itertools.product(range(2), repeat=3):
        pay[0][a1, a2, a3] = STAG[a1][a2]
        pay[1][a1, a2, a3] = STAG[a2][a1] + STAG[a2][a3]
        pay[2][a1, a2, a3] = STAG[a3][a2]
    path = tmp_path / "path3.json"
    path.write_text(json.dumps({"name": "path3", "players": ["1", "2", "3"],
                                "actions": [["S", "H"]] * 3,
                                "payoffs": [p.tolist() for p in pay]}))
    return str(path)


@pytest.mark.parametrize("lam", [1, 1.5])
def test_consensus_corners_equal_the_normal_form_games(tmp_path, lam):
    """The corners the network route lists are the normal-form game's vertex fixed
    points, with the same stability, margin mu and eigenvalues (-multipliers);
    at lambda = 1.5 the shaping pushes every agent off all-hare (F_i(0) > 0):
    neither lists it."""
    import eqselect as eq

    from eqselect.theory.io.resolve import load_game

    game = load_game(_path_of_three_file(tmp_path), "direct")
    rule = Rule("meta-mapg", lam=lam, own_coef=0.35)
    exact = eq.find_equilibria(eq.Decomposition(game, eta=ETA), rule)
    assert exact.complete
    corners = {tuple(e.point): e for e in exact.equilibria
               if all(v in (0.0, 1.0) for v in e.point) and e.point[0] == e.point[1] == e.point[2]}
    net = network_game(nx.path_graph(3), (STAG, [[4, 3], [0, 2]]), "direct")
    found = network_equilibria(NetworkField(net, ETA), rule, NewtonOptions(seeds=8))
    listed = {tuple(e.point): e for e in found if e.route == "consensus"}
    assert set(listed) == set(corners)
    for x, e in listed.items():
        assert e.stability == corners[x].stability.value
        assert e.mu == pytest.approx(float(corners[x].mu), rel=1e-12)
        assert sorted(z.real for z in e.eigenvalues) == pytest.approx(
            sorted(complex(z).real for z in corners[x].eigenvalues), rel=1e-12)
    interior = [e for e in exact.equilibria if e.stability.value == "unstable"]
    for e in interior:  # the totally mixed point, by Newton on the sparse field
        assert any(np.allclose(f.point, np.array(e.point, float), atol=1e-8)
                   and f.mu == pytest.approx(float(e.mu), rel=1e-8) for f in found)


def test_a_corner_the_field_leaves_is_no_fixed_point_on_a_large_ring():
    """Ring of 300 agents, Meta-MAPG at lambda = 1.5: F_i(all hare) = 2 ((b - d)
    + lambda eta S (c - d)) = 2 (-2 + 1.5 * 0.55 * 3) > 0 for every agent, so the
    projected dynamics leaves the corner; all stag keeps m_i = 2 (1 + 1.5 * 0.55 * 3 * 4)."""
    net = network_game(nx.cycle_graph(300), (STAG, [[4, 3], [0, 2]]), "direct")
    coef = float_coefficients(Rule("meta-mapg", lam=1.5, own_coef=0.35))
    points = consensus_points(NetworkField(net, ETA), coef)
    [stag] = points
    assert np.all(stag.point == 1.0)
    assert stag.stability == "stable"
    assert stag.mu == pytest.approx(2 * (1 + 1.5 * ETA * 3 * 4))
    assert len(stag.eigenvalues) == 4
    assert all(z.real == pytest.approx(-stag.mu) for z in stag.eigenvalues)


def test_the_text_of_equilibria_names_the_direct_coordinates_p(tmp_path, capsys):
    """Under the direct parameterisation the parameters are probabilities p (DESIGN's
    p1, p2, ...), not logits theta: the interior point of a ring reads 'p in [...]'."""
    from eqselect.cli import main

    game = tmp_path / "ring.toml"
    game.write_text('name = "ring"\ngraph = "ring:6"\nactions = ["Stag", "Hare"]\n'
                    'payoffs = [[[4, 0], [3, 2]], [[4, 3], [0, 2]]]\n')
    for param, word in (("direct", "p in [0.6667, 0.6667]"), ("logit", "theta in [0.6931")):
        assert main(["equilibria", str(game), "--param", param, "--method", "pg"]) == 0
        assert word in capsys.readouterr().out


@pytest.mark.parametrize("param", ["direct", "logit"])
def test_path_of_three_field_equals_the_normal_form_games(tmp_path, param):
    """The four terms of the sparse field equal those the general derivation gives
    for the same game written out as a three-player normal-form game."""
    import sympy as sp

    from eqselect.theory import Decomposition
    from eqselect.theory.io.resolve import load_game

    dec = Decomposition(load_game(_path_of_three_file(tmp_path), param), eta=sp.Rational(11, 20))
    net = network_game(nx.path_graph(3), (STAG, [[4, 3], [0, 2]]), param)
    field = NetworkField(net, ETA)
    points = np.random.default_rng(5).uniform(0.05, 0.95, (4, 3))
    if param == "logit":
        points = np.log(points / (1 - points))
    got = field.components(points)
    for name in ("cur", "own", "peer", "lookahead"):
        f = sp.lambdify(dec.game.parameters, list(getattr(dec, name)), "math")
        want = np.array([f(*x) for x in points])
        assert np.allclose(got[name], want, rtol=1e-12, atol=1e-12), name


def test_a_network_basin_map_past_the_time_limit_is_refused_before_it_runs(tmp_path, capsys):
    """1000 starts x 10^5 steps on a ring of 2000 agents is about 4 x 10^11 edge-steps
    (over an hour): refused in one line naming --samples, as the report refuses its
    basin work, instead of running past --time-limit; the defaults still run."""
    from eqselect.cli import main

    game = tmp_path / "ring.toml"
    game.write_text('name = "ring"\ngraph = "ring:2000"\nactions = ["Stag", "Hare"]\n'
                    'payoffs = [[[4, 0], [3, 2]], [[4, 3], [0, 2]]]\n')
    args = ["basins", str(game), "--param", "direct", "--method", "pg"]
    assert main(args + ["--samples", "1000", "--steps", "100000"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "past the time limit" in err and "--samples" in err
    assert main(args + ["--samples", "4", "--steps", "20"]) == 0


def _ring_kernel(param: str, n: int = 40, lam=1.5):
    from eqselect.numerics.dynamics.schedules import PaperSchedule
    from eqselect.numerics.network.kernel import network_kernel

    g = nx.cycle_graph(n)
    net = network_game(g, {e: (STAG, STAG) for e in g.edges}, param)
    return network_kernel(NetworkField(net, ETA), PaperSchedule(), Rule("meta-mapg", lam=lam))[0]


@pytest.mark.parametrize("param", ["logit", "direct"])
def test_network_steps_in_slices_are_the_steps_in_one_call(param, monkeypatch):
    """One step a call (the smallest slice) gives the bits of one call for all steps,
    also when the run starts at a later step of the schedule."""
    from eqselect.numerics.network import kernel as module
    from eqselect.numerics.dynamics.kernels.run import run_compiled

    pytest.importorskip("numba")
    kern = _ring_kernel(param)
    rng = np.random.default_rng(4)
    x0 = rng.uniform(-2, 2, (30, 40)) if param == "logit" else rng.random((30, 40))
    whole = [run_compiled(kern, x0, 37, start=s)[0] for s in (0, 11)]
    monkeypatch.setattr(module, "SLICE_WORK", 1)
    sliced = [run_compiled(kern, x0, 37, start=s)[0] for s in (0, 11)]
    assert all(np.array_equal(a, b) for a, b in zip(whole, sliced))
    assert not np.array_equal(whole[0], x0)


#: Steps of the interrupted run: 4096 starts x 80 edges x 4000 steps, 1.3e9 edge-steps.
STOPPED_STEPS = 4000


def test_a_stopping_run_drops_its_queued_chunks_and_ends_its_long_call(monkeypatch):
    """Ctrl-C in the thread that waits for the chunks: the chunks not begun are not
    run, and a network call in progress stops at its next slice."""
    import signal
    import time

    from eqselect.numerics.network import kernel as module
    from eqselect.numerics.dynamics.kernels import run as runner

    pytest.importorskip("numba")
    kern = _ring_kernel("logit")
    x0 = np.zeros((4096, 40))
    runner.run_compiled(kern, x0[:2], 2)  # compiled (or loaded) before the clock starts
    monkeypatch.setattr(module, "SLICE_WORK", 1 << 12)  # about 2 steps of a chunk a call

    def interrupt(*_):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    t0 = time.perf_counter()
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(KeyboardInterrupt):
            runner.run_compiled(kern, x0, STOPPED_STEPS)  # seconds of work if it all ran
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.perf_counter() - t0 < 3.0
    assert not runner.stopping()  # no stop is left over for the next run
    final, _ = runner.run_compiled(kern, x0[:8], 30)  # and the next run runs whole
    assert np.array_equal(final, runner.run_compiled(kern, x0[:8], 30)[0])


def test_a_run_that_stops_never_cuts_short_another_threads_run(monkeypatch):
    """Two maps at once: one fails in a chunk and stops; the other, in its own
    thread, still runs every step (its end points equal a run made alone)."""
    import threading

    from eqselect.numerics.network import kernel as module
    from eqselect.numerics.dynamics.kernels import run as runner

    pytest.importorskip("numba")
    kern = _ring_kernel("logit")
    x0 = np.random.default_rng(9).uniform(-1, 1, (512, 40))
    alone = runner.run_compiled(kern, x0, 300)[0]
    monkeypatch.setattr(module, "SLICE_WORK", 1 << 12)

    class Failing:
        def run(self, *args):
            raise RuntimeError("a chunk failed")

    out = {}
    long_run = threading.Thread(target=lambda: out.update(x=runner.run_compiled(kern, x0, 300)))
    long_run.start()
    for _ in range(20):  # stops while the other run is under way
        with pytest.raises(RuntimeError):
            runner.run_compiled(Failing(), np.zeros((4096, 40)), 5)
    long_run.join()
    assert np.array_equal(out["x"][0], alone)
