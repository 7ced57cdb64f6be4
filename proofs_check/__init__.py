"""eqselect.proofs_check: the alignment conditions A0-A5 and the paper's statements,
decided exactly or certified (docs/alignment.md)."""

from eqselect.proofs_check.check import CheckOptions, check_game
from eqselect.proofs_check.paired_starts import SampleOptions
from eqselect.proofs_check.statistical_entry import statistical_a3
from eqselect.proofs_check.verdict import Certified, CheckResult, PointReport, Verdict

__all__ = ["Certified", "CheckOptions", "CheckResult", "PointReport", "SampleOptions", "Verdict",
           "check_game", "statistical_a3"]
