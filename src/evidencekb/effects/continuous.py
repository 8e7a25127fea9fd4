"""Mean difference and standardized mean difference (Hedges' g) between two independent groups.

The mean difference uses the t distribution, either with Welch's unequal-variance standard error and
Welch-Satterthwaite df or with the pooled variance and n1 + n2 - 2 df; the variant is named in every
result because sources differ. Hedges' g follows the Cochrane Handbook (section 6.5.1.2) and RevMan:
g = J x (m1 - m2) / pooled SD with J = 1 - 3 / (4N - 9), SE = sqrt(N / (n1 n2) + g^2 / (2 (N - 3.94))),
and a normal-approximation interval. SciPy supplies the quantiles and the t-test p-value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scipy import stats

from evidencekb.effects.base import Estimate, PValue, check_level, normal_quantile, quiet, t_quantile
from evidencekb.effects.groups import GroupMean

VARIANCES = ("welch", "pooled")
DEFAULT_VARIANCE = "welch"
VARIANCE_LABELS = {
    "welch": "Welch (unequal variances, Welch-Satterthwaite df)",
    "pooled": "pooled variance (Student, n1 + n2 - 2 df)",
}
T_TESTS = {"welch": "Welch's t-test (two-sided)", "pooled": "Student's t-test, pooled variance (two-sided)"}


def _check_variance(variance: str) -> None:
    if variance not in VARIANCES:
        raise ValueError(f"unknown variance {variance!r}; choose one of {', '.join(VARIANCES)}")


def _pooled_sd(g1: GroupMean, g2: GroupMean) -> float:
    return math.sqrt(((g1.n - 1) * g1.sd * g1.sd + (g2.n - 1) * g2.sd * g2.sd) / (g1.n + g2.n - 2))


def _standard_error(g1: GroupMean, g2: GroupMean, variance: str) -> tuple[float, float] | str:
    """SE of the difference and its df, or why they are not defined."""
    if variance == "welch":
        if min(g1.n, g2.n) < 2:
            return "Welch's interval needs at least 2 participants per group"
        v1, v2 = g1.sd * g1.sd / g1.n, g2.sd * g2.sd / g2.n
        if v1 + v2 == 0:
            return "both SDs are 0"
        w1, w2 = v1 / (v1 + v2), v2 / (v1 + v2)  # Welch-Satterthwaite df in shares, safe from underflow
        return math.sqrt(v1 + v2), 1 / (w1 * w1 / (g1.n - 1) + w2 * w2 / (g2.n - 1))
    if g1.n + g2.n < 3:
        return "the pooled-variance interval needs at least 3 participants in all"
    pooled = _pooled_sd(g1, g2)
    if pooled == 0:
        return "both SDs are 0"
    return pooled * math.sqrt(1 / g1.n + 1 / g2.n), float(g1.n + g2.n - 2)


def mean_difference(g1: GroupMean, g2: GroupMean, variance: str = "welch", level: float = 0.95) -> Estimate:
    """Mean of group 1 minus mean of group 2, with a t-based interval."""
    _check_variance(variance)
    level = check_level(level)
    estimate = g1.mean - g2.mean
    se_df = _standard_error(g1, g2, variance)
    if isinstance(se_df, str):
        return Estimate(estimate, None, None, variance, level, f"interval not estimable: {se_df}")
    se, df = se_df
    half = t_quantile(1 - (1 - level) / 2, df) * se
    if not math.isfinite(half):
        return Estimate(estimate, None, None, variance, level, "interval not estimable: non-finite width")
    return Estimate(
        estimate, estimate - half, estimate + half, variance, level, f"t distribution, {df:.6g} df"
    )


def standardized_mean_difference(g1: GroupMean, g2: GroupMean, level: float = 0.95) -> Estimate:
    """Hedges' g (group 1 minus group 2) with the Cochrane/RevMan approximate SE."""
    level = check_level(level)
    total = g1.n + g2.n
    if total < 4:
        return Estimate(
            None, None, None, "hedges-g", level, "not estimable: needs at least 4 participants in all"
        )
    pooled = _pooled_sd(g1, g2)
    if pooled == 0:
        return Estimate(None, None, None, "hedges-g", level, "not estimable: both SDs are 0")
    correction = 1 - 3 / (4 * total - 9)
    g = correction * (g1.mean - g2.mean) / pooled
    se = math.sqrt(total / (g1.n * g2.n) + g * g / (2 * (total - 3.94)))
    half = normal_quantile(1 - (1 - level) / 2) * se
    if not math.isfinite(half):
        return Estimate(g, None, None, "hedges-g", level, "interval not estimable: the SD is too small")
    note = f"small-sample correction J = {correction:.6g}; SE as in RevMan; normal-approximation interval"
    return Estimate(g, g - half, g + half, "hedges-g", level, note)


def t_test_p(g1: GroupMean, g2: GroupMean, variance: str = "welch") -> PValue:
    """Two-sided t-test from summary statistics (scipy.stats.ttest_ind_from_stats)."""
    _check_variance(variance)
    undefined = _standard_error(g1, g2, variance)
    if isinstance(undefined, str):
        return PValue(None, T_TESTS[variance], f"not computable: {undefined}")
    with quiet():
        result = stats.ttest_ind_from_stats(
            g1.mean, g1.sd, g1.n, g2.mean, g2.sd, g2.n, equal_var=variance == "pooled"
        )
    return PValue(float(result.pvalue), T_TESTS[variance])


@dataclass(frozen=True)
class ContinuousAnalysis:
    intervention: GroupMean
    comparator: GroupMean
    mean_difference: Estimate
    standardized_mean_difference: Estimate
    t_test: PValue

    def to_dict(self) -> dict[str, Any]:
        return {
            "intervention": self.intervention.to_dict(),
            "comparator": self.comparator.to_dict(),
            "mean_difference": self.mean_difference.to_dict(),
            "standardized_mean_difference": self.standardized_mean_difference.to_dict(),
            "p_value": self.t_test.to_dict(),
        }


def analyse_continuous(
    intervention: GroupMean, comparator: GroupMean, variance: str = DEFAULT_VARIANCE, level: float = 0.95
) -> ContinuousAnalysis:
    """MD, Hedges' g and the t-test for intervention vs comparator."""
    return ContinuousAnalysis(
        intervention,
        comparator,
        mean_difference(intervention, comparator, variance, level),
        standardized_mean_difference(intervention, comparator, level),
        t_test_p(intervention, comparator, variance),
    )
