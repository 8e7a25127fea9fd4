"""Miettinen-Nurminen score interval for a risk difference.

statsmodels (0.14 to 0.15 at least) builds the null-restricted MLE for ``compare="diff"`` from a cubic with
a wrong linear coefficient (``count0`` where ``nobs0`` belongs; statsmodels issue #10269, fix proposed in
PR #10270), so its "score" risk-difference interval is wrong even when it returns one (56/70 vs 48/80: upper
limit 0.3440 instead of 0.3382) and fails on many small tables. Until a fixed statsmodels is required, the
interval is computed here with the same cubic, corrected, and SciPy's root finder: the limits are the
differences d at which the MN statistic (p1 - p2 - d)^2 / V(d), with the N / (N - 1) variance factor,
equals the chi-square quantile. The ratio and odds-ratio score intervals are not affected.
"""

from __future__ import annotations

import math
from functools import lru_cache

from scipy import optimize, stats


def _restricted_p2(x1: int, n1: int, x2: int, n2: int, d: float) -> float:
    """MLE of p2 under p1 - p2 = d: the root in [0, 1] of Miettinen & Nurminen's (1985) cubic."""
    n, x = n1 + n2, x1 + x2
    a3, a2 = n, (n1 + 2 * n2) * d - n - x
    a1, a0 = (n2 * d - n - 2 * x2) * d + x, x2 * d * (1 - d)
    b = a2 / (3 * a3)
    q = b**3 - a1 * a2 / (6 * a3**2) + a0 / (2 * a3)
    p = math.copysign(math.sqrt(max(b * b - a1 / (3 * a3), 0.0)), q)
    root = -b if p == 0 else 2 * p * math.cos((math.pi + math.acos(max(-1.0, min(1.0, q / p**3)))) / 3) - b
    return min(max(root, max(0.0, -d)), min(1.0, 1.0 - d))


def _statistic(x1: int, n1: int, x2: int, n2: int, d: float) -> float:
    p2 = _restricted_p2(x1, n1, x2, n2, d)
    p1 = p2 + d
    n = n1 + n2
    variance = (p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2) * n / (n - 1)
    distance = (x1 / n1 - x2 / n2 - d) ** 2
    if variance <= 0:
        return 0.0 if distance == 0 else math.inf
    return distance / variance


@lru_cache(maxsize=16)
def _critical(level: float) -> float:
    """The chi-square (1 df) quantile that the statistic is compared with, looked up once per level."""
    return float(stats.chi2.ppf(level, 1))


def mn_interval(x1: int, n1: int, x2: int, n2: int, level: float) -> tuple[float, float]:
    """Miettinen-Nurminen interval for p1 - p2 (limits within [-1, 1])."""
    critical = _critical(level)
    estimate = x1 / n1 - x2 / n2

    def excess(d: float) -> float:
        return min(_statistic(x1, n1, x2, n2, d), 1e300) - critical

    low = -1.0 if estimate <= -1 else float(optimize.brentq(excess, -1.0, estimate, xtol=1e-12))
    high = 1.0 if estimate >= 1 else float(optimize.brentq(excess, estimate, 1.0, xtol=1e-12))
    return low, high
