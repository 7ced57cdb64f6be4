"""eqselect.proofs_check: the paper's statements checked against exact computation."""
