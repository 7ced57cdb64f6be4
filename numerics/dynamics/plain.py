"""Values as error messages show them: numbers as plain numbers.

A numpy scalar's repr is ``np.float64(1.8)`` (numpy >= 2), which reads as
code, not as a number; every message of the dynamics package shows numbers
through `plain`.
"""

from __future__ import annotations

import numbers


def plain(value) -> str:
    """``1.8`` for any real number (numpy scalars included), else ``repr(value)``.

    Examples
    --------
    >>> import numpy as np
    >>> plain(np.float64(1.8058)), plain(np.int64(3)), plain(0.5), plain("x")
    ('1.8058', '3', '0.5', "'x'")
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return repr(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    return f"{float(value):.6g}"


__all__ = ["plain"]
