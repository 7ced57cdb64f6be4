"""eqselect.numerics.dynamics.kernels: the paper's schedule as fused compiled code.

- `choice`: which loop runs a problem whose kernel is "auto" (the default);
- `fused`: build or load a rule's kernel and run it over many starts
  (`run_kernel`, `run_compiled`);
- `source`: the generated module text (loop, schedule, projection),
  one start at a time with 4 interleaved (the lanes layout);
- `simd`: the block layout, 16 starts in structure of arrays stepped by a
  vectorised loop (the default wherever it applies), float64 or float32;
- `vexp`: the exponential of the block layout (no libm call, within 1 ulp);
- `codegen`: a field's expressions as straight-line code;
- `native`: fields too large for numba, called through symengine's LLVM code;
- `cache`: the disk cache of generated modules;
- `entry`: a module's ``run``, which loads its loop as machine code or through numba;
- `machine_code`: the loop kept as an object file, loaded without numba;
- `chain`: the IPD's kernel on its Markov chain
  (`eqselect.numerics.sources.chain_field`).
- `cycle`: the cycle test of the runs that reached no attractor, a map
  kernel's steps and the recurrence test in one loop.
"""
