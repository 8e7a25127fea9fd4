"""Continuous effect measures, SD conversions and the GRIM check.

References are independent of the code under test: printed t-table quantiles and the Cochrane Handbook's
3.92, statsmodels' CompareMeans on data constructed to have the given means and SDs, statsmodels'
effectsize_smd, Borenstein et al. (2009, chapter 4) for Hedges' g, and Brown & Heathers (2016) for GRIM.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.meta_analysis import effectsize_smd
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from evidencekb.effects import (
    GroupMean,
    analyse_continuous,
    grim_consistent,
    grim_totals,
    group_from_ci,
    group_from_se,
    mean_difference,
    standardized_mean_difference,
    t_test_p,
)

# CDASI activity, change from baseline to week 16 (ProDERM): mean (95% CI), n.
CDASI_IVIG = (-9.36, -12.52, -6.19, 45)
CDASI_PLACEBO = (-1.16, -3.32, 0.99, 43)


def sample(group: GroupMean) -> DescrStatsW:
    """Data with exactly the group's mean and SD (ddof=1), for statsmodels' own t machinery."""
    u = np.arange(group.n, dtype=float)
    u = (u - u.mean()) / u.std(ddof=1)
    return DescrStatsW(group.mean + group.sd * u)


def test_cdasi_sd_from_ci_uses_t_for_small_groups() -> None:
    ivig, placebo = group_from_ci(*CDASI_IVIG), group_from_ci(*CDASI_PLACEBO)
    # Printed t tables: t(0.975, 44) = 2.0154, t(0.975, 42) = 2.0181.
    assert ivig.sd == pytest.approx(math.sqrt(45) * (-6.19 + 12.52) / (2 * 2.0154), rel=1e-4)
    assert placebo.sd == pytest.approx(math.sqrt(43) * (0.99 + 3.32) / (2 * 2.0181), rel=1e-4)
    assert "t quantile with 44 df" in ivig.sd_source and "6.5.2.2" in ivig.sd_source
    assert (ivig.mean, ivig.n) == (-9.36, 45)


def test_sd_from_ci_uses_392_for_large_groups() -> None:
    # Cochrane Handbook 6.5.2.2: SD = sqrt(N) x (upper - lower) / 3.92 for a 95% CI and a large group.
    group = group_from_ci(10.0, 9.0, 11.0, 100)
    assert group.sd == pytest.approx(10 * 2 / 3.92, rel=1e-4)
    assert "normal quantile, n >= 60" in group.sd_source
    assert "t quantile with 58 df" in group_from_ci(10.0, 9.0, 11.0, 59).sd_source
    assert "normal" in group_from_ci(10.0, 9.0, 11.0, 60).sd_source
    # 90% CI: the Handbook replaces 3.92 by 3.29.
    assert group_from_ci(10.0, 9.0, 11.0, 100, level=0.9).sd == pytest.approx(10 * 2 / 3.29, rel=1e-3)


def test_sd_from_se() -> None:
    group = group_from_se(5.0, 2.0, 25)
    assert group.sd == 10.0 and "sqrt(n) x SE" in group.sd_source


def test_cdasi_mean_difference_welch_and_pooled_match_statsmodels() -> None:
    ivig, placebo = group_from_ci(*CDASI_IVIG), group_from_ci(*CDASI_PLACEBO)
    compare = CompareMeans(sample(ivig), sample(placebo))
    for variance, usevar in (("welch", "unequal"), ("pooled", "pooled")):
        md = mean_difference(ivig, placebo, variance)
        assert md.estimate == pytest.approx(-8.20)
        assert (md.ci_low, md.ci_high) == pytest.approx(
            compare.tconfint_diff(alpha=0.05, usevar=usevar), rel=1e-9
        )
        assert md.method == variance and md.note is not None and "df" in md.note
        p = t_test_p(ivig, placebo, variance)
        assert p.value == pytest.approx(compare.ttest_ind(usevar=usevar)[1], rel=1e-9)
    welch = mean_difference(ivig, placebo)
    assert welch.ci_high is not None and welch.ci_high < 0
    assert "Welch" in t_test_p(ivig, placebo).test


def test_hedges_g_borenstein_example() -> None:
    # Borenstein et al. (2009), ch. 4: means 103 vs 100, SDs 5.5 and 4.5, n 50 each: d = 0.5970, g = 0.5924.
    treated, control = GroupMean(103, 5.5, 50), GroupMean(100, 4.5, 50)
    smd = standardized_mean_difference(treated, control)
    assert smd.estimate == pytest.approx(0.5924, abs=5e-5)
    g, variance = effectsize_smd(103, 5.5, 50, 100, 4.5, 50)  # statsmodels: RevMan's N - 3.94 variance
    assert smd.estimate == pytest.approx(g, rel=1e-12)
    half = 1.959963984540054 * math.sqrt(variance)
    assert (smd.ci_low, smd.ci_high) == pytest.approx((g - half, g + half), rel=1e-12)
    assert smd.method == "hedges-g"


def test_analysis_bundle_to_dict() -> None:
    result = analyse_continuous(group_from_ci(*CDASI_IVIG), group_from_ci(*CDASI_PLACEBO), "pooled", 0.9)
    data = result.to_dict()
    assert set(data) == {
        "intervention",
        "comparator",
        "mean_difference",
        "standardized_mean_difference",
        "p_value",
    }
    assert set(data["mean_difference"]) == {"estimate", "ci_low", "ci_high", "method", "level", "note"}
    assert data["mean_difference"]["level"] == 0.9 and data["mean_difference"]["method"] == "pooled"
    assert data["standardized_mean_difference"]["estimate"] < 0


@pytest.mark.parametrize(
    ("g1", "g2", "variance", "reason"),
    [
        (GroupMean(1, 1, 1), GroupMean(0, 1, 5), "welch", "at least 2 participants per group"),
        (GroupMean(1, 1, 1), GroupMean(0, 1, 1), "pooled", "at least 3 participants"),
        (GroupMean(1, 0, 5), GroupMean(0, 0, 5), "welch", "both SDs are 0"),
        (GroupMean(1, 0, 5), GroupMean(0, 0, 5), "pooled", "both SDs are 0"),
    ],
)
def test_mean_difference_without_interval(g1: GroupMean, g2: GroupMean, variance: str, reason: str) -> None:
    md = mean_difference(g1, g2, variance)
    assert md.estimate == 1.0 and md.ci_low is None and md.ci_high is None
    assert md.note is not None and reason in md.note


def test_smd_not_estimable_cases() -> None:
    tiny = standardized_mean_difference(GroupMean(1, 1, 1), GroupMean(0, 1, 2))
    assert tiny.estimate is None and tiny.note is not None and "at least 4" in tiny.note
    flat = standardized_mean_difference(GroupMean(1, 0, 5), GroupMean(0, 0, 5))
    assert flat.estimate is None and flat.note is not None and "SDs are 0" in flat.note
    p = t_test_p(GroupMean(1, 0, 5), GroupMean(0, 0, 5))
    assert p.value is None and p.note is not None


def test_one_zero_sd_still_gives_welch_interval() -> None:
    md = mean_difference(GroupMean(1, 0, 5), GroupMean(0, 2, 5))
    assert md.ci_low is not None and md.note == "t distribution, 4 df"


@pytest.mark.parametrize(
    "build",
    [
        lambda: GroupMean(0, 1, 0),
        lambda: GroupMean(0, -1, 5),
        lambda: GroupMean(math.nan, 1, 5),
        lambda: GroupMean(0, math.inf, 5),
        lambda: GroupMean(0, 1, 2.5),  # type: ignore[arg-type]
        lambda: group_from_ci(0, 1, -1, 10),
        lambda: group_from_ci(0, -1, 1, 1),
        lambda: group_from_ci(0, -1, 1, 10, level=1.0),
        lambda: group_from_se(0, -1, 10),
        lambda: mean_difference(GroupMean(0, 1, 5), GroupMean(0, 1, 5), "satterthwaite"),
        lambda: standardized_mean_difference(GroupMean(0, 1, 5), GroupMean(0, 1, 5), level=0.0),
    ],
)
def test_invalid_input_rejected(build: object) -> None:
    with pytest.raises(ValueError):
        build()  # type: ignore[operator]


# --- GRIM (Brown & Heathers 2016) -----------------------------------------------------------------------


def test_grim_examples() -> None:
    # n = 28: totals 145 and 146 give means 5.18 and 5.21, so a printed 5.19 is impossible.
    assert not grim_consistent(5.19, 2, 28)
    assert list(grim_totals(5.18, 2, 28)) == [145]
    # A scale averaging 2 integer items has granularity 1/2: 2.45 from 10 people needs a total of 49 items.
    assert not grim_consistent(2.45, 2, 10)
    assert list(grim_totals(2.45, 2, 10, items=2)) == [49]
    # Change-from-baseline scores of an integer scale are integers too, and may be negative.
    assert list(grim_totals(-1.16, 2, 43)) == [-50]  # -50/43 = -1.1628
    # With n >= 10^decimals every printed mean is possible.
    assert grim_consistent(3.14, 2, 100)
    with pytest.raises(ValueError):
        grim_totals(1.0, 2, 0)


@given(n=st.integers(1, 500), total=st.integers(-10_000, 10_000), decimals=st.integers(0, 3))
def test_grim_accepts_every_real_mean(n: int, total: int, decimals: int) -> None:
    printed = float(f"{total / n:.{decimals}f}")  # Python's rounding decides what gets printed
    assert total in grim_totals(printed, decimals, n)


# --- properties -----------------------------------------------------------------------------------------

groups = st.builds(
    GroupMean,
    mean=st.floats(-1e4, 1e4, allow_nan=False),
    sd=st.floats(0, 1e3, allow_nan=False),
    n=st.integers(1, 10**6),
)


@settings(max_examples=200, deadline=None)
@given(g1=groups, g2=groups, variance=st.sampled_from(["welch", "pooled"]), level=st.floats(0.5, 0.999))
def test_intervals_contain_estimates_and_swap_antisymmetrically(
    g1: GroupMean, g2: GroupMean, variance: str, level: float
) -> None:
    md, back = mean_difference(g1, g2, variance, level), mean_difference(g2, g1, variance, level)
    assert md.estimate is not None and back.estimate == -md.estimate
    if md.ci_low is not None and md.ci_high is not None:
        assert md.ci_low <= md.estimate <= md.ci_high
        assert (back.ci_low, back.ci_high) == pytest.approx((-md.ci_high, -md.ci_low))
    smd = standardized_mean_difference(g1, g2, level)
    if smd.estimate is not None:
        assert standardized_mean_difference(g2, g1, level).estimate == pytest.approx(-smd.estimate)
        if smd.ci_low is None or smd.ci_high is None:
            assert smd.note is not None and "too small" in smd.note  # only for absurdly small SDs
        else:
            assert smd.ci_low <= smd.estimate <= smd.ci_high


@settings(max_examples=100, deadline=None)
@given(mean=st.floats(-100, 100), sd=st.floats(0.01, 100), n=st.integers(2, 10**5), shift=st.floats(-10, 10))
def test_welch_equals_pooled_for_equal_groups(mean: float, sd: float, n: int, shift: float) -> None:
    # Equal n and SD: Welch's SE and df reduce to the pooled ones (df = 2n - 2).
    g1, g2 = GroupMean(mean + shift, sd, n), GroupMean(mean, sd, n)
    welch, pooled = mean_difference(g1, g2, "welch"), mean_difference(g1, g2, "pooled")
    assert (welch.ci_low, welch.ci_high) == pytest.approx((pooled.ci_low, pooled.ci_high), rel=1e-9, abs=1e-9)


def test_quantiles_are_scipy_distributions_to_the_last_bit() -> None:
    from scipy import stats

    from evidencekb.effects.base import normal_quantile, t_quantile

    tails = [1 - (1 - level) / 2 for level in (0.5, 0.8, 0.9, 0.95, 0.975, 0.99, 0.999, 1 - 1e-9)]
    for q in tails:
        assert normal_quantile(q).hex() == float(stats.norm.ppf(q)).hex()
        for df in (1, 2, 3.5, 7, 29, 58, 59.999, 1e3, 12345.678, 1e9):
            assert t_quantile(q, df).hex() == float(stats.t.ppf(q, df)).hex(), (q, df)
