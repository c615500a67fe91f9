"""The 68 % profile-likelihood interval of a non-negative parameter (Wilks)."""

from __future__ import annotations

from collections.abc import Callable

from scipy.optimize import brentq


def profile_interval(
    excess: Callable[[float], float], best: float, step: float, limit: float, xtol: float
) -> tuple[float, float]:
    """Where ``excess(x) = -2 delta lnL(x) - 1`` crosses zero on each side of ``best``.

    The upper end is bracketed in steps of ``step`` up to ``limit``; the lower end is 0 when
    the parameter's boundary lies inside the interval (``excess(0) <= 0``).
    """
    hi_end = best
    while excess(hi_end) < 0:
        hi_end += step
        if hi_end > limit:
            raise RuntimeError("the CEvNS interval has no upper end")
    hi = brentq(excess, best, hi_end, xtol=xtol)
    lo = 0.0
    if excess(0.0) > 0:
        lo_end = max(best - step, 0.0)
        while excess(lo_end) < 0 and lo_end > 0:
            lo_end = max(lo_end - step, 0.0)
        lo = brentq(excess, lo_end, best, xtol=xtol)
    return float(lo), float(hi)
