"""eqselect.numerics.network: sparse fields, kernels, fixed points and basins of games on graphs.

`field.NetworkField` (the terms as sparse sums over edges, a gradient
source), `kernel` (the fused numba basin kernel for two actions),
`jacobian` (sparse Jacobians by complex steps on a colouring),
`equilibria` (consensus, symmetric and deflated Newton points, stability
from sparse spectra, continuation of symmetric branches) and `basins`
(basin problems judged by consensus). See docs/networks.md.
"""
