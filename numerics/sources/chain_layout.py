"""The memory-one IPD's chain field: sizes and the layout of its arrays.

Shared by the compiled field (`eqselect.numerics.sources.chain_field`,
which imports numba) and the code that builds its constants and kernels
(`eqselect.numerics.dynamics.kernels.chain`, which must not: a process
loading a kernel's machine code never imports numba).
"""

#: Agents and states of the memory-one IPD; a point has AGENTS * STATES coordinates.
AGENTS, STATES = 2, 5
#: Layout of the constants array: gamma, r_0 (4), r_1 (4), logit flag,
#: eta c_own, eta c_la, eta (peer; 0 skips it).
GAMMA, REWARDS, LOGIT, OWN, LA, PEER, N_CONST = 0, 1, 9, 10, 11, 12, 13
#: Size of the work array `chain_field.chain_terms` uses.
WORK = 160

__all__ = ["AGENTS", "GAMMA", "LA", "LOGIT", "N_CONST", "OWN", "PEER", "REWARDS", "STATES",
           "WORK"]
