r"""The IPD's field from its Markov chain: gradients and Hessian-vector products.

The discounted memory-one IPD (`eqselect.theory.games.ipd`) has values
J_c = q0 N r_c with N = (I - gamma P)^{-1}. Its closed-form field (the
values differentiated twice symbolically) has about 12 000 operations;
per point the same field costs a 4 x 4 inverse (Laplace expansion in
2 x 2 minors) and a few products of length 4, because every parameter
touches either q0 or one row of P.

Notation. Agent a in {0, 1}, state s in {0, ..., 4}, parameter
theta_{a,s} (column 5 a + s of a point), x_{a,s} = pi_a(C | s):
sigma(theta) under logit, theta itself under direct, with
sigma' = x (1 - x) and sigma'' = x (1 - x)(1 - 2 x) (1 and 0 under direct).
b = 1 - a is the other agent. The outcome distribution of state s is

    rho_s = (x_0 x_1, x_0 (1 - x_1), (1 - x_0) x_1, (1 - x_0)(1 - x_1)),

bilinear in (x_{0,s}, x_{1,s}): q0 = rho_0 and row k of P is rho_{k+1}. So
d rho_s / d x_a . y is x_b (y_0 - y_2) + (1 - x_b)(y_1 - y_3) for a = 0 and
x_b (y_0 - y_1) + (1 - x_b)(y_2 - y_3) for a = 1, d^2 rho / d x_a^2 = 0 and
d^2 rho / d x_0 d x_1 = kappa = (1, -1, -1, 1).

Gradient. With v_c = N r_c, w = q0 N and e_{c,a,s} = d rho_s / d x_a . v_c,

    dJ_c / d theta_{a,0} = sigma'_{a,0} e_{c,a,0},
    dJ_c / d theta_{a,s} = gamma w_{s-1} sigma'_{a,s} e_{c,a,s}   (s >= 1),

from dN = gamma N dP N: dJ = dq0 . v + gamma w dP v, and dP has one row.

Hessian-vector product. For a direction u (one entry per parameter), the
derivatives of q0, P, v and w along u are

    dq[u]  = sum_b u_{b,0} sigma'_{b,0} d rho_0 / d x_b,
    z_k    = sum_b u_{b,k+1} sigma'_{b,k+1} e_{c,b,k+1}         (dP[u] v_c),
    dv[u]  = gamma N z,
    dw[u]  = (dq[u] + gamma sum_k w_k sum_b u_{b,k+1} sigma'_{b,k+1}
              d rho_{k+1} / d x_b) N,

and the second derivatives of rho live within one state, so with
t_{a,s} = sigma''_{a,s} u_{a,s} e_{c,a,s} + sigma'_{a,s} sigma'_{b,s}
u_{b,s} (kappa . v_c) and d_{a,s} = d rho_s / d x_a . dv[u]:

    (Hess J_c u)_{a,0} = t_{a,0} + sigma'_{a,0} d_{a,0},
    (Hess J_c u)_{a,s} = gamma (sigma'_{a,s} (dw_{s-1} e_{c,a,s} + w_{s-1} d_{a,s})
                                + w_{s-1} t_{a,s})                  (s >= 1):

O(d) work per product after the inverse. The terms of the decomposition
(`eqselect.theory.decomposition`) are such products, for agent i with
j = 1 - i, g_c = grad J_c, and rows restricted to agent i's parameters:

    cur_i  = (g_i)_i,
    own_i  = eta (Hess J_i [(g_i)_i on block i])_i            (= sla_i),
    la_i   = eta (Hess J_i [(g_j)_j on block j])_i,
    peer_i = eta (Hess J_j [(g_i)_j on block j])_i.

`chain_terms` writes cur + eta (c_own own + c_la la) / eta (one product per
agent) and peer (one more) for the fused basin kernel
(`eqselect.numerics.dynamics.kernels.chain`), with no allocation per call:
its work array comes from `workspace`. docs/cli.md ("Kernels") has the
derivation in brief.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from eqselect.numerics.sources.chain_layout import (  # noqa: F401  (re-exported)
    AGENTS, GAMMA, LA, LOGIT, N_CONST, OWN, PEER, REWARDS, STATES, WORK)

# Offsets into the flat work array (one array with constant offsets: no views,
# so the compiled code keeps no reference counts and resolves every address).
_X, _S1, _S2 = 0, 10, 20             # x, sigma', sigma'' at 5 a + s
_Q0, _P, _N = 30, 34, 66             # q0; P and N at 4 i + j
_V, _W, _Z, _DV, _Y, _DW = 82, 90, 94, 98, 102, 106  # v_c at _V + 4 c; 4-vectors
_E, _G, _U = 110, 130, 150           # e, grad J at 10 c + 5 a + s; direction u at 5 a + s

#: Compiled like the fused kernels, with fused multiply-adds allowed (contraction
#: only: no reassociation, no approximate division or exponential), and without
#: numba's reference counting (nothing here allocates, and arrays passed between
#: these functions then cost no counts): a kernel calling them keeps no reference
#: to numba's runtime, so its machine code loads without numba
#: (`eqselect.numerics.dynamics.kernels.machine_code`).
_jit = numba.njit(cache=True, nogil=True, error_model="numpy", boundscheck=False,
                  fastmath={"contract"}, _nrt=False)


@_jit
def _drho_dot(a, xb, ws, y):
    """d rho / d x_a . ws[y:y+4] at the state where the other agent's probability is xb."""
    if a == 0:
        return xb * (ws[y] - ws[y + 2]) + (1.0 - xb) * (ws[y + 1] - ws[y + 3])
    return xb * (ws[y] - ws[y + 1]) + (1.0 - xb) * (ws[y + 2] - ws[y + 3])


@_jit
def _add_drho(a, xb, scale, ws, acc):
    """ws[acc:acc+4] += scale * d rho / d x_a (the other agent's probability xb)."""
    hi, lo = scale * xb, scale * (1.0 - xb)
    if a == 0:
        ws[acc] += hi
        ws[acc + 1] += lo
        ws[acc + 2] -= hi
        ws[acc + 3] -= lo
    else:
        ws[acc] += hi
        ws[acc + 1] -= hi
        ws[acc + 2] += lo
        ws[acc + 3] -= lo


@_jit
def _rho(x0, x1, ws, row):
    ws[row] = x0 * x1
    ws[row + 1] = x0 * (1.0 - x1)
    ws[row + 2] = (1.0 - x0) * x1
    ws[row + 3] = (1.0 - x0) * (1.0 - x1)


@_jit
def _policies(th, logit, ws):
    """x, sigma', sigma'' of every (agent, state)."""
    for k in range(AGENTS * STATES):
        t = th[k]
        if logit:
            x = 1.0 / (1.0 + math.exp(-t))
            d = x * (1.0 - x)
            ws[_X + k], ws[_S1 + k], ws[_S2 + k] = x, d, d * (1.0 - 2.0 * x)
        else:
            ws[_X + k], ws[_S1 + k], ws[_S2 + k] = t, 1.0, 0.0


@_jit
def _inverse(gamma, ws):
    """N = (I - gamma P)^{-1} by the Laplace expansion in 2 x 2 minors.

    The twelve minors of the top and bottom row pairs give the determinant
    and the adjugate (one division, no serial elimination). For a stochastic
    P and gamma < 1, I - gamma P is strictly diagonally dominant, so the
    determinant is bounded away from 0 and ||N||_inf <= 1 / (1 - gamma).
    """
    a00, a01, a02, a03 = 1.0 - gamma * ws[_P], -gamma * ws[_P + 1], -gamma * ws[_P + 2], \
        -gamma * ws[_P + 3]
    a10, a11, a12, a13 = -gamma * ws[_P + 4], 1.0 - gamma * ws[_P + 5], -gamma * ws[_P + 6], \
        -gamma * ws[_P + 7]
    a20, a21, a22, a23 = -gamma * ws[_P + 8], -gamma * ws[_P + 9], 1.0 - gamma * ws[_P + 10], \
        -gamma * ws[_P + 11]
    a30, a31, a32, a33 = -gamma * ws[_P + 12], -gamma * ws[_P + 13], -gamma * ws[_P + 14], \
        1.0 - gamma * ws[_P + 15]
    s0, s1, s2 = a00 * a11 - a10 * a01, a00 * a12 - a10 * a02, a00 * a13 - a10 * a03
    s3, s4, s5 = a01 * a12 - a11 * a02, a01 * a13 - a11 * a03, a02 * a13 - a12 * a03
    c5, c4, c3 = a22 * a33 - a32 * a23, a21 * a33 - a31 * a23, a21 * a32 - a31 * a22
    c2, c1, c0 = a20 * a33 - a30 * a23, a20 * a32 - a30 * a22, a20 * a31 - a30 * a21
    r = 1.0 / (s0 * c5 - s1 * c4 + s2 * c3 + s3 * c2 - s4 * c1 + s5 * c0)
    n = _N
    ws[n] = (a11 * c5 - a12 * c4 + a13 * c3) * r
    ws[n + 1] = (a02 * c4 - a01 * c5 - a03 * c3) * r
    ws[n + 2] = (a31 * s5 - a32 * s4 + a33 * s3) * r
    ws[n + 3] = (a22 * s4 - a21 * s5 - a23 * s3) * r
    ws[n + 4] = (a12 * c2 - a10 * c5 - a13 * c1) * r
    ws[n + 5] = (a00 * c5 - a02 * c2 + a03 * c1) * r
    ws[n + 6] = (a32 * s2 - a30 * s5 - a33 * s1) * r
    ws[n + 7] = (a20 * s5 - a22 * s2 + a23 * s1) * r
    ws[n + 8] = (a10 * c4 - a11 * c2 + a13 * c0) * r
    ws[n + 9] = (a01 * c2 - a00 * c4 - a03 * c0) * r
    ws[n + 10] = (a30 * s4 - a31 * s2 + a33 * s0) * r
    ws[n + 11] = (a21 * s2 - a20 * s4 - a23 * s0) * r
    ws[n + 12] = (a11 * c1 - a10 * c3 - a12 * c0) * r
    ws[n + 13] = (a00 * c3 - a01 * c1 + a02 * c0) * r
    ws[n + 14] = (a31 * s1 - a30 * s3 - a32 * s0) * r
    ws[n + 15] = (a20 * s3 - a21 * s1 + a22 * s0) * r


@_jit
def _chain(th, C, ws):
    """Policies, q0, P, N, v_c = N r_c and w = q0 N."""
    _policies(th, C[LOGIT] != 0.0, ws)
    _rho(ws[_X], ws[_X + STATES], ws, _Q0)
    for k in range(4):
        _rho(ws[_X + k + 1], ws[_X + STATES + k + 1], ws, _P + 4 * k)
    _inverse(C[GAMMA], ws)
    for i in range(4):
        v0 = 0.0
        v1 = 0.0
        w = 0.0
        for j in range(4):
            v0 += ws[_N + 4 * i + j] * C[REWARDS + j]
            v1 += ws[_N + 4 * i + j] * C[REWARDS + 4 + j]
            w += ws[_Q0 + j] * ws[_N + 4 * j + i]
        ws[_V + i], ws[_V + 4 + i], ws[_W + i] = v0, v1, w


@_jit
def _gradients(gamma, ws):
    """e_{c,a,s} and grad J_c (module docstring)."""
    for c in range(AGENTS):
        for a in range(AGENTS):
            for s in range(STATES):
                e = _drho_dot(a, ws[_X + (1 - a) * STATES + s], ws, _V + 4 * c)
                k = 10 * c + STATES * a + s
                ws[_E + k] = e
                scale = 1.0 if s == 0 else gamma * ws[_W + s - 1]
                ws[_G + k] = scale * ws[_S1 + STATES * a + s] * e


@_jit
def _directions(c, b0, b1, gamma, ws):
    """dv[u] (at _DV) and dw[u] (at _DW) of J_c's chain along u (at _U), which is
    zero outside the blocks of agents b0 .. b1 - 1."""
    y0 = y1 = y2 = y3 = 0.0
    z0 = z1 = z2 = z3 = 0.0
    for b in range(b0, b1):
        for s in range(STATES):
            k = STATES * b + s
            t = ws[_U + k] * ws[_S1 + k]
            sc = t if s == 0 else gamma * ws[_W + s - 1] * t
            xb = ws[_X + (1 - b) * STATES + s]
            hi, lo = sc * xb, sc - sc * xb  # sc d rho / d x_b = (hi, lo, -hi, -lo) permuted
            y0 += hi
            y3 -= lo
            if b == 0:
                y1 += lo
                y2 -= hi
            else:
                y1 -= hi
                y2 += lo
            ze = t * ws[_E + 10 * c + k]
            if s == 1:
                z0 += ze
            elif s == 2:
                z1 += ze
            elif s == 3:
                z2 += ze
            elif s == 4:
                z3 += ze
    for i in range(4):
        ws[_DV + i] = gamma * (ws[_N + 4 * i] * z0 + ws[_N + 4 * i + 1] * z1
                               + ws[_N + 4 * i + 2] * z2 + ws[_N + 4 * i + 3] * z3)
        ws[_DW + i] = (y0 * ws[_N + i] + y1 * ws[_N + 4 + i] + y2 * ws[_N + 8 + i]
                       + y3 * ws[_N + 12 + i])


@_jit
def _hvp(c, a, b0, b1, scale, gamma, ws, out, off):
    """out[off + 5 a + s] += scale (Hess J_c u)_{a,s} for every state s (u at _U, zero
    outside the blocks of agents b0 .. b1 - 1)."""
    _directions(c, b0, b1, gamma, ws)
    b = 1 - a
    v = _V + 4 * c
    kv = ws[v] - ws[v + 1] - ws[v + 2] + ws[v + 3]
    for s in range(STATES):
        ka, kb = STATES * a + s, STATES * b + s
        e = ws[_E + 10 * c + ka]
        s1 = ws[_S1 + ka]
        t = ws[_S2 + ka] * ws[_U + ka] * e + s1 * ws[_S1 + kb] * ws[_U + kb] * kv
        d = _drho_dot(a, ws[_X + kb], ws, _DV)
        if s == 0:
            h = t + s1 * d
        else:
            w = ws[_W + s - 1]
            h = gamma * (s1 * (ws[_DW + s - 1] * e + w * d) + w * t)
        out[off + ka] += scale * h


@numba.njit(cache=True, nogil=True)
def workspace():
    """The work array of `chain_terms`, allocated once per start."""
    return np.zeros(WORK)


@_jit
def chain_terms(th, out, ws, C):
    """The field's parts at one point of the IPD (module docstring).

    Parameters
    ----------
    th : ndarray, shape (10,)
        The point, agent 0's five parameters then agent 1's.
    out : ndarray, shape (20,)
        Receives cur + own-coefficient terms (out[:10]) and peer (out[10:]).
    ws : ndarray, shape (WORK,)
        From `workspace`.
    C : ndarray, shape (N_CONST,)
        gamma, rewards, the logit flag and the weights (layout above).
    """
    gamma = C[GAMMA]
    _chain(th, C, ws)
    _gradients(gamma, ws)
    d = AGENTS * STATES
    for i in range(AGENTS):
        for s in range(STATES):
            out[i * STATES + s] = ws[_G + 10 * i + STATES * i + s]
            out[d + i * STATES + s] = 0.0
    for i in range(AGENTS):
        j = 1 - i
        if C[OWN] != 0.0 or C[LA] != 0.0:
            for s in range(STATES):
                ws[_U + STATES * i + s] = C[OWN] * ws[_G + 10 * i + STATES * i + s]
                ws[_U + STATES * j + s] = C[LA] * ws[_G + 10 * j + STATES * j + s]
            both = C[LA] != 0.0
            _hvp(i, i, 0 if both else i, 2 if both else i + 1, 1.0, gamma, ws, out, 0)
        if C[PEER] != 0.0:
            for s in range(STATES):
                ws[_U + STATES * i + s] = 0.0
                ws[_U + STATES * j + s] = ws[_G + 10 * i + STATES * j + s]
            _hvp(j, i, j, j + 1, C[PEER], gamma, ws, out, d)


@numba.njit(cache=True, nogil=True, error_model="numpy", boundscheck=False,
            fastmath={"contract"}, parallel=True)
def chain_batch(X, C, peer_weight, U):
    """U[k] = the field at X[k] (out[:10] + peer_weight out[10:] of `chain_terms`).

    Parameters
    ----------
    X : ndarray, shape (n, 10)
    C : ndarray, shape (N_CONST,)
    peer_weight : float
        The rule's coefficient of peer at its lambda (`chain_kernel.chain_weights`).
    U : ndarray, shape (n, 10)
        Receives the field.
    """
    d = AGENTS * STATES
    for k in numba.prange(X.shape[0]):
        th, out, ws = np.empty(d), np.empty(2 * d), workspace()
        for j in range(d):
            th[j] = X[k, j]
        chain_terms(th, out, ws, C)
        for j in range(d):
            U[k, j] = out[j] + peer_weight * out[d + j]
