"""eqselect.numerics: compiled fields, fixed points, continuation, basins."""
