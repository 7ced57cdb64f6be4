"""eqselect.numerics.dynamics.kernels: the paper's schedule as fused compiled code.

- `choice`: which loop runs a problem whose kernel is "auto" (the default);
- `fused`: build or load a rule's kernel and run it over many starts
  (`run_kernel`, `run_compiled`);
- `source`: the generated numba module text (loop, schedule, projection);
- `codegen`: a field's expressions as straight-line code;
- `native`: fields too large for numba, called through symengine's LLVM code;
- `cache`: the disk cache of generated modules;
- `chain`: the IPD's kernel on its Markov chain
  (`eqselect.numerics.sources.chain_field`).
"""
