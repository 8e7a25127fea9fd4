"""statsmodels' closed-form intervals and SciPy's Pearson chi-square for two proportions, without the overhead.

``confint_proportions_2indep`` spends most of a Wald, Agresti-Caffo, log or logit call (about 30 us; 75 us
for Newcombe's, which calls ``proportion_confint`` twice) looking up the normal quantile through SciPy's
generic distribution machinery, and ``chi2_contingency`` most of its 130 us in the generic argument handling
of ``power_divergence``; the formulas themselves take a few microseconds. The functions here are the
libraries' own expressions (as of statsmodels 0.15 and SciPy 1.17), operation for operation and with the
same NumPy and Python number types, with the normal quantile looked up once per level, so they give the
same floating-point results to the last bit; tests/test_effects_binary.py checks that against the libraries
on every small table. Score intervals and Fisher's exact test are iterative and still come from them.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import special, stats
from scipy.stats.contingency import expected_freq


@lru_cache(maxsize=16)
def _z(alpha: float) -> np.float64:
    """The two-sided normal critical value, as statsmodels computes it (a NumPy float, not a Python one)."""
    return stats.norm.isf(alpha / 2)


def wald_diff(count1: int, nobs1: int, count2: int, nobs2: int, alpha: float, addone: int = 0) -> tuple[float, float]:
    """Wald interval for p1 - p2; ``addone=1`` gives Agresti-Caffo's (one success and one failure added)."""
    count1_, nobs1_ = count1 + addone, nobs1 + 2 * addone
    count2_, nobs2_ = count2 + addone, nobs2 + 2 * addone
    p1_ = count1_ / nobs1_
    p2_ = count2_ / nobs2_
    diff_ = p1_ - p2_
    var = p1_ * (1 - p1_) / nobs1_ + p2_ * (1 - p2_) / nobs2_
    d_wald = _z(alpha) * np.sqrt(var)
    return diff_ - d_wald, diff_ + d_wald


def _wilson(count: int, nobs: int, alpha: float) -> tuple[float, float]:
    """``proportion_confint(count, nobs, method="wilson")``, which works on float64 arrays of the counts."""
    count_a, nobs_a = float(count), float(nobs)
    q_ = count_a / nobs_a
    crit = _z(alpha)
    crit2 = crit**2
    denom = 1 + crit2 / nobs_a
    center = (q_ + crit2 / (2 * nobs_a)) / denom
    dist = crit * np.sqrt(q_ * (1.0 - q_) / nobs_a + crit2 / (4.0 * (nobs_a * nobs_a)))
    dist /= denom
    return float(np.clip(center - dist, 0, 1)), float(np.clip(center + dist, 0, 1))


def newcombe_diff(count1: int, nobs1: int, count2: int, nobs2: int, alpha: float) -> tuple[float, float]:
    """Newcombe's hybrid score interval for p1 - p2, from the two Wilson intervals."""
    p1 = count1 / nobs1
    p2 = count2 / nobs2
    diff = p1 - p2
    low1, upp1 = _wilson(count1, nobs1, alpha)
    low2, upp2 = _wilson(count2, nobs2, alpha)
    d_low = np.sqrt((p1 - low1) ** 2 + (upp2 - p2) ** 2)
    d_upp = np.sqrt((p2 - low2) ** 2 + (upp1 - p1) ** 2)
    return diff - d_low, diff + d_upp


def log_ratio(count1: float, nobs1: float, count2: float, nobs2: float, alpha: float) -> tuple[float, float]:
    """Katz log interval for p1 / p2."""
    p1_ = count1 / nobs1
    p2_ = count2 / nobs2
    ratio_ = p1_ / p2_
    var = (1 / count1) - 1 / nobs1 + 1 / count2 - 1 / nobs2
    d_log = _z(alpha) * np.sqrt(var)
    return np.exp(np.log(ratio_) - d_log), np.exp(np.log(ratio_) + d_log)


def logit_odds_ratio(count1: float, nobs1: float, count2: float, nobs2: float, alpha: float) -> tuple[float, float]:
    """Woolf logit interval for the odds ratio."""
    p1_ = count1 / nobs1
    p2_ = count2 / nobs2
    odds_ratio_ = p1_ / (1 - p1_) / p2_ * (1 - p2_)
    var = 1 / count1 + 1 / (nobs1 - count1) + 1 / count2 + 1 / (nobs2 - count2)
    d_log = _z(alpha) * np.sqrt(var)
    return np.exp(np.log(odds_ratio_) - d_log), np.exp(np.log(odds_ratio_) + d_log)


def pearson_p(table: list[list[int]], correction: bool) -> np.float64:
    """``chi2_contingency(table, correction).pvalue`` for a 2x2 table whose expected counts are all positive."""
    observed = np.asarray(table)
    expected = expected_freq(observed)
    if correction:  # Yates, by at most the difference from the expected count
        diff = expected - observed
        direction = np.sign(diff)
        magnitude = np.minimum(0.5, np.abs(diff))
        observed = observed + magnitude * direction
    f_obs, f_exp = observed.astype(np.float64).ravel(), expected.ravel()
    return special.chdtrc(1.0, np.sum((f_obs - f_exp) ** 2 / f_exp))
